"""One asyncio lock per clip being uploaded, dropped when its last holder or waiter leaves.

Uploads of one clip (its manifest and objects) are serialized so two requests never stage or
commit the same clip at once. Agents choose clip ids, so a table that kept every lock would
grow with every clip ever uploaded: an entry lives only while someone holds or awaits it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class ClipLocks:
    """Per-clip locks for the event loop (not thread-safe; no executor touches them)."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, clip_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(clip_id, (asyncio.Lock(), 0))
        self._locks[clip_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[clip_id]
            if users == 1:
                del self._locks[clip_id]
            else:
                self._locks[clip_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
