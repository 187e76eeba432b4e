"""Who plays the user in an end-to-end flow: the Python endpoint now, the browser UI later.

The flow (turn E2EE on, pair by code, record, play) is the same whoever plays the user; a
driver implements the user's three actions. BrowserDriver (devstack/browser_driver.py) clicks
through the real panel in Chromium and keeps screenshots; PythonEndpointDriver below needs no
browser.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol

from devstack.camera_sim import MARKER
from devstack.endpoint_user import EndpointUser, EndpointUserError
from devstack.stack import Stack

LOG = logging.getLogger(__name__)
MOTION_BURST_SECONDS = 2.0
PREROLL_FILL_SECONDS = 2.0
CLIP_TIMEOUT_SECONDS = 45.0


@dataclass(frozen=True)
class PlayedClip:
    """What the user saw: a clip from this camera whose decrypted video held the marker."""

    clip_id: str
    camera_id: str
    size_bytes: int
    events: tuple[str, ...]


class FlowDriver(Protocol):
    """The user's actions, each against a running stack."""

    name: str

    async def turn_on(self, stack: Stack) -> None: ...

    async def pair(self, stack: Stack, code: str) -> None: ...

    async def play_latest_clip(self, stack: Stack) -> PlayedClip: ...

    async def close(self) -> None: ...


class PythonEndpointDriver:
    """The protocol's Python endpoint over HA's real websocket and HTTP APIs (no browser)."""

    name = "Python endpoint"

    def __init__(self, *, fast_kdf: bool) -> None:
        self.fast_kdf = fast_kdf
        self._user: EndpointUser | None = None

    async def _connected(self, stack: Stack) -> EndpointUser:
        if self._user is None:
            self._user = EndpointUser(stack.api, await stack.api.websocket())
        return self._user

    async def turn_on(self, stack: Stack) -> None:
        await (await self._connected(stack)).create_account(fast_kdf=self.fast_kdf)

    async def pair(self, stack: Stack, code: str) -> None:
        await (await self._connected(stack)).grant_pairing(code)

    async def play_latest_clip(self, stack: Stack) -> PlayedClip:
        user = await self._connected(stack)
        newest = (await user.wait_for_clips(1, timeout=CLIP_TIMEOUT_SECONDS))[0]
        clip = await user.open_clip(newest["clip_id"])
        if clip.video[4:8] != b"ftyp":
            raise EndpointUserError(f"clip {clip.clip_id} did not decrypt to an MP4")
        if MARKER not in clip.video:
            raise EndpointUserError(f"clip {clip.clip_id} lacks the camera's marker")
        return PlayedClip(clip.clip_id, clip.camera_id, len(clip.video), clip.events)

    async def close(self) -> None:
        if self._user is not None:
            await self._user.socket.close()
            self._user = None


async def start_recording(stack: Stack) -> None:
    """Once the agent is paired: run it, and wait until it hears the camera's events."""
    await stack.agent.wait_paired()
    await stack.agent.start_running()
    await stack.camera.wait_for_event_subscriber()
    # Some video in the agent's pre-roll buffer before the motion starts.
    await asyncio.sleep(PREROLL_FILL_SECONDS)


async def run_flow(stack: Stack, driver: FlowDriver) -> PlayedClip:
    """Turn on, pair by the agent's code, start recording, make motion, play the clip."""
    LOG.info("[%s] turning E2EE on", driver.name)
    await driver.turn_on(stack)
    code = await stack.agent.start_pairing()
    LOG.info("[%s] pairing with code %s", driver.name, code)
    await driver.pair(stack, code)
    await start_recording(stack)
    await stack.camera.motion_burst(MOTION_BURST_SECONDS)
    stack.agent.check_running()
    LOG.info("[%s] motion reported; waiting for the clip", driver.name)
    played = await driver.play_latest_clip(stack)
    stack.agent.check_running()
    return played
