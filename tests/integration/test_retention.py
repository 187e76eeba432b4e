"""Retention per camera: each camera's own period, the default for the rest, then the cap."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.e2ee_nvr.const import CONF_CAMERA_RETENTION
from custom_components.e2ee_nvr.retention import enforce
from tests.integration.conftest import entry_options
from tests.integration.nvr_helpers import DAY_MS, Agent, seal_clip, upload_clip, ws_ok

AGENT_CAMERAS = ("front-door", "garage", "porch")  # the cameras the `agent` fixture offers


async def test_retention_per_camera(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    ws: Any,
    agent: Agent,
) -> None:
    ages = {"front-door": (5, 20), "garage": (5, 20, 60), "porch": (5, 20)}
    clips = {
        (camera, age): seal_clip(agent, camera_id=camera, age_ms=age * DAY_MS)
        for camera, days in ages.items()
        for age in days
    }
    # Front door keeps 10 days, the garage 90 (longer than the 30-day default), the porch 30.
    hass.config_entries.async_update_entry(
        init_integration,
        options=entry_options(
            **{
                CONF_CAMERA_RETENTION: {
                    f"{agent.device_id}:front-door": 10,
                    f"{agent.device_id}:garage": 90,
                }
            }
        ),
    )
    await hass.async_block_till_done()
    for clip in clips.values():
        await upload_clip(client, agent, clip)
    listed = {c["clip_id"] for c in (await ws_ok(ws, type="e2ee_nvr/clips/list"))["clips"]}
    kept = {key for key, clip in clips.items() if clip.clip_id in listed}
    assert kept == {
        ("front-door", 5),
        ("garage", 5),
        ("garage", 20),
        ("garage", 60),
        ("porch", 5),
        ("porch", 20),
    }
    # The total cap still retires the oldest clips of any camera first.
    runtime = init_integration.runtime_data
    sizes = {
        c["clip_id"]: c["size_bytes"]
        for c in (await ws_ok(ws, type="e2ee_nvr/clips/list"))["clips"]
    }
    runtime.settings = replace(runtime.settings, storage_cap_bytes=sum(sizes.values()) - 1)
    assert await hass.async_add_executor_job(enforce, runtime) == 1
    listed = {c["clip_id"] for c in (await ws_ok(ws, type="e2ee_nvr/clips/list"))["clips"]}
    assert clips[("garage", 60)].clip_id not in listed
    assert len(listed) == 5
    # After the entry unloads, a late retention run finds the index closed and does nothing.
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert await hass.async_add_executor_job(enforce, runtime) == 0
