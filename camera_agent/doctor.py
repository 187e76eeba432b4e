"""`doctor`: check what the agent depends on and say plainly what is wrong and what to do."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from .config import AgentConfig, CameraConfig
from .onvif_source import OnvifFailure, OnvifSource

CONNECT_TIMEOUT_SECONDS = 5.0
RTSP_DEFAULT_PORT = 554


@dataclass(frozen=True)
class Finding:
    ok: bool
    subject: str
    detail: str

    def line(self) -> str:
        return f"[{'ok' if self.ok else 'FAIL'}] {self.subject}: {self.detail}"


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


async def check_tcp(host: str, port: int) -> str | None:
    """None when a TCP connection opens, else why not."""
    try:
        _reader, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), CONNECT_TIMEOUT_SECONDS
        )
    except (OSError, TimeoutError) as err:
        return f"{type(err).__name__}: {err}"
    writer.close()
    await writer.wait_closed()
    return None


async def check_camera(camera: CameraConfig) -> list[Finding]:
    subject = f"camera {camera.camera_id}"
    what = "dropped (MP4 does not carry it cleanly)" if camera.g711 == "drop" else "turned into AAC"
    notes = [Finding(True, subject, f"G.711 audio, if the camera sends it, is {what}")]
    if camera.onvif is not None:
        source = OnvifSource(camera.onvif)
        try:
            found = await source.discover()
        except OnvifFailure as err:
            return [Finding(False, subject, f"ONVIF: {err}"), *notes]
        finally:
            await source.close()
        findings = [Finding(True, subject, f"ONVIF {found.manufacturer} {found.model}")]
        if (found.video_encoding or "").upper() in ("H265", "HEVC"):
            findings.append(
                Finding(
                    True,
                    subject,
                    "H.265 video: stored as it comes, but many browsers "
                    "cannot play it (Chromium on Linux cannot); prefer H.264 on the camera",
                )
            )
        if not found.pull_point_events:
            findings.append(
                Finding(False, subject, "no ONVIF pull-point events: event mode will never trigger")
            )
        return findings + notes
    assert camera.rtsp_url is not None  # noqa: S101 (config guarantees a source)
    url = urlsplit(camera.rtsp_url)
    problem = await check_tcp(url.hostname or "", url.port or RTSP_DEFAULT_PORT)
    reach = Finding(problem is None, subject, problem or f"RTSP port reachable at {url.hostname}")
    return [reach, *notes]


async def check_home_assistant(ha_url: str) -> Finding:
    """Any HTTP answer from /api/ (401 included) shows Home Assistant is there."""
    try:
        async with (
            aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=CONNECT_TIMEOUT_SECONDS * 2)
            ) as session,
            session.get(ha_url + "/api/") as response,
        ):
            return Finding(True, "Home Assistant", f"{ha_url} answers (HTTP {response.status})")
    except (aiohttp.ClientError, TimeoutError) as err:
        return Finding(False, "Home Assistant", f"{ha_url} unreachable: {err!r}")


async def run_doctor(config: AgentConfig) -> list[Finding]:
    findings = [await check_ffmpeg(), await check_home_assistant(config.ha_url)]
    for camera in config.cameras:
        findings.extend(await check_camera(camera))
    return findings
