"""Issue 10: what the user sees is what the camera signed, even when HA relabels the index.

A real hass, the real agent and Debian's Chromium through the panel: pair a camera (its name
is pinned from the MACed pairing request), record a clip, then play a malicious store by
rewriting that clip's row in HA's own index (another camera, a day earlier, other events). The
panel's tile, player caption and download name must still say what the device signed, and must
show each disagreement with HA's row. Screens in test-artifacts/e2e/signed-facts/.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devstack.agent_process import CAMERA_ID, CAMERA_NAME
from devstack.browser_driver import wait_for_clip_count
from devstack.flow_driver import MOTION_BURST_SECONDS, start_recording
from devstack.stack import Stack
from tests.e2e.ui_checks import assert_screenshots, stack_with_browser

pytestmark = pytest.mark.slow
DAY_MS = 86_400_000
FORGED_CAMERA = "garage"


def relabel(stack: Stack, clip_id: str) -> None:
    """What a compromised HA can do to its unsigned index: move the clip to another camera and
    day, stretch it, and give it other events. The ciphertext and manifest stay untouched."""
    index = stack.storage_dir / ".index" / "clips.sqlite3"
    with sqlite3.connect(index) as db:
        changed = db.execute(
            "UPDATE clips SET camera_id = ?, start_ms = start_ms - ?, end_ms = end_ms - ? + 60000,"
            " events = 'person' WHERE clip_id = ?",
            (FORGED_CAMERA, DAY_MS, DAY_MS, clip_id),
        ).rowcount
    assert changed == 1, f"clip {clip_id} is not in HA's index"


def file_stamp(start_ms: int) -> str:
    """The UTC stamp clipFileName puts in a download's name."""
    moment = datetime.fromtimestamp(start_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H-%M-%SZ")


async def test_the_panel_shows_signed_facts_and_hass_relabelling(tmp_path: Path) -> None:
    async with stack_with_browser(tmp_path, "signed-facts") as (stack, driver, shots):
        await driver.turn_on(stack)
        await driver.pair(stack, await stack.agent.start_pairing())
        await start_recording(stack)
        await stack.camera.motion_burst(MOTION_BURST_SECONDS)
        stack.agent.check_running()
        signed = (await wait_for_clip_count(stack, 1))[0]
        clip_id = str(signed["clip_id"])

        # Honest index: the signed facts are shown, and nothing disagrees.
        honest = await driver.scenario(stack, "signed-facts", clipId=clip_id)
        assert honest["tile"]["mismatch"] is None, honest["tile"]
        assert honest["tile"]["camera"] == CAMERA_NAME, honest["tile"]

        relabel(stack, clip_id)
        forged = await driver.scenario(stack, "signed-facts", clipId=clip_id)

    for where in ("tile", "player"):
        facts = forged[where]
        # The camera's name pinned at pairing and its signed id, time and duration: not HA's.
        assert facts["camera"] == CAMERA_NAME and facts["cameraId"] == CAMERA_ID, facts
        assert facts["startMs"] == signed["start_ms"] and facts["endMs"] == signed["end_ms"], facts
        assert "person" not in (facts["events"] or "").split(","), facts
        # Each relabelled field is shown as a disagreement, never silently.
        assert set(facts["mismatch"].split(",")) == {"camera", "start", "duration", "events"}, facts
    spelled = forged["player"]["mismatchText"]
    assert FORGED_CAMERA in spelled and CAMERA_NAME in spelled, spelled
    assert forged["fileName"] == f"Front_door_{file_stamp(signed['start_ms'])}.mp4", forged
    assert_screenshots(shots, ("signed-facts-tile", "signed-facts-player"))
