"""The ffmpeg process of one camera: command line, audio decision, stall-aware reads, shutdown.

ffmpeg copies the camera's streams (`-c copy`: ~1.5 % of a core for 1080p, against most of a core
to transcode) into fragmented MP4 on its stdout. Nothing is written to disk.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import signal
from typing import Literal

import ffmpeg as ffmpeg_python

from .settings import CaptureSettings, G711Policy

_LOGGER = logging.getLogger(__name__)

AudioPlan = Literal["copy", "aac", "none"]
FRAGMENTED_MP4_FLAGS = "frag_keyframe+empty_moov+default_base_moof"
# Audio codecs the MP4 muxer stores as they are; anything else (G.711 above all, also G.726,
# ADPCM, raw PCM) follows the camera's G.711 policy.
MP4_AUDIO_CODECS = frozenset({"aac", "mp3", "opus", "alac", "ac3", "eac3", "flac"})
PROBE_TIMEOUT_SECONDS = 15.0
READ_CHUNK_BYTES = 64 * 1024
STDERR_LINES_KEPT = 20


class StreamStalled(Exception):
    """ffmpeg wrote nothing for stall_seconds: the camera stopped sending without hanging up."""


class ProbeFailed(Exception):
    """ffprobe could not open the stream (camera away, wrong URL or credentials)."""


def audio_plan(audio_codec: str | None, g711: G711Policy) -> AudioPlan:
    """Copy what MP4 carries; G.711 and the like become AAC or are dropped, per the policy."""
    if audio_codec is None:
        return "none"
    if audio_codec in MP4_AUDIO_CODECS:
        return "copy"
    return "aac" if g711 == "transcode" else "none"


def build_command(settings: CaptureSettings, plan: AudioPlan) -> list[str]:
    """ffmpeg reading RTSP over TCP, writing fragmented MP4 (one fragment per GOP) to stdout."""
    source = ffmpeg_python.input(settings.rtsp_url, rtsp_transport="tcp")
    streams = [source["v:0"]] if plan == "none" else [source["v:0"], source["a:0?"]]
    audio: dict[str, str] = {"an": ""} if plan == "none" else {"c:a": plan}
    if plan == "aac":
        audio["b:a"] = "64k"
    output = ffmpeg_python.output(
        *streams,
        "pipe:1",
        format="mp4",
        movflags=FRAGMENTED_MP4_FLAGS,
        **{"c:v": "copy"},
        **{key: (None if value == "" else value) for key, value in audio.items()},
    ).global_args("-nostdin", "-hide_banner", "-loglevel", "warning")
    command: list[str] = output.compile(cmd=settings.ffmpeg_path)
    return command


async def probe_audio_codec(settings: CaptureSettings) -> str | None:
    """The camera's first audio codec by ffprobe name (e.g. "pcm_alaw"), or None without audio.

    Reads only the stream description (no analysis of packets), so it costs one short RTSP
    session; the MP4 codec strings come later from ffmpeg's own init segment.
    """
    process = await asyncio.create_subprocess_exec(
        settings.ffprobe_path,
        *("-v", "error", "-rtsp_transport", "tcp", "-analyzeduration", "0", "-probesize", "32"),
        *("-show_entries", "stream=codec_type,codec_name", "-of", "json", settings.rtsp_url),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), PROBE_TIMEOUT_SECONDS)
    except BaseException as error:  # a timeout, or the agent stopping: never leave it behind
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        if isinstance(error, TimeoutError):
            raise ProbeFailed("ffprobe timed out") from None
        raise
    if process.returncode != 0:
        raise ProbeFailed(stderr.decode(errors="replace").strip()[-500:] or "ffprobe failed")
    streams = json.loads(stdout or b"{}").get("streams", [])
    audio = [s.get("codec_name") for s in streams if s.get("codec_type") == "audio"]
    return str(audio[0]) if audio and audio[0] else None


def _pipe(stream: asyncio.StreamReader | None) -> asyncio.StreamReader:
    if stream is None:  # every pipe is created with PIPE, so this is a programming error
        raise RuntimeError("ffmpeg pipe missing")
    return stream


class FfmpegProcess:
    """One running ffmpeg. read_exactly() feeds the MP4 reader; stop() ends it without hanging."""

    def __init__(self, settings: CaptureSettings, process: asyncio.subprocess.Process) -> None:
        self._settings = settings
        self._process = process
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_LINES_KEPT)
        self._stderr_task = asyncio.create_task(self._read_stderr(), name="ffmpeg-stderr")
        self._killer: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, settings: CaptureSettings, plan: AudioPlan) -> FfmpegProcess:
        command = build_command(settings, plan)
        # Not the command line itself: the RTSP URL may carry the camera's password.
        _LOGGER.debug("camera %s: starting ffmpeg, audio %s", settings.camera_id, plan)
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(settings, process)

    async def _read_stderr(self) -> None:
        async for raw in _pipe(self._process.stderr):
            line = raw.decode(errors="replace").rstrip()
            self.stderr_tail.append(line)
            _LOGGER.debug("camera %s: ffmpeg: %s", self._settings.camera_id, line)

    async def read_exactly(self, size: int) -> bytes:
        """`size` bytes of stdout; IncompleteReadError at EOF, StreamStalled after a silence."""
        stdout = _pipe(self._process.stdout)
        buffer = bytearray()
        while len(buffer) < size:
            try:
                chunk = await asyncio.wait_for(
                    stdout.read(min(size - len(buffer), READ_CHUNK_BYTES)),
                    self._settings.stall_seconds,
                )
            except TimeoutError:
                raise StreamStalled(f"no data for {self._settings.stall_seconds} s") from None
            if not chunk:
                raise asyncio.IncompleteReadError(bytes(buffer), size)
            buffer += chunk
        return bytes(buffer)

    def request_stop(self) -> None:
        """SIGINT: ffmpeg writes its last fragment and exits. Killed if it takes too long.

        The caller keeps reading stdout meanwhile: ffmpeg blocks on a full pipe otherwise.
        """
        if self._process.returncode is None and self._killer is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.send_signal(signal.SIGINT)
            self._killer = asyncio.create_task(self._kill_after(), name="ffmpeg-killer")

    async def _kill_after(self) -> None:
        await asyncio.sleep(self._settings.shutdown_seconds)
        if self._process.returncode is None:
            _LOGGER.warning("camera %s: ffmpeg ignored SIGINT; killing", self._settings.camera_id)
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()

    async def close(self) -> int:
        """Stop ffmpeg if it still runs, discard what it still writes, and reap it."""
        self.request_stop()
        stdout = _pipe(self._process.stdout)
        while await stdout.read(READ_CHUNK_BYTES):
            pass  # the killer task bounds this loop: a killed process closes its stdout
        returncode = await self._process.wait()
        await self._stderr_task
        if self._killer is not None:
            self._killer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._killer
        return returncode
