"""Media source: cameras -> days -> clips; a clip resolves to the panel, never to ciphertext."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.components import media_source
from homeassistant.components.media_source import BrowseMediaSource
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.e2ee_nvr.clip_objects import FolderClipObjects
from custom_components.e2ee_nvr.runtime import runtime_data
from tests.integration.nvr_helpers import DAY_MS, Agent, seal_clip, upload_clip, ws_ok

AGENT_CAMERAS = ("front-door", "garage")  # the cameras the `agent` fixture offers
BASE = "media-source://e2ee_nvr"


async def browse(hass: HomeAssistant, identifier: str = "") -> list[BrowseMediaSource]:
    """The children of a node (all ours are BrowseMediaSource, which carry the identifier)."""
    node = await media_source.async_browse_media(hass, f"{BASE}/{identifier}".rstrip("/"))
    children = list(node.children or [])
    assert all(isinstance(c, BrowseMediaSource) for c in children)
    return children  # type: ignore[return-value]


async def test_browse_and_resolve(
    hass: HomeAssistant, client: TestClient[Any, Any], ws: Any, agent: Agent
) -> None:
    assert await async_setup_component(hass, "media_source", {})
    today = int(time.time() * 1000) // DAY_MS * DAY_MS
    yesterday = seal_clip(agent, start_ms=today - DAY_MS + 3_600_000, visible_events=())
    morning = seal_clip(agent, start_ms=today + 60_000, visible_events=("person",))
    garage = seal_clip(agent, camera_id="garage", start_ms=today + 120_000)
    for clip in (yesterday, morning, garage):
        await upload_clip(client, agent, clip)

    root = await media_source.async_browse_media(hass, BASE)
    assert "plays in the E2EE NVR panel" in root.title
    cameras = await browse(hass)
    assert [c.title for c in cameras] == ["Front Door (garage box)", "Garage (garage box)"]
    front = cameras[0]
    assert front.can_expand and not front.can_play

    days = await browse(hass, front.identifier or "")
    day_names = [time.strftime("%Y-%m-%d", time.gmtime(t / 1000)) for t in (today, today - DAY_MS)]
    assert [c.title for c in days] == [f"{d} (UTC)" for d in day_names]

    listed = await media_source.async_browse_media(hass, f"{BASE}/{days[0].identifier}")
    assert listed.title == f"Front Door (garage box): {day_names[0]} (UTC)"
    (item,) = await browse(hass, days[0].identifier or "")
    assert item.identifier == f"clip/{morning.clip_id}"
    assert item.can_play and not item.can_expand
    assert item.thumbnail is None  # thumbnails are encrypted
    assert "(30 s, person) - plays in the E2EE NVR panel" in item.title

    # HA relabels the morning clip's index row (another camera, an hour later, other events):
    # the title keeps what the camera signed and says which camera signed it.
    runtime = runtime_data(hass)
    assert runtime is not None
    row = runtime.index.get(morning.clip_id)
    assert row is not None
    runtime.index.remove([row.clip_id])
    runtime.index.add(
        [
            dataclasses.replace(
                row,
                camera_id="garage",
                start_ms=row.start_ms + 3_600_000,
                end_ms=row.end_ms + 3_700_000,
                events=("car",),
            )
        ]
    )
    relabelled = {
        c.identifier: c.title
        for c in await browse(hass, f"{agent.device_id}:garage/{day_names[0]}")
    }
    signed_start = dt_util.as_local(dt_util.utc_from_timestamp((today + 60_000) / 1000))
    assert relabelled[f"clip/{morning.clip_id}"] == (
        f"signed by camera front-door, not garage: {signed_start:%H:%M:%S} (30 s, person)"
        " - plays in the E2EE NVR panel"
    )
    # A stored manifest that is not the one ingest verified (digest differs) is not trusted.
    assert isinstance(runtime.objects, FolderClipObjects)
    runtime.objects.path(row.rel_dir, row.clip_id, "manifest").write_bytes(b"{}")
    relabelled = {
        c.identifier: c.title
        for c in await browse(hass, f"{agent.device_id}:garage/{day_names[0]}")
    }
    assert "no verified manifest: do not trust" in relabelled[f"clip/{morning.clip_id}"]

    resolved = await media_source.async_resolve_media(hass, f"{BASE}/{item.identifier}", None)
    assert resolved.url == f"/e2ee-nvr?clip={morning.clip_id}"
    assert resolved.mime_type == "text/html"

    # Unpaired cameras stay browsable (their clips are still readable).
    await ws_ok(ws, type="e2ee_nvr/cameras/unpair", device_id=agent.device_id)
    assert len(await browse(hass)) == 2
    # A camera without clips (or an unknown one) has no days.
    empty = await media_source.async_browse_media(hass, f"{BASE}/{agent.device_id}:back-yard")
    assert empty.title == "back-yard"
    assert await browse(hass, f"{agent.device_id}:back-yard") == []


@pytest.mark.parametrize(
    "identifier",
    [
        "not-a-camera",
        f"{'0' * 32}:Bad Camera",
        f"{'0' * 32}:cam/2026-02-31",
        f"{'0' * 32}:cam/yesterday",
    ],
)
@pytest.mark.usefixtures("init_integration")
async def test_browse_refuses_bad_identifiers(hass: HomeAssistant, identifier: str) -> None:
    assert await async_setup_component(hass, "media_source", {})
    with pytest.raises(media_source.Unresolvable):
        await media_source.async_browse_media(hass, f"{BASE}/{identifier}")


async def test_resolve_refusals(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    assert await async_setup_component(hass, "media_source", {})
    for identifier in (f"clip/{'0' * 32}", "clip/../../etc", f"{'0' * 32}:cam"):
        with pytest.raises(media_source.Unresolvable):
            await media_source.async_resolve_media(hass, f"{BASE}/{identifier}", None)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    with pytest.raises(media_source.Unresolvable):
        await media_source.async_browse_media(hass, BASE)
