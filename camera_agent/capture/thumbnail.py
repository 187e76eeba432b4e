"""A JPEG of a clip's first keyframe, made by an ffmpeg that reads and writes pipes only."""

from __future__ import annotations

import asyncio
import contextlib
import logging

_LOGGER = logging.getLogger(__name__)

THUMBNAIL_TIMEOUT_SECONDS = 10.0
THUMBNAIL_WIDTH = 640


async def first_keyframe_jpeg(mp4_head: bytes, *, ffmpeg_path: str = "ffmpeg") -> bytes | None:
    """JPEG of the first video frame of `mp4_head` (init segment + first fragments), or None.

    The plaintext goes to ffmpeg's stdin and the JPEG comes back on its stdout: neither touches
    a disk. A failure costs the clip its thumbnail, never the clip itself.
    """
    process = await asyncio.create_subprocess_exec(
        ffmpeg_path,
        *("-nostdin", "-hide_banner", "-loglevel", "error", "-f", "mp4", "-i", "pipe:0"),
        *("-frames:v", "1", "-vf", f"scale='min({THUMBNAIL_WIDTH},iw)':-2"),
        *("-f", "image2", "-c:v", "mjpeg", "-q:v", "5", "pipe:1"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        jpeg, stderr = await asyncio.wait_for(
            process.communicate(mp4_head), THUMBNAIL_TIMEOUT_SECONDS
        )
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        _LOGGER.warning("thumbnail: ffmpeg timed out")
        return None
    if process.returncode != 0 or not jpeg.startswith(b"\xff\xd8"):
        _LOGGER.warning("thumbnail: ffmpeg failed: %s", stderr.decode(errors="replace")[-300:])
        return None
    return jpeg
