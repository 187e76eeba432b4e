"""Issue 13's browser check: live view, end to end encrypted, through a real hass and agent.

Debian's Chromium turns E2EE on and pairs the real agent (simulated RTSP/ONVIF camera), then
watches the camera live in the dashboard card and, at the same time, in the panel's Live tab:
in both the <video>'s currentTime grows and a frame drawn to a canvas changes over time. The
two viewers share one live session of the agent: both pages name the same session id, and the
agent's health file shows one session for the camera with two viewers while they watch.

Before that, a second browser is enrolled and revoked by the owner while its panel is open; it
then presses Live. The device refuses its request by name (NotEnrolled), the live view says the
browser was revoked and decodes nothing, the agent starts no live session for it, and a reload
shows the enrol screen's revoked notice. The owner's browser still gets live frames afterwards.
Screens are PNGs in test-artifacts/e2e/live-view/.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest

from devstack.browser_driver import BrowserDriver
from devstack.stack import Stack
from tests.e2e.ui_checks import stack_with_browser

pytestmark = pytest.mark.slow
# Both viewers stay open this long after they are live, for the health file to show them.
HOLD_MS = 12_000
HEALTH_POLL_SECONDS = 0.5
REVOKED_PROFILE = "revoked"
REVOKED_NAME = "Lost phone"
# The revoked browser's scenario writes its ready file within this (enrolment is done already).
READY_TIMEOUT_SECONDS = 120.0


def read_live_health(stack: Stack) -> dict[str, Any]:
    """The agent's live sessions by camera, from its health file (no key material in it)."""
    path = stack.agent.config_path.parent / "state" / "health.json"
    try:
        live: dict[str, Any] = json.loads(path.read_text("utf-8")).get("live", {})
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return live


async def watch_health(stack: Stack, seen: list[dict[str, Any]], done: asyncio.Event) -> None:
    """Every live entry of the health file while the scenario runs."""
    while not done.is_set():
        live = read_live_health(stack)
        if live:
            seen.append({"at": time.monotonic(), "live": live})
        await asyncio.sleep(HEALTH_POLL_SECONDS)


async def revoked_presses_live(
    stack: Stack, driver: BrowserDriver, folder: Path
) -> tuple[dict[str, Any], list[dict[str, Any]], str]:
    """The revoked browser's result, the health file's live entries meanwhile, and what the
    agent logged from the revoke on."""
    ready, go = folder / "revoked-ready", folder / "revoked-go"
    seen: list[dict[str, Any]] = []
    done = asyncio.Event()
    watcher = asyncio.create_task(watch_health(stack, seen, done))
    pressing = asyncio.create_task(
        driver.scenario(
            stack, "live-revoked", REVOKED_PROFILE, readyFile=str(ready), goFile=str(go)
        )
    )
    try:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not ready.exists():
            if pressing.done():
                # The scenario failed before it was ready: its error, not a timeout.
                await pressing
            assert time.monotonic() < deadline, "the revoked browser's panel never got ready"
            await asyncio.sleep(HEALTH_POLL_SECONDS)
        log_from = len(stack.agent.log_path("run").read_bytes())
        await driver.revoke(stack, REVOKED_NAME)
        go.write_text("revoked\n", "utf-8")
        result = await pressing
    finally:
        pressing.cancel()
        done.set()
        await watcher
    agent_log = stack.agent.log_path("run").read_bytes()[log_from:].decode("utf-8", "replace")
    return result, seen, agent_log


def check_revoked_refused(result: dict[str, Any], seen: list[dict[str, Any]], log: str) -> None:
    """The press reached the device, which refused it by name and started nothing; the page
    says so and decoded no frame."""
    print(f"live: revoked browser {result}; health samples with a session {len(seen)}")
    live = result["live"]
    assert live["state"] == "revoked" and live["noteKind"] == "revoked", result
    assert live["noteText"] and live["retry"] == 0, result
    assert all(frames == 0 for frames in live["videos"]), result
    assert "live request refused: NotEnrolled" in log, log
    assert "live session started" not in log, log
    assert not seen, seen
    assert result["revokedNotice"] and result["liveTabAfterReload"] == 0, result


def check_advancing(result: dict[str, Any], where: str) -> None:
    first, second = result["first"], result["second"]
    assert second["currentTime"] > first["currentTime"], (where, result)
    assert second["frames"] > first["frames"], (where, result)
    assert second["hash"] != first["hash"], (where, result)
    assert second["width"] > 0 and second["lit"] > 0, (where, result)


async def test_live_frames_advance_in_the_card_and_the_panel_on_one_agent_session(
    tmp_path: Path,
) -> None:
    async with stack_with_browser(tmp_path, "live-view") as (stack, driver, _shots):
        await driver.turn_on(stack)
        await driver.pair(stack, await stack.agent.start_pairing())
        await stack.agent.wait_paired()
        await stack.agent.start_running()
        await stack.camera.wait_for_event_subscriber()
        await driver.enrol(stack, REVOKED_PROFILE, REVOKED_NAME)
        check_revoked_refused(*await revoked_presses_live(stack, driver, tmp_path))
        # The card's default mode is live: no option given.
        dashboard = await driver.add_card(stack, mode=None)

        seen: list[dict[str, Any]] = []
        done = asyncio.Event()
        watcher = asyncio.create_task(watch_health(stack, seen, done))
        try:
            result = await driver.scenario(stack, "live", dashboardPath=dashboard, holdMs=HOLD_MS)
        finally:
            done.set()
            await watcher
        stack.agent.check_running()

        check_advancing(result["card"], "card")
        check_advancing(result["panel"], "panel")
        check_advancing(result["cardStill"], "card while the panel plays")
        assert result["unmuted"], "the mute button toggles the sound"
        session_id = result["card"]["second"]["sessionId"]
        assert session_id and result["panel"]["second"]["sessionId"] == session_id, result

        card, panel = result["card"], result["panel"]
        most_viewers = max((e["viewers"] for s in seen for e in s["live"].values()), default=0)
        print(
            f"live: card currentTime {card['first']['currentTime']:.2f} -> "
            f"{card['second']['currentTime']:.2f} s, frames {card['first']['frames']} -> "
            f"{card['second']['frames']}; panel currentTime {panel['first']['currentTime']:.2f} -> "
            f"{panel['second']['currentTime']:.2f} s; session {session_id}; health samples "
            f"{len(seen)}, most viewers {most_viewers}"
        )
        # One agent session for the camera, with both viewers in it at once.
        sessions = {entry["session_id"] for sample in seen for entry in sample["live"].values()}
        cameras = {camera for sample in seen for camera in sample["live"]}
        assert sessions == {session_id}, seen[-5:]
        assert len(cameras) == 1, cameras
        assert most_viewers == 2, seen[-5:]
