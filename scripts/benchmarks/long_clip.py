"""The 10-minute 1080p clip of figure 4, made once with ffmpeg and cached (never committed).

One minute of ffmpeg's test pattern is encoded (libx264, 1920x1080, 15 fps, ~4 Mbit/s, a
keyframe every 2 s, High profile like a camera) and then repeated ten times by stream copy
into one fragmented MP4 with a fragment per keyframe, as the agent's remuxer writes them: the
player can only seek to a fragment, so the GOP sets the seek granularity. Encoding ten
minutes at 1080p would take the shared two cores for several minutes; copying a minute ten
times gives the same bytes per second and the same fragment layout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SECONDS = 600
PIECE_SECONDS = 60
FPS = 15
GOP_FRAMES = 2 * FPS
# What the clip is, for the manifest's codecs field: H.264 High profile, level 4.0.
CODECS = "avc1.640028"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "e2ee-nvr" / "bench"


class ClipFailed(RuntimeError):
    """ffmpeg could not make the clip (its stderr's last lines say why)."""


def _ffmpeg(arguments: list[str]) -> None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise ClipFailed("ffmpeg is not installed (apt-get install ffmpeg)")
    completed = subprocess.run(  # noqa: S603 (fixed tool, our own arguments)
        [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise ClipFailed(f"ffmpeg exited {completed.returncode}: {completed.stderr[-800:]}")


def long_clip(cache: Path = CACHE) -> Path:
    """The cached clip, made first if missing (atomically: a half-written file never counts)."""
    target = cache / f"clip-1080p{FPS}-4M-{SECONDS}s-frag.mp4"
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    piece = cache / f"piece-1080p{FPS}-4M-{PIECE_SECONDS}s-gop2.mp4"
    if not piece.exists():
        partial = piece.with_suffix(".part.mp4")
        _ffmpeg(
            [
                "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate={FPS}",
                "-t", str(PIECE_SECONDS),
                "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
                "-level", "4.0", "-pix_fmt", "yuv420p",
                "-b:v", "4M", "-maxrate", "4M", "-bufsize", "8M",
                "-g", str(GOP_FRAMES), "-keyint_min", str(GOP_FRAMES), "-sc_threshold", "0",
                str(partial),
            ]
        )  # fmt: skip
        partial.rename(piece)
    partial = target.with_suffix(".part.mp4")
    _ffmpeg(
        [
            "-stream_loop", str(SECONDS // PIECE_SECONDS - 1), "-i", str(piece),
            "-c", "copy", "-t", str(SECONDS),
            "-movflags", "+frag_keyframe+empty_moov+default_base_moof",
            str(partial),
        ]
    )  # fmt: skip
    partial.rename(target)
    return target


if __name__ == "__main__":
    print(long_clip())
