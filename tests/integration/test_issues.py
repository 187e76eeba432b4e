"""Repair issues: low free space and a silent agent, raised and cleared by themselves."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

import pytest
from aiohttp.test_utils import TestClient
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.e2ee_nvr.clip_store import ClipStore
from custom_components.e2ee_nvr.const import DOMAIN, LOW_FREE_SPACE_BYTES
from tests.integration.nvr_helpers import AccountFixture, pair_agent, send_heartbeat, ws_ok


async def _tick(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_low_storage_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert issue_registry.async_get_issue(DOMAIN, "low_storage") is None
    with patch.object(ClipStore, "free_bytes", return_value=LOW_FREE_SPACE_BYTES - 1):
        await _tick(hass, freezer, 31)
    issue = issue_registry.async_get_issue(DOMAIN, "low_storage")
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["free_gb"] == "2.0"
    assert issue.severity is ir.IssueSeverity.WARNING
    with patch.object(ClipStore, "free_bytes", return_value=LOW_FREE_SPACE_BYTES):
        await _tick(hass, freezer, 31)
    assert issue_registry.async_get_issue(DOMAIN, "low_storage") is None
    # An issue left when the entry unloads is removed with it.
    with patch.object(ClipStore, "free_bytes", return_value=0):
        await _tick(hass, freezer, 31)
    assert issue_registry.async_get_issue(DOMAIN, "low_storage") is not None
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, "low_storage") is None


@pytest.mark.usefixtures("account_ws")
async def test_agent_silent_issue(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    client: TestClient[Any, Any],
    ws: Any,
    account: AccountFixture,
) -> None:
    # Paired, but never a heartbeat since HA started: silent once 5 minutes have passed.
    agent = await pair_agent(client, ws, account)
    issue_id = f"agent_silent_{agent.device_id}"
    await _tick(hass, freezer, 290)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    await _tick(hass, freezer, 31)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"agent": "garage box", "minutes": "5"}
    # A heartbeat clears it at the next check. (A fresh client: the clock jumps closed the
    # old one's keep-alive connection.)
    await send_heartbeat(await hass_client(), agent)
    await _tick(hass, freezer, 31)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    # Silent again, then unpaired: the issue goes with the agent.
    await _tick(hass, freezer, 301)
    await _tick(hass, freezer, 31)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    await ws_ok(await hass_ws_client(), type="e2ee_nvr/cameras/unpair", device_id=agent.device_id)
    await _tick(hass, freezer, 31)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
