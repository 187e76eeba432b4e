"""ffprobe's reading of an MP4 held in memory: the tests' check that a clip plays on its own."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from typing import Any

GUARD_SECONDS = 60.0  # a hung ffprobe fails the test here; never a measurement


@dataclass(frozen=True)
class Probe:
    """Codec per stream type, the video's packets and extent, the container's duration."""

    codecs: dict[str, str]
    video_packets: int
    video_seconds: float
    format_seconds: float
    starts_with_keyframe: bool


def ffprobe(mp4: bytes) -> Probe:
    """ffprobe on plaintext fed through stdin (pipe:0): the plaintext never touches a disk.
    Any complaint on stderr fails, not only a refusal."""
    completed = subprocess.run(  # noqa: S603
        [
            *("ffprobe", "-v", "error", "-f", "mp4", "-i", "pipe:0", "-of", "json"),
            *("-show_streams", "-show_format"),
            *("-show_entries", "packet=stream_index,pts_time,duration_time,flags"),
        ],
        input=mp4,
        capture_output=True,
        check=False,
        timeout=GUARD_SECONDS,
    )
    if completed.returncode != 0 or completed.stderr.strip():
        raise AssertionError(f"ffprobe rejected the clip: {completed.stderr.decode('replace')}")
    report: dict[str, Any] = json.loads(completed.stdout)
    streams = {s["index"]: s for s in report["streams"]}
    video = [p for p in report["packets"] if streams[p["stream_index"]]["codec_type"] == "video"]
    times = [float(p["pts_time"]) for p in video]
    last = float(video[-1].get("duration_time", 0)) if video else 0.0
    return Probe(
        codecs={s["codec_type"]: s["codec_name"] for s in streams.values()},
        video_packets=len(video),
        video_seconds=(max(times) - min(times) + last) if times else 0.0,
        format_seconds=float(report["format"].get("duration", "nan")),
        starts_with_keyframe=bool(video) and video[0]["flags"].startswith("K"),
    )
