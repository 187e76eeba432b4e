"""Settings of one camera's capture: where the stream is, how clips are cut, how hard to retry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CaptureMode = Literal["continuous", "event"]
G711Policy = Literal["transcode", "drop"]


@dataclass(frozen=True)
class CaptureSettings:
    """Everything capture needs for one camera; the agent's YAML configuration maps onto this.

    Times are seconds of stream time (the camera's clock as carried in the stream), except the
    retry and shutdown limits, which are seconds of the agent's clock.
    """

    camera_id: str
    rtsp_url: str
    mode: CaptureMode = "continuous"
    # continuous mode: a clip ends at the first keyframe at or after this much stream time.
    clip_seconds: float = 60.0
    # event mode: GOPs kept in memory before a trigger, recording after it ends, and a cap.
    preroll_seconds: float = 5.0
    postroll_seconds: float = 10.0
    max_clip_seconds: float = 300.0
    # MP4 does not carry G.711 cleanly: transcode it to AAC (costs CPU) or drop the audio.
    g711: G711Policy = "transcode"
    thumbnails: bool = True
    # No byte from ffmpeg for this long means a stalled stream. ffmpeg writes a fragment only
    # once its GOP is complete, so this must exceed the camera's keyframe interval.
    stall_seconds: float = 20.0
    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 30.0
    # After SIGINT, how long ffmpeg may take to flush and exit before it is killed.
    shutdown_seconds: float = 5.0
    ffmpeg_path: str = "ffmpeg"
    ffprobe_path: str = "ffprobe"

    def __post_init__(self) -> None:
        for name in ("clip_seconds", "max_clip_seconds", "stall_seconds", "shutdown_seconds"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.preroll_seconds < 0 or self.postroll_seconds < 0:
            raise ValueError("preroll_seconds and postroll_seconds must not be negative")
        if not 0 < self.backoff_initial_seconds <= self.backoff_max_seconds:
            raise ValueError("need 0 < backoff_initial_seconds <= backoff_max_seconds")
