"""An in-memory ClipSink for capture tests: keeps each clip's plaintext in RAM, never on disk."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

WAIT_LIMIT_SECONDS = 60.0  # a guard against a hung test, not a measurement


@dataclass
class MemoryClip:
    """What capture handed over for one clip."""

    camera_id: str
    start_ms: int
    codecs: str
    mime: str
    data: bytearray = field(default_factory=bytearray)
    end_ms: int | None = None
    thumbnail_jpeg: bytes | None = None
    abort_reason: str | None = None

    @property
    def finished(self) -> bool:
        return self.end_ms is not None


class MemoryClipWriter:
    def __init__(self, clip: MemoryClip, sink: MemorySink) -> None:
        self.clip = clip
        self._sink = sink

    async def write(self, data: bytes) -> None:
        if self.clip.finished or self.clip.abort_reason is not None:
            raise AssertionError("write after finish/abort")
        self.clip.data += data

    async def finish(self, *, end_ms: int, thumbnail_jpeg: bytes | None) -> None:
        self.clip.end_ms = end_ms
        self.clip.thumbnail_jpeg = thumbnail_jpeg
        self._sink.changed.set()

    async def abort(self, reason: str) -> None:
        self.clip.abort_reason = reason
        self._sink.changed.set()


class MemorySink:
    """Collects clips; tests wait for a condition on them with wait_until()."""

    def __init__(self) -> None:
        self.clips: list[MemoryClip] = []
        self.changed = asyncio.Event()

    async def start_clip(
        self, *, camera_id: str, start_ms: int, codecs: str, mime: str
    ) -> MemoryClipWriter:
        clip = MemoryClip(camera_id, start_ms, codecs, mime)
        self.clips.append(clip)
        self.changed.set()
        return MemoryClipWriter(clip, self)

    @property
    def finished(self) -> list[MemoryClip]:
        return [clip for clip in self.clips if clip.finished]

    @property
    def aborted(self) -> list[MemoryClip]:
        return [clip for clip in self.clips if clip.abort_reason is not None]

    async def wait_until(self, predicate: Callable[[MemorySink], bool]) -> None:
        """Block until predicate(self) holds, checked whenever a clip starts, finishes or aborts."""
        while True:
            self.changed.clear()  # cleared before the check: no change can slip in between
            if predicate(self):
                return
            await asyncio.wait_for(self.changed.wait(), WAIT_LIMIT_SECONDS)

    async def wait_until_finished(self, count: int) -> list[MemoryClip]:
        await self.wait_until(lambda sink: len(sink.finished) >= count)
        return self.finished
