"""The ffmpeg process of one camera: command line, audio decision, stall-aware reads, shutdown.

ffmpeg copies the camera's streams (`-c copy`: ~1.5 % of a core for 1080p, against most of a core
to transcode) into fragmented MP4 on its stdout. Nothing is written to disk.

The camera URL, which carries its password, never appears on a command line: any local user
reads /proc/<pid>/cmdline. ffmpeg 5.1's RTSP client takes credentials only from the URL's
userinfo (no separate user/password option exists for RTSP), so the URL is handed over in an
ffconcat script on ffmpeg's stdin instead (`-f concat -i pipe:0`), with the RTSP options as the
script's `option` lines. The concat demuxer opens that one URL as its only file and ends at
its end, so stream loss still shows as EOF. See docs/capture.md.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import signal
from dataclasses import dataclass
from typing import Literal

import ffmpeg as ffmpeg_python

from ..redact import redact_text
from .settings import CaptureSettings, G711Policy

_LOGGER = logging.getLogger(__name__)

AudioPlan = Literal["copy", "aac", "none"]
FRAGMENTED_MP4_FLAGS = "frag_keyframe+empty_moov+default_base_moof"
# Audio codecs the MP4 muxer stores as they are; anything else (G.711 above all, also G.726,
# ADPCM, raw PCM) follows the camera's G.711 policy.
MP4_AUDIO_CODECS = frozenset({"aac", "mp3", "opus", "alac", "ac3", "eac3", "flac"})
# ffprobe's names of H.265. Copied into MP4, it is tagged `hvc1` (parameter sets in the hvcC box
# of the init segment) rather than ffmpeg's default `hev1` (parameter sets in band): Safari, the
# browser that plays HEVC most widely, refuses `hev1` through MediaSource even where it decodes
# HEVC, and Chrome and Edge with hardware HEVC decoding accept both.
HEVC_CODECS = frozenset({"hevc", "h265"})
PROBE_TIMEOUT_SECONDS = 15.0
READ_CHUNK_BYTES = 64 * 1024
STDERR_LINES_KEPT = 20
# What the concat demuxer may open: its script from the pipe, then RTSP(S) and its transports.
PROTOCOL_WHITELIST = "pipe,rtsp,rtsps,tcp,udp,rtp,tls"
# Input options that are the same for ffmpeg and ffprobe; the URL goes in the script on stdin.
CONCAT_INPUT_ARGS = ("-f", "concat", "-safe", "0", "-protocol_whitelist", PROTOCOL_WHITELIST)

# The concat demuxer analyses the camera's stream itself before ffmpeg's own analysis, which
# left to its default (5 s) delays the first fragment by seconds; a camera describes its codecs
# in the SDP and starts on a keyframe, so half a second of analysis is enough.
FAST_START = {"analyzeduration": "500000"}


class UnsafeCameraUrl(ValueError):
    """A camera URL with a line break or NUL: it cannot be quoted into an ffconcat script."""


def _ffconcat_quote(text: str) -> str:
    """Single-quote for ffconcat (av_get_token); a quote inside is close, escaped quote, open."""
    if any(char in text for char in "\r\n\0"):
        raise UnsafeCameraUrl("the camera URL contains a line break or NUL")
    return "'" + text.replace("'", "'\\''") + "'"


def concat_script(rtsp_url: str, options: dict[str, str]) -> bytes:
    """The ffconcat script that makes ffmpeg open `rtsp_url` with `options` (RTSP over TCP)."""
    lines = ["ffconcat version 1.0", f"file {_ffconcat_quote(rtsp_url)}"]
    lines += [f"option {key} {_ffconcat_quote(value)}" for key, value in options.items()]
    return ("\n".join(lines) + "\n").encode("utf-8")


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


@dataclass(frozen=True)
class StreamCodecs:
    """ffprobe's names of the camera's first video and audio codecs (None: no such stream)."""

    video: str | None
    audio: str | None


def build_command(
    settings: CaptureSettings, plan: AudioPlan, video_codec: str | None = None
) -> list[str]:
    """ffmpeg reading RTSP over TCP, writing fragmented MP4 (one fragment per GOP) to stdout."""
    source = ffmpeg_python.input(
        "pipe:0", f="concat", safe="0", protocol_whitelist=PROTOCOL_WHITELIST
    )
    streams = [source["v:0"]] if plan == "none" else [source["v:0"], source["a:0?"]]
    audio: dict[str, str] = {"an": ""} if plan == "none" else {"c:a": plan}
    if plan == "aac":
        audio["b:a"] = "64k"
    video: dict[str, str] = {"c:v": "copy"}
    if video_codec in HEVC_CODECS:
        video["tag:v"] = "hvc1"
    output = ffmpeg_python.output(
        *streams,
        "pipe:1",
        format="mp4",
        movflags=FRAGMENTED_MP4_FLAGS,
        **video,
        **{key: (None if value == "" else value) for key, value in audio.items()},
    ).global_args("-nostdin", "-hide_banner", "-loglevel", "warning")
    command: list[str] = output.compile(cmd=settings.ffmpeg_path)
    return command


async def probe_codecs(settings: CaptureSettings) -> StreamCodecs:
    """The camera's first video and audio codecs by ffprobe name (e.g. "hevc", "pcm_alaw").

    Reads only the stream description (no analysis of packets), so it costs one short RTSP
    session; the MP4 codec strings come later from ffmpeg's own init segment.
    """
    streams = await probe_streams(settings)
    video = [name for kind, name in streams if kind == "video"]
    audio = [name for kind, name in streams if kind == "audio"]
    return StreamCodecs(video[0] if video else None, audio[0] if audio else None)


async def probe_streams(settings: CaptureSettings) -> list[tuple[str, str]]:
    """(codec_type, codec_name) of each stream the camera describes (RTSP DESCRIBE + SETUP).

    ProbeFailed, with ffprobe's error text redacted, when the camera refuses or is away.
    """
    script = concat_script(
        settings.rtsp_url, {"rtsp_transport": "tcp", "analyzeduration": "0", "probesize": "32"}
    )
    process = await asyncio.create_subprocess_exec(
        settings.ffprobe_path,
        # Probe limits twice: for the camera's stream (script options) and for the concat layer.
        *("-v", "error", "-analyzeduration", "0", "-probesize", "32", *CONCAT_INPUT_ARGS),
        *("-show_entries", "stream=codec_type,codec_name", "-of", "json", "-i", "pipe:0"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(script), PROBE_TIMEOUT_SECONDS)
    except BaseException as error:  # a timeout, or the agent stopping: never leave it behind
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        if isinstance(error, TimeoutError):
            raise ProbeFailed("ffprobe timed out") from None
        raise
    if process.returncode != 0:
        # ffprobe names the URL it failed on, password included: redact before anyone sees it.
        text = redact_text(stderr.decode(errors="replace").strip())
        raise ProbeFailed(text[-500:] or "ffprobe failed")
    try:
        document = json.loads(stdout or b"{}")
    except ValueError:
        raise ProbeFailed("ffprobe printed no JSON") from None
    found = document.get("streams", []) if isinstance(document, dict) else []
    return [
        (str(s.get("codec_type")), str(s.get("codec_name")))
        for s in found
        if isinstance(s, dict) and s.get("codec_type") and s.get("codec_name")
    ]


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
    async def start(
        cls, settings: CaptureSettings, plan: AudioPlan, video_codec: str | None = None
    ) -> FfmpegProcess:
        command = build_command(settings, plan, video_codec)
        # Not the command line itself: the RTSP URL may carry the camera's password.
        _LOGGER.debug("camera %s: starting ffmpeg, audio %s", settings.camera_id, plan)
        script = concat_script(settings.rtsp_url, {"rtsp_transport": "tcp", **FAST_START})
        process = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdin = process.stdin
        if stdin is not None:  # always, with PIPE; the script is a few hundred bytes
            try:
                stdin.write(script)
                await stdin.drain()
            except (BrokenPipeError, ConnectionResetError):
                pass  # ffmpeg died at once: its exit shows as EOF on stdout
            finally:
                stdin.close()
        return cls(settings, process)

    async def _read_stderr(self) -> None:
        async for raw in _pipe(self._process.stderr):
            line = redact_text(raw.decode(errors="replace").rstrip())
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
