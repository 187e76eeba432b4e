"""One SQLite file that HA's executor threads share: one connection behind one lock, in WAL."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class SqliteFile:
    """Opens (creating) the file and its schema; subclasses query `_db` holding `_lock`.

    Autocommit (`isolation_level=None`): a subclass writes its own BEGIN/COMMIT where several
    statements must land together.
    """

    def __init__(self, path: Path, schema: str, *pragmas: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        for pragma in pragmas:
            self._db.execute(f"PRAGMA {pragma}")
        self._db.executescript(schema)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        """Every row one query gives, read holding the lock."""
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _row(self, sql: str, params: Sequence[object] = ()) -> Any:
        """The first row one query gives (None if none), read holding the lock."""
        with self._lock:
            return self._db.execute(sql, params).fetchone()
