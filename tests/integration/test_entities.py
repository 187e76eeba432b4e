"""Camera devices and their entities: snapshot, events, liveness, new and unpaired cameras."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from syrupy.assertion import SnapshotAssertion

from custom_components.e2ee_nvr.const import CONF_EVENTS_VISIBLE, DOMAIN
from tests.integration.conftest import entry_options
from tests.integration.nvr_helpers import (
    AccountFixture,
    Agent,
    pair_agent,
    seal_clip,
    send_heartbeat,
    upload_clip,
    ws_ok,
)

AGENT_CAMERAS = ("front-door", "garage")  # the cameras the `agent` fixture offers
CLIP_START_MS = 1_796_000_000_000  # 2026-11-30T00:53:20Z, a fixed time for the snapshot
EVENT = "event.front_door_clip"
LAST_CLIP = "sensor.front_door_last_clip"
CONNECTIVITY = "binary_sensor.front_door_agent_connection"


def entity_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    entry_id: str,
) -> dict[str, Any]:
    """Registry entries, devices and states, in a form that reads the same on every HA version."""
    found: dict[str, Any] = {}
    for entry in sorted(
        er.async_entries_for_config_entry(entity_registry, entry_id), key=lambda e: e.entity_id
    ):
        state = hass.states.get(entry.entity_id)
        assert state is not None
        device = device_registry.async_get(entry.device_id or "")
        assert device is not None
        via = device_registry.async_get(device.via_device_id or "")
        value = state.state
        if entry.domain == "event" and value not in (STATE_UNKNOWN, STATE_UNAVAILABLE):
            value = "<time of the event>"
        found[entry.entity_id] = {
            "unique_id": entry.unique_id,
            "translation_key": entry.translation_key,
            "device_class": entry.original_device_class,
            "entity_category": entry.entity_category,
            "disabled_by": entry.disabled_by,
            "device": {
                "name": device.name,
                "identifiers": sorted(device.identifiers),
                "manufacturer": device.manufacturer,
                "model": device.model,
                "agent": None if via is None else via.name,
                "agent_version": None if via is None else via.sw_version,
            },
            "state": value,
            "attributes": dict(state.attributes),
        }
    return found


async def test_entities_snapshot(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    snapshot_agent: Agent,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    await async_setup_component(hass, "homeassistant", {})
    agent = snapshot_agent
    with patch("custom_components.e2ee_nvr.protocol.clip.new_clip_id", return_value="ab" * 16):
        clip = seal_clip(agent, start_ms=CLIP_START_MS, visible_events=("motion", "person"))
    await upload_clip(client, agent, clip)
    await hass.async_block_till_done()
    assert (
        entity_snapshot(hass, entity_registry, device_registry, init_integration.entry_id)
        == snapshot
    )


async def test_event_types_follow_visibility(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    snapshot_agent: Agent,
) -> None:
    agent = snapshot_agent
    fired: list[tuple[str, list[str]]] = []
    for events in (("motion", "vehicle"), ("motion",), ("doorbell",), ()):
        await upload_clip(client, agent, seal_clip(agent, visible_events=events))
        await hass.async_block_till_done()
        state = hass.states.get(EVENT)
        assert state is not None
        fired.append((state.attributes["event_type"], state.attributes["events"]))
    assert fired == [
        ("vehicle", ["motion", "vehicle"]),
        ("motion", ["motion"]),
        ("other", ["doorbell"]),
        ("clip_recorded", []),
    ]
    # A clip of another camera does not fire this camera's entity.
    before = hass.states.get(EVENT)
    await upload_clip(client, agent, seal_clip(agent, camera_id="garage"))
    await hass.async_block_till_done()
    assert hass.states.get(EVENT) == before
    assert hass.states.get("event.garage_clip").attributes["event_type"] == "motion"  # type: ignore[union-attr]

    # With event types hidden from HA, the same clips are only "clip recorded".
    hass.config_entries.async_update_entry(
        init_integration, options=entry_options(**{CONF_EVENTS_VISIBLE: False})
    )
    await hass.async_block_till_done()
    await send_heartbeat(client, agent)
    await hass.async_block_till_done()
    state = hass.states.get(EVENT)
    assert state is not None
    assert state.attributes["event_types"] == ["clip_recorded"]
    await upload_clip(client, agent, seal_clip(agent, visible_events=("person",)))
    await hass.async_block_till_done()
    state = hass.states.get(EVENT)
    assert state is not None
    assert (state.attributes["event_type"], state.attributes["events"]) == ("clip_recorded", [])


async def test_agent_goes_silent_and_comes_back(
    hass: HomeAssistant,
    client: TestClient[Any, Any],
    snapshot_agent: Agent,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="custom_components.e2ee_nvr")
    agent = snapshot_agent
    assert hass.states.get(CONNECTIVITY).state == STATE_ON  # type: ignore[union-attr]
    assert hass.states.get(EVENT).state == STATE_UNKNOWN  # type: ignore[union-attr]
    # Still connected at 4.5 minutes; silent after 5.
    freezer.tick(timedelta(seconds=270))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(CONNECTIVITY).state == STATE_ON  # type: ignore[union-attr]
    freezer.tick(timedelta(seconds=60))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF  # type: ignore[union-attr]
    assert hass.states.get(EVENT).state == STATE_UNAVAILABLE  # type: ignore[union-attr]
    # The last-clip sensor is HA's own record: it stays available.
    assert hass.states.get(LAST_CLIP).state == STATE_UNKNOWN  # type: ignore[union-attr]
    assert caplog.text.count("has gone silent") == 1
    # The next heartbeat brings it back at once, without waiting for the next check.
    await send_heartbeat(client, agent)
    await hass.async_block_till_done()
    assert hass.states.get(CONNECTIVITY).state == STATE_ON  # type: ignore[union-attr]
    assert hass.states.get(EVENT).state == STATE_UNKNOWN  # type: ignore[union-attr]
    freezer.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "is sending heartbeats again" in caplog.text


@pytest.mark.usefixtures("snapshot_agent")
async def test_new_camera_appears_and_unpaired_one_goes(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    ws: Any,
    account: AccountFixture,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    assert hass.states.get(LAST_CLIP) is not None
    # A second agent paired later: its devices and entities come without a reload.
    second = await pair_agent(client, ws, account, cameras=("back-yard",))
    await hass.async_block_till_done()
    assert hass.states.get("sensor.back_yard_last_clip") is not None
    camera = device_registry.async_get_device({(DOMAIN, f"{second.device_id}:back-yard")})
    assert camera is not None
    agent_device = device_registry.async_get(camera.via_device_id or "")
    assert agent_device is not None
    assert agent_device.name == "garage box"
    # Renaming a camera in the panel renames its device.
    await ws_ok(
        ws,
        type="e2ee_nvr/cameras/rename",
        device_id=second.device_id,
        camera_id="back-yard",
        name="Garden",
    )
    await hass.async_block_till_done()
    assert device_registry.async_get(camera.id).name == "Garden"  # type: ignore[union-attr]

    # An active camera's device cannot be removed by hand; unpairing removes it.
    assert not await _remove_device(hass, init_integration, camera.id)
    await ws_ok(ws, type="e2ee_nvr/cameras/unpair", device_id=second.device_id)
    await hass.async_block_till_done()
    assert device_registry.async_get(camera.id) is None
    assert device_registry.async_get(agent_device.id) is None
    assert hass.states.get("sensor.back_yard_last_clip") is None
    assert not [
        e
        for e in er.async_entries_for_config_entry(entity_registry, init_integration.entry_id)
        if e.unique_id.startswith(second.device_id)
    ]
    assert hass.states.get(LAST_CLIP) is not None
    assert init_integration.state is ConfigEntryState.LOADED


async def _remove_device(hass: HomeAssistant, entry: MockConfigEntry, device_id: str) -> bool:
    from custom_components.e2ee_nvr import async_remove_config_entry_device

    device = dr.async_get(hass).async_get(device_id)
    assert device is not None
    return await async_remove_config_entry_device(hass, entry, device)


async def test_stale_device_can_be_removed(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    stale = device_registry.async_get_or_create(
        config_entry_id=init_integration.entry_id, identifiers={(DOMAIN, f"{'0' * 32}:cam")}
    )
    assert await _remove_device(hass, init_integration, stale.id)


async def test_last_clip_follows_deletions(
    hass: HomeAssistant, client: TestClient[Any, Any], ws: Any, snapshot_agent: Agent
) -> None:
    agent = snapshot_agent
    first = seal_clip(agent, start_ms=CLIP_START_MS)
    second = seal_clip(agent, start_ms=CLIP_START_MS + 60_000)
    for clip in (first, second):
        await upload_clip(client, agent, clip)
    await hass.async_block_till_done()
    assert hass.states.get(LAST_CLIP).state == "2026-11-30T00:54:20+00:00"  # type: ignore[union-attr]
    await ws_ok(ws, type="e2ee_nvr/clips/delete", clip_ids=[second.clip_id])
    await hass.async_block_till_done()
    assert hass.states.get(LAST_CLIP).state == "2026-11-30T00:53:20+00:00"  # type: ignore[union-attr]
