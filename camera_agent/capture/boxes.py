"""ISO-BMFF (MP4) boxes: walking the children of a box held in memory, and full-box headers."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass


class BoxError(ValueError):
    """The bytes are not the ISO-BMFF ffmpeg was asked to write (truncated, oversized, absent)."""


@dataclass(frozen=True)
class Box:
    """One box: its four-character type and its payload (the bytes after the header)."""

    type: bytes
    payload: memoryview


def header_size(size32: int) -> int:
    """8 for a plain header; 16 when size32 == 1 announces a 64-bit size (largesize)."""
    return 16 if size32 == 1 else 8


def iter_boxes(data: memoryview | bytes) -> Iterator[Box]:
    """The boxes laid end to end in `data` (a file level or a container's payload)."""
    view = memoryview(data)
    offset = 0
    while offset < len(view):
        if len(view) - offset < 8:
            raise BoxError("box header cut short")
        size, box_type = struct.unpack_from(">I4s", view, offset)
        head = 8
        if size == 1:
            if len(view) - offset < 16:
                raise BoxError("largesize header cut short")
            (size,) = struct.unpack_from(">Q", view, offset + 8)
            head = 16
        elif size == 0:  # "to the end of the enclosing container"
            size = len(view) - offset
        if size < head or offset + size > len(view):
            raise BoxError(f"box {box_type!r} of size {size} does not fit its container")
        yield Box(box_type, view[offset + head : offset + size])
        offset += size


def child(data: memoryview | bytes, box_type: bytes) -> Box | None:
    """The first child of the given type, or None."""
    for box in iter_boxes(data):
        if box.type == box_type:
            return box
    return None


def children(data: memoryview | bytes, box_type: bytes) -> list[Box]:
    return [box for box in iter_boxes(data) if box.type == box_type]


def path(data: memoryview | bytes, *types: bytes) -> Box:
    """The box reached by following `types` down from `data`; BoxError if any step is missing."""
    box = Box(b"", memoryview(data))
    for box_type in types:
        found = child(box.payload, box_type)
        if found is None:
            raise BoxError(f"missing box {box_type!r}")
        box = found
    return box


def full_box(payload: memoryview) -> tuple[int, int, memoryview]:
    """(version, flags, body) of a full box (ISO/IEC 14496-12 section 4.2)."""
    if len(payload) < 4:
        raise BoxError("full box header cut short")
    version = payload[0]
    flags = int.from_bytes(payload[1:4], "big")
    return version, flags, payload[4:]
