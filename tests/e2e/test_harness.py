"""The vertical slice without a browser: real hass, real agent, simulated camera, Python user."""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack.camera_sim import MARKER
from devstack.flow_driver import PythonEndpointDriver, run_flow
from devstack.ports import free_port
from devstack.stack import StackSettings, running_stack

pytestmark = pytest.mark.slow


def files_containing(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


async def test_a_motion_clip_reaches_ha_encrypted_and_decrypts_at_the_endpoint(
    tmp_path: Path,
) -> None:
    """The flow `./scripts/demo --auto` runs: turn on, pair by code, motion, clip, decrypt.

    run_flow checks that the clip HA lists verifies against the pinned root, unwraps with the
    endpoint's instance key and decrypts to an MP4 holding the camera's plaintext marker."""
    async with running_stack(StackSettings(tmp_path, free_port())) as stack:
        driver = PythonEndpointDriver(fast_kdf=True)
        try:
            played = await run_flow(stack, driver)
        finally:
            await driver.close()
        assert played.camera_id == "front-door"
        assert "motion" in played.events  # sealed in the clip, read after decryption

        listed = (await stack.api.call_once("e2ee_nvr/clips/list"))["clips"]
        assert [c["clip_id"] for c in listed][:1] == [played.clip_id]
        # events_visible is on: HA may know that motion happened, never what the video shows.
        assert "motion" in listed[0]["events"]
        # HA holds ciphertext only: the camera's marker is nowhere in what it wrote.
        assert list(stack.storage_dir.rglob("*.*")), "HA stored nothing"
        assert files_containing(stack.hass.layout.config_dir, MARKER) == []
        assert files_containing(stack.hass.layout.media_dir, MARKER) == []
