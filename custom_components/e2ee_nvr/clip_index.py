"""The clip index: one SQLite table of committed clips, rebuilt from the media folder if lost.

A clip is visible exactly when it has a row here. SQLite keeps a camera's day a range scan
over (device_id, camera_id, start_ms) at 100,000 clips, and start-up opens the database
instead of reading every manifest. Calls are synchronous; the integration runs them in an
executor, one at a time (the lock), on one connection.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .sqlite_file import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS clips (
    clip_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    camera_id TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL,
    events TEXT NOT NULL,
    kinds TEXT NOT NULL,
    rel_dir TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS clips_camera_time ON clips (device_id, camera_id, start_ms);
CREATE INDEX IF NOT EXISTS clips_time ON clips (start_ms);
CREATE TABLE IF NOT EXISTS clip_events (
    clip_id TEXT NOT NULL REFERENCES clips (clip_id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    PRIMARY KEY (kind, start_ms, clip_id)
);
"""
_COLUMNS = (
    "clip_id, device_id, camera_id, start_ms, end_ms, size_bytes, events, kinds, rel_dir, "
    "manifest_sha256"
)


@dataclass(frozen=True)
class ClipRow:
    """What HA may know of a clip: where and when, how big, and the visible event kinds."""

    clip_id: str
    device_id: str
    camera_id: str
    start_ms: int
    end_ms: int
    size_bytes: int
    events: tuple[str, ...]
    kinds: tuple[str, ...]
    rel_dir: str
    manifest_sha256: str

    def as_tuple(self) -> tuple[str | int, ...]:
        return (
            self.clip_id,
            self.device_id,
            self.camera_id,
            self.start_ms,
            self.end_ms,
            self.size_bytes,
            ",".join(self.events),
            ",".join(self.kinds),
            self.rel_dir,
            self.manifest_sha256,
        )

    @classmethod
    def from_tuple(cls, row: tuple[object, ...]) -> ClipRow:
        (clip_id, device_id, camera_id, start_ms, end_ms, size, events, kinds, rel_dir, sha) = row
        return cls(
            clip_id=str(clip_id),
            device_id=str(device_id),
            camera_id=str(camera_id),
            start_ms=int(str(start_ms)),
            end_ms=int(str(end_ms)),
            size_bytes=int(str(size)),
            events=tuple(e for e in str(events).split(",") if e),
            kinds=tuple(k for k in str(kinds).split(",") if k),
            rel_dir=str(rel_dir),
            manifest_sha256=str(sha),
        )


@dataclass(frozen=True)
class ClipQuery:
    """A page of clips, newest first; `before` is the (start_ms, clip_id) of the last row seen."""

    device_id: str | None = None
    camera_id: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    event: str | None = None
    limit: int = 50
    before: tuple[int, str] | None = None


class ClipIndex(SqliteFile):
    """SQLite-backed index; `existed` tells the caller whether it must rebuild from disk."""

    def __init__(self, path: Path) -> None:
        self.existed = path.exists()
        super().__init__(path, SCHEMA, "foreign_keys=ON")

    def add(self, rows: Iterable[ClipRow]) -> None:
        """Insert rows (a repeat of a clip id is ignored: uploads are idempotent)."""
        with self._lock:
            self._db.execute("BEGIN")
            for row in rows:
                cursor = self._db.execute(
                    f"INSERT OR IGNORE INTO clips ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",  # noqa: S608 - constant
                    row.as_tuple(),
                )
                if cursor.rowcount:
                    self._db.executemany(
                        "INSERT INTO clip_events (clip_id, kind, start_ms) VALUES (?,?,?)",
                        [(row.clip_id, kind, row.start_ms) for kind in row.events],
                    )
            self._db.execute("COMMIT")

    def get(self, clip_id: str) -> ClipRow | None:
        found = self._row(
            f"SELECT {_COLUMNS} FROM clips WHERE clip_id = ?",  # noqa: S608 - constant
            (clip_id,),
        )
        return None if found is None else ClipRow.from_tuple(found)

    def remove(self, clip_ids: Iterable[str]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM clips WHERE clip_id = ?", [(c,) for c in clip_ids])
            self._db.execute("COMMIT")

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM clips")

    def query(self, query: ClipQuery) -> list[ClipRow]:
        clauses: list[str] = []
        params: list[object] = []
        for column, value in (("device_id", query.device_id), ("camera_id", query.camera_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if query.start_ms is not None:
            clauses.append("start_ms >= ?")
            params.append(query.start_ms)
        if query.end_ms is not None:
            clauses.append("start_ms < ?")
            params.append(query.end_ms)
        if query.event is not None:
            clauses.append("clip_id IN (SELECT clip_id FROM clip_events WHERE kind = ?)")
            params.append(query.event)
        if query.before is not None:
            clauses.append("(start_ms < ? OR (start_ms = ? AND clip_id < ?))")
            params += [query.before[0], query.before[0], query.before[1]]
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT {_COLUMNS} FROM clips {where} ORDER BY start_ms DESC, clip_id DESC LIMIT ?"  # noqa: S608 - clauses are constants, values are parameters
        rows = self._rows(sql, [*params, query.limit])
        return [ClipRow.from_tuple(r) for r in rows]

    def oldest(
        self,
        limit: int,
        *,
        device_id: str | None = None,
        camera_id: str | None = None,
        before_ms: int | None = None,
    ) -> list[ClipRow]:
        """The oldest clips first (retention), optionally of one camera and before a time."""
        clauses: list[str] = []
        params: list[object] = []
        if device_id is not None and camera_id is not None:
            clauses.append("device_id = ? AND camera_id = ?")
            params += [device_id, camera_id]
        if before_ms is not None:
            clauses.append("start_ms < ?")
            params.append(before_ms)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = f"SELECT {_COLUMNS} FROM clips {where} ORDER BY start_ms ASC, clip_id ASC LIMIT ?"  # noqa: S608
        rows = self._rows(sql, [*params, limit])
        return [ClipRow.from_tuple(r) for r in rows]

    def total_bytes(self) -> int:
        (total,) = self._row("SELECT COALESCE(SUM(size_bytes), 0) FROM clips")
        return int(total)

    def count(self) -> int:
        (total,) = self._row("SELECT COUNT(*) FROM clips")
        return int(total)

    def cameras(self) -> list[tuple[str, str, int, int]]:
        """(device_id, camera_id, clip count, newest start_ms) per camera with clips."""
        rows = self._rows(
            "SELECT device_id, camera_id, COUNT(*), MAX(start_ms) FROM clips "
            "GROUP BY device_id, camera_id"
        )
        return [(str(d), str(c), int(n), int(m)) for d, c, n, m in rows]

    def days(self, device_id: str, camera_id: str) -> list[str]:
        """The UTC days (YYYY-MM-DD) on which a camera has clips, newest first."""
        found = self._rows(
            "SELECT DISTINCT start_ms / 86400000 FROM clips"
            " WHERE device_id = ? AND camera_id = ? ORDER BY 1 DESC",
            (device_id, camera_id),
        )
        epoch = datetime.date(1970, 1, 1)
        return [(epoch + datetime.timedelta(days=int(d))).isoformat() for (d,) in found]
