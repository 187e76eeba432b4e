"""Live records to viewers: one bounded queue per open stream, whole records only (section 18).

The relay holds sealed records it cannot open. What it may do to a viewer is what any store
may do: stall, or drop. A slow viewer loses whole media records (each fragment starts on a
keyframe, and the reader counts the gap), never part of one, and never an init or the end
record; so memory per viewer stays bounded however slow the client is.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field

RECORD_INIT, RECORD_MEDIA, RECORD_END = 1, 2, 3
# A viewer this far behind is shown the live edge instead: queued fragments are dropped.
VIEWER_QUEUE_RECORDS = 8
VIEWER_QUEUE_BYTES = 32 << 20


@dataclass
class Viewer:
    """One open GET of a live stream: the records it has still to be sent."""

    _items: deque[tuple[bytes, bool]] = field(default_factory=deque)
    _bytes: int = 0
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False
    dropped: int = 0

    def push(self, record_type: int, record: bytes) -> None:
        """Queue one whole record; a media record makes room by dropping older media ones."""
        if self.closed:
            return
        droppable = record_type == RECORD_MEDIA
        if record_type == RECORD_INIT:
            # A new init starts the stream again: what was queued before it is obsolete, so a
            # device sending only inits cannot grow the queue either.
            self.dropped += sum(1 for _record, media in self._items if media)
            self._items.clear()
            self._bytes = 0
        elif droppable and (
            len(self._items) >= VIEWER_QUEUE_RECORDS
            or self._bytes + len(record) > VIEWER_QUEUE_BYTES
        ):
            self._drop_media()
        self._items.append((record, droppable))
        self._bytes += len(record)
        self._wake.set()

    def _drop_media(self) -> None:
        kept = deque(item for item in self._items if not item[1])
        self.dropped += len(self._items) - len(kept)
        self._items = kept
        self._bytes = sum(len(record) for record, _media in kept)

    def close(self) -> None:
        """No more records: the viewer's stream ends once the queue is sent."""
        self.closed = True
        self._wake.set()

    async def next(self) -> bytes | None:
        """The next record to send, or None once closed and drained."""
        while not self._items:
            if self.closed:
                return None
            self._wake.clear()
            await self._wake.wait()
        record, _media = self._items.popleft()
        self._bytes -= len(record)
        return record

    @property
    def queued(self) -> int:
        return len(self._items)
