"""Retention by age and size, and rebuilding a lost index from the media folder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.e2ee_nvr.retention import enforce
from tests.integration.nvr_helpers import DAY_MS, Agent, seal_clip, upload_clip, ws_ok


async def test_retention_and_rebuild(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    media_root: Path,
    client: TestClient[Any, Any],
    ws: Any,
    agent: Agent,
) -> None:
    # Older than the 30-day retention: accepted (the agent may delete it), then retired.
    old = seal_clip(agent, age_ms=40 * DAY_MS)
    assert (await upload_clip(client, agent, old))["stored"] is True
    clips = [seal_clip(agent, age_ms=(3 - i) * 60_000) for i in range(3)]
    for clip in clips:
        await upload_clip(client, agent, clip)
    listed = (await ws_ok(ws, type="e2ee_nvr/clips/list"))["clips"]
    assert [c["clip_id"] for c in listed] == [c.clip_id for c in reversed(clips)]
    assert not list(media_root.rglob(f"{old.clip_id}.*"))

    # Lose the index: the next start rebuilds it from the folder.
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    for path in (media_root / "nvr" / ".index").iterdir():
        path.unlink()
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    rebuilt = (await ws_ok(ws, type="e2ee_nvr/clips/list"))["clips"]
    assert rebuilt == listed

    # Size cap: keep only what fits, dropping the oldest first.
    runtime = init_integration.runtime_data
    runtime.settings = replace(runtime.settings, storage_cap_bytes=listed[0]["size_bytes"] + 1)
    assert await hass.async_add_executor_job(enforce, runtime) == 2
    kept = (await ws_ok(ws, type="e2ee_nvr/clips/list"))["clips"]
    assert [c["clip_id"] for c in kept] == [clips[-1].clip_id]
