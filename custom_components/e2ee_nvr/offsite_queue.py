"""The off-site copy's persisted queue: which committed clips still wait, which were copied.

A SQLite file beside the clip index. A clip enters when it is committed (and again, harmlessly,
when a start-up pass finds it missing), is marked copied only after its manifest, the last of
its objects, reached the target, and leaves when the off-site retention expires it. So a copier
killed at any point finds the clip still waiting, and copies it again under the same object
names: the target ends with one copy of each object, never none and never two.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .clip_index import ClipRow
from .sqlite_file import SqliteFile

SCHEMA = """
CREATE TABLE IF NOT EXISTS copies (
    clip_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    camera_id TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    rel_dir TEXT NOT NULL,
    kinds TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    queued_ms INTEGER NOT NULL,
    copied_ms INTEGER
);
CREATE INDEX IF NOT EXISTS copies_waiting ON copies (copied_ms, start_ms);
"""


@dataclass(frozen=True)
class QueuedClip:
    """One clip to copy: where it is in the primary store and what it consists of."""

    clip_id: str
    device_id: str
    camera_id: str
    start_ms: int
    rel_dir: str
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Backlog:
    """Clips and bytes waiting, and when the oldest of them was queued (ms, None if none)."""

    clips: int
    size_bytes: int
    oldest_queued_ms: int | None


class OffsiteQueue(SqliteFile):
    """Synchronous; run in an executor. One lock: HA's executor threads share the connection."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, SCHEMA, "synchronous=FULL")

    def enqueue(self, rows: Iterable[ClipRow], now_ms: int, not_before_ms: int) -> int:
        """Queue clips not seen before and not already past the off-site retention."""
        values = [
            (
                r.clip_id,
                r.device_id,
                r.camera_id,
                r.start_ms,
                r.rel_dir,
                ",".join(r.kinds),
                *(
                    r.size_bytes,
                    now_ms,
                ),
            )
            for r in rows
            if r.start_ms >= not_before_ms
        ]
        with self._lock, self._db:
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO copies (clip_id, device_id, camera_id, start_ms, rel_dir,"
                " kinds, size_bytes, queued_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            return self._db.total_changes - before

    def waiting(self, limit: int) -> list[QueuedClip]:
        """The oldest clips still to copy (oldest first: they are the nearest to expiring)."""
        return self._queued("copied_ms IS NULL ORDER BY start_ms, clip_id LIMIT ?", (limit,))

    def mark_copied(self, clip_id: str, now_ms: int) -> None:
        with self._lock, self._db:
            self._db.execute("UPDATE copies SET copied_ms = ? WHERE clip_id = ?", (now_ms, clip_id))

    def forget(self, clip_ids: Iterable[str]) -> None:
        with self._lock, self._db:
            self._db.executemany("DELETE FROM copies WHERE clip_id = ?", [(c,) for c in clip_ids])

    def expired(self, before_ms: int, limit: int) -> list[QueuedClip]:
        """Clips (copied or not) whose off-site retention has run out, oldest first."""
        return self._queued("start_ms < ? ORDER BY start_ms LIMIT ?", (before_ms, limit))

    def _queued(self, condition: str, params: tuple[int, ...]) -> list[QueuedClip]:
        found = self._rows(
            "SELECT clip_id, device_id, camera_id, start_ms, rel_dir, kinds FROM copies"  # noqa: S608 - the conditions are constants, values are parameters
            f" WHERE {condition}",
            params,
        )
        return [
            QueuedClip(r[0], r[1], r[2], r[3], r[4], tuple(k for k in r[5].split(",") if k))
            for r in found
        ]

    def backlog(self) -> Backlog:
        count, size, oldest = self._row(
            "SELECT COUNT(*), COALESCE(SUM(size_bytes), 0), MIN(queued_ms) FROM copies"
            " WHERE copied_ms IS NULL"
        )
        return Backlog(int(count), int(size), None if oldest is None else int(oldest))
