"""Figures 4 and 7 (Chromium): first frame and seek of a 10-minute 1080p clip, enrolment, pairing.

Usage: python -m scripts.benchmarks.browser_flow

A real `hass` on loopback (devstack/hass_process.py), onboarded, the integration added by its
config flow. Then Debian's Chromium, through the real panel (frontend/e2e/scenarios/bench-*.mjs
run by devstack/browser.py): turns E2EE on (the owner's browser), enrols a second browser
profile with the passphrase (timed), and grants a real `camera_agent pair` by its code
(timed). The paired agent's own EncryptingSink and Uploader then put a 10-minute 1080p
4 Mbit/s fragmented MP4 (scripts/benchmarks/long_clip.py, cached) into HA as one real
encrypted clip, exactly as `camera_agent run` would; the owner's browser clicks it in the
clip list (timed to the first frame presented) and seeks to minute 8 (timed to the first
frame at the target), counting the clip bytes it fetched for each.

Every time is measured in the page on its own clock (performance.now; see bench.mjs), from a
trusted click's Event.timeStamp or the line that sets currentTime, to a
requestVideoFrameCallback or the screen appearing: what the user waits for, without the Node
round trips. One run each: on this shared machine a single figure moves with the load.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camera_agent.health import AgentStatus
from devstack.agent_process import AgentProcess
from devstack.browser import BrowserUser, run_scenario
from devstack.ha_api import HaApi
from devstack.hass_process import HassLayout, HassProcess
from devstack.onboarding import Owner, onboard
from scripts.benchmarks.ha_ingest import add_integration, agent_config, in_process_agent
from scripts.benchmarks.long_clip import CODECS, FPS, GOP_FRAMES, SECONDS, long_clip
from scripts.benchmarks.report import Figure, Target, emit, not_measured
from tests.agent.agent_setup import free_port

SEEK_SECONDS = 480.0
WRITE_BYTES = 512 << 10  # one fragment's worth per write, as capture hands them over
SPOOL_MAX_BYTES = 4 << 30
UPLOAD_TIMEOUT_SECONDS = 600.0
FIRST_FRAME_TARGET = Target("<=", 0.5)
SEEK_TARGET = Target("<=", 0.5)
OWNER, SECOND = "owner", "second"


@dataclass
class Browsers:
    """The Chromium profiles (one IndexedDB each) that log in as the owner."""

    hass_url: str
    owner: Owner
    folder: Path

    async def run(self, scenario: str, profile: str, **fields: Any) -> dict[str, Any]:
        user = BrowserUser(
            self.hass_url,
            self.owner.username,
            self.owner.password,
            self.folder / "screens",
            self.folder / "profiles" / profile,
        )
        return await run_scenario(scenario, user, shotPrefix=profile, **fields)


async def pair_timed(browsers: Browsers, config: Path, passphrase: str) -> float:
    """Grant the agent's pairing in the owner's panel (code and passphrase typed); seconds from
    Pair to "paired"."""
    agent = AgentProcess(config)
    try:
        code = await agent.start_pairing()
        result = await browsers.run("bench-pair", OWNER, code=code, passphrase=passphrase)
        await agent.wait_paired()
    finally:
        await agent.stop()
    return float(result["ms"]) / 1000


async def record_clip(agent_dir: Path, hass_url: str, clip: Path) -> None:
    """The clip through the agent's own sink and uploader, until HA has committed it."""
    status = AgentStatus()
    status.set_camera("cam0", "recording")
    spool, sink, uploader, client = in_process_agent(agent_dir, hass_url, SPOOL_MAX_BYTES, status)
    start_ms = int(time.time() * 1000) - SECONDS * 1000
    writer = await sink.start_clip(
        camera_id="cam0", start_ms=start_ms, codecs=CODECS, mime="video/mp4"
    )
    with clip.open("rb") as source:
        while piece := source.read(WRITE_BYTES):
            await writer.write(piece)
    await writer.finish(end_ms=start_ms + SECONDS * 1000, thumbnail_jpeg=None)
    stop = asyncio.Event()
    task = asyncio.create_task(uploader.upload_loop(stop), name="upload")
    deadline = time.monotonic() + UPLOAD_TIMEOUT_SECONDS
    try:
        while spool.clips() and time.monotonic() < deadline and not task.done():
            await asyncio.sleep(0.5)
    finally:
        stop.set()
        await task
        await client.close()
    if status.uploaded_clips < 1:
        raise RuntimeError(f"the clip was not uploaded in {UPLOAD_TIMEOUT_SECONDS:.0f} s")


async def newest_clip_id(api: HaApi) -> str:
    rows = (await api.call_once("e2ee_nvr/clips/list"))["clips"]
    return str(rows[0]["clip_id"])


async def measure(work: Path, clip: Path) -> dict[str, Any]:
    layout = HassLayout(work / "ha-config", work / "media", free_port())
    async with HassProcess(layout) as hass:
        owner = await onboard(hass.url)
        browsers = Browsers(hass.url, owner, work / "browser")
        async with HaApi(hass.url, owner.long_lived_token) as api:
            await add_integration(api, cap_gb=clip.stat().st_size * 2 / 1e9 + 1)
            passphrase = str((await browsers.run("turn-on", OWNER))["passphrase"])
            enrol = await browsers.run(
                "bench-enrol", SECOND, passphrase=passphrase, browserName="Second browser"
            )
            config = agent_config(work / "agent", hass.url, 1)
            pairing_s = await pair_timed(browsers, config, passphrase)
            await record_clip(work / "agent", hass.url, clip)
            clip_id = await newest_clip_id(api)
            play = await browsers.run(
                "bench-play",
                OWNER,
                clipId=clip_id,
                seekSeconds=SEEK_SECONDS,
                gopSeconds=GOP_FRAMES / FPS,
            )
    shown = play["state"]
    if (shown["width"], shown["height"]) != (1920, 1080):
        # A frame of anything else (an error poster, another clip) would time the wrong thing.
        raise RuntimeError(f"the player showed {shown}, not the 1920x1080 clip")
    return {"enrol_s": float(enrol["ms"]) / 1000, "pairing_s": pairing_s, "play": play}


def report(results: dict[str, Any], clip: Path) -> None:
    play = results["play"]
    size = clip.stat().st_size
    clip_note = f"{SECONDS // 60} min 1080p {FPS} fps, {size * 8 / SECONDS / 1e6:.1f} Mbit/s"
    first_bytes, seek_bytes = play["firstBytes"], play["seekBytes"]
    emit(
        Figure(
            "browser.first_frame_s",
            play["firstFrameMs"] / 1000,
            "s",
            FIRST_FRAME_TARGET,
            f"click on the clip to its first presented frame; {clip_note}; "
            f"{first_bytes['bytes'] / 1e6:.2f} MB in {first_bytes['requests']} requests before it",
        )
    )
    emit(
        Figure(
            "browser.seek_minute_8_s",
            play["seekMs"] / 1000,
            "s",
            SEEK_TARGET,
            f"currentTime = {SEEK_SECONDS:.0f} to the first frame at media time "
            f"{play['seekMediaTime']:.1f} s",
        )
    )
    emit(
        Figure(
            "browser.seek_minute_8_fetched_bytes",
            seek_bytes["bytes"],
            "bytes",
            note=f"clip bytes fetched between the seek and its frame, in "
            f"{seek_bytes['requests']} requests; the clip is {size} bytes "
            f"({seek_bytes['bytes'] / size:.4f} of it)",
        )
    )
    emit(
        Figure(
            "browser.enrolment_s",
            results["enrol_s"],
            "s",
            note="a fresh profile: Enrol clicked with the passphrase typed, to the clips tab "
            "(scrypt at the shipped parameters, the account unwrapped, the instance key made "
            "and registered)",
        )
    )
    emit(
        Figure(
            "browser.pairing_s",
            results["pairing_s"],
            "s",
            note="Pair clicked with the agent's code typed, to the panel's paired message",
        )
    )


def main() -> None:
    try:
        clip = long_clip()
        with tempfile.TemporaryDirectory(prefix="bench-browser-") as folder:
            results = asyncio.run(measure(Path(folder), clip))
    except Exception as err:  # every failure becomes a missed figure, with its reason
        reason = f"the browser run failed: {type(err).__name__}: {' '.join(str(err).split())}"
        for name, unit, target in (
            ("browser.first_frame_s", "s", FIRST_FRAME_TARGET),
            ("browser.seek_minute_8_s", "s", SEEK_TARGET),
            ("browser.enrolment_s", "s", None),
            ("browser.pairing_s", "s", None),
        ):
            emit(not_measured(name, unit, target, reason[:600]))
        raise SystemExit(1) from err
    report(results, clip)


if __name__ == "__main__":
    main()
