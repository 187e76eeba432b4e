"""Fuzz targets for the agent's fMP4 reader: bytes a camera (through ffmpeg) sends the agent.

Each target is a plain `fuzz_<name>(data: bytes) -> None` that may raise only the errors
listed in its docstring; anything else is a finding. ./scripts/fuzz (atheris or Hypothesis)
and tests/agent/test_fuzz_fmp4.py call them. Files here are not collected by pytest (no test_
prefix) and need no __init__.py (pytest runs with --import-mode=importlib).
"""

from __future__ import annotations

import asyncio
import subprocess
from functools import cache

from camera_agent.capture.boxes import BoxError
from camera_agent.capture.fmp4 import FragmentReader, clip_time_offsets, rebase_fragment

from .run_sync import run_sync

# A bound on fragments per input, so one input cannot run for long; real seeds have ~5.
MAX_FRAGMENTS = 64
DOCUMENTED_ERRORS = (BoxError,)


def _memory_reader(data: bytes) -> FragmentReader:
    view = memoryview(data)
    position = 0

    async def read_exactly(size: int) -> bytes:
        nonlocal position
        piece = bytes(view[position : position + size])
        position += len(piece)
        if len(piece) < size:
            raise asyncio.IncompleteReadError(piece, size)
        return piece

    return FragmentReader(read_exactly)


def fuzz_fmp4_stream(data: bytes) -> None:
    """The whole capture-side parse of a stream: init segment, fragments, codec string, clip
    time offsets and the tfdt rebase. Raises only BoxError."""
    reader = _memory_reader(data)
    init = run_sync(reader.read_init(), "an in-memory source")
    _ = init.codecs, init.mime, init.timing_track
    offsets: dict[int, int] | None = None
    for _index in range(MAX_FRAGMENTS):
        fragment = run_sync(reader.next_fragment(), "an in-memory source")
        if fragment is None:
            return
        if offsets is None:
            offsets = clip_time_offsets(init, fragment)
        rebase_fragment(fragment, offsets)


@cache
def seed_stream() -> bytes:
    """A real fragmented MP4 from ffmpeg (H.264 + AAC, 3 one-second GOPs), as capture sees it."""
    command = [
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",
        "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5:duration=3",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
        "-c:v", "libx264", "-g", "5", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "16k",
        "-f", "mp4", "-movflags", "frag_keyframe+empty_moov+default_base_moof", "pipe:1",
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, check=True, timeout=60).stdout  # noqa: S603
