"""Where cut clips go: the interface between capture (plaintext MP4) and the encrypting sink."""

from __future__ import annotations

from typing import Protocol


class ClipWriter(Protocol):
    """One clip being written. Capture calls write() in order, then exactly one of finish/abort."""

    async def write(self, data: bytes) -> None:
        """Plaintext MP4 bytes, in order; the first call carries the init segment (ftyp+moov)."""
        ...

    async def finish(self, *, end_ms: int, thumbnail_jpeg: bytes | None) -> None:
        """The clip is complete: a playable MP4 of whole fragments ending at wall time end_ms."""
        ...

    async def abort(self, reason: str) -> None:
        """The stream died mid-clip: the sink discards the clip or seals it short, as it decides."""
        ...


class ClipSink(Protocol):
    """Opens clips; the encrypting sink turns each into ciphertext as the bytes arrive."""

    async def start_clip(
        self, *, camera_id: str, start_ms: int, codecs: str, mime: str
    ) -> ClipWriter:
        """A new clip starting at wall time start_ms (Unix milliseconds), codecs per RFC 6381."""
        ...
