"""`doctor`: check what the agent depends on and say plainly what is wrong and what to do."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass

from e2ee_nvr_protocol.errors import ProtocolError

from .capture.ffmpeg import ProbeFailed, audio_plan, probe_streams
from .capture.settings import CaptureSettings
from .config import AgentConfig, CameraConfig
from .ha_client import HaClient, HaRefused, HaUnavailable, Unauthorized
from .onvif_source import OnvifFailure, OnvifSource
from .redact import redact_url
from .state import AgentState


@dataclass(frozen=True)
class Finding:
    ok: bool
    subject: str
    detail: str
    # Works, but the user should know (e.g. H.265): printed as WARN, not a failure.
    warning: bool = False

    def line(self) -> str:
        label = "FAIL" if not self.ok else "WARN" if self.warning else "ok"
        return f"[{label}] {self.subject}: {self.detail}"


async def check_ffmpeg() -> Finding:
    path = shutil.which("ffmpeg")
    if path is None:
        return Finding(False, "ffmpeg", "not found on PATH (Debian: apt-get install ffmpeg)")
    process = await asyncio.create_subprocess_exec(
        path, "-hide_banner", "-version", stdout=asyncio.subprocess.PIPE
    )
    output, _ = await process.communicate()
    first_line = output.decode("utf-8", "replace").splitlines()[:1]
    return Finding(process.returncode == 0, "ffmpeg", first_line[0] if first_line else path)


# ffprobe codec names of G.711: MP4 does not carry it, so the g711 policy applies.
G711_CODECS = frozenset({"pcm_alaw", "pcm_mulaw"})
BROWSER_UNFRIENDLY_VIDEO = frozenset({"hevc", "h265"})


async def check_stream(subject: str, rtsp_url: str, g711: str) -> list[Finding]:
    """RTSP DESCRIBE and SETUP with the camera's credentials (through ffprobe, as capture
    does), then what will be recorded: the video codec and the audio, if any."""
    try:
        streams = await probe_streams(CaptureSettings(camera_id=subject, rtsp_url=rtsp_url))
    except ProbeFailed as err:  # 401, 404, refused, timeout: the text says which (redacted)
        return [Finding(False, subject, f"RTSP stream {redact_url(rtsp_url)}: {err}")]
    video = [name for kind, name in streams if kind == "video"]
    audio = [name for kind, name in streams if kind == "audio"]
    if not video:
        return [Finding(False, subject, "the stream has no video")]
    findings = [Finding(True, subject, f"RTSP stream answers: video {video[0]}")]
    if video[0] in BROWSER_UNFRIENDLY_VIDEO:
        findings.append(
            Finding(
                True,
                subject,
                "H.265 video: stored as it comes (tagged hvc1); Safari on macOS and iOS "
                "plays it, Chrome and Edge only with hardware HEVC decoding, Firefox and "
                "Chromium on Linux not; prefer H.264 on the camera",
                warning=True,
            )
        )
    if not audio:
        findings.append(Finding(True, subject, "no audio: clips are silent"))
    elif audio[0] in G711_CODECS:
        what = "dropped (MP4 does not carry it cleanly)" if g711 == "drop" else "turned into AAC"
        findings.append(Finding(True, subject, f"G.711 audio ({audio[0]}) is {what}"))
    else:
        plan = audio_plan(audio[0], "drop" if g711 == "drop" else "transcode")
        findings.append(Finding(True, subject, f"audio {audio[0]}: {plan}"))
    return findings


async def check_camera(camera: CameraConfig) -> list[Finding]:
    subject = f"camera {camera.camera_id}"
    if camera.onvif is None:
        assert camera.rtsp_url is not None  # noqa: S101 (config guarantees a source)
        return await check_stream(subject, camera.rtsp_url, camera.g711)
    source = OnvifSource(camera.onvif)
    try:
        found = await source.discover()
    except OnvifFailure as err:
        return [Finding(False, subject, f"ONVIF: {err}")]
    finally:
        await source.close()
    findings = [Finding(True, subject, f"ONVIF {found.manufacturer} {found.model}")]
    if not found.pull_point_events:
        findings.append(
            Finding(False, subject, "no ONVIF pull-point events: event mode will never trigger")
        )
    return findings + await check_stream(subject, found.stream_uri, camera.g711)


async def check_home_assistant(config: AgentConfig) -> Finding:
    """GET the agent API's trust endpoint with this agent's own token.

    Never an unauthenticated request to /api/: Home Assistant counts that as a failed login
    (a notification, and a step toward an IP ban). The agent API authenticates agents itself,
    so even a refused agent token is not a failed login to Home Assistant.
    """
    subject = "Home Assistant"
    try:
        token = AgentState(config.state_dir).load_token()
    except OSError as err:
        return Finding(False, subject, f"cannot read the agent token: {err}")
    client = HaClient(config.ha_url, token)
    try:
        await client.fetch_trust()
    except Unauthorized:
        if token is None:
            return Finding(False, subject, f"{config.ha_url} answers; this agent is not paired")
        return Finding(False, subject, f"{config.ha_url} refuses this agent's token: pair again")
    except HaUnavailable as err:
        return Finding(False, subject, f"{config.ha_url} unreachable: {err}")
    except HaRefused as err:
        return Finding(False, subject, f"{config.ha_url} accepts the token but: {err}")
    except ProtocolError as err:
        return Finding(False, subject, f"{config.ha_url} sent a malformed recipient set: {err}")
    finally:
        await client.close()
    return Finding(True, subject, f"{config.ha_url} accepts this agent's token")


async def run_doctor(config: AgentConfig) -> list[Finding]:
    findings = [await check_ffmpeg(), await check_home_assistant(config)]
    for camera in config.cameras:
        findings.extend(await check_camera(camera))
    return findings
