"""The heartbeat answer carries the "let HA see event types" option to the camera agents.

The leak it closes: with the option off, agents still put their visible event kinds in every
manifest (plaintext to HA). Agents now send kinds only while this answer says true.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.e2ee_nvr.const import CONF_EVENTS_VISIBLE
from tests.integration.conftest import entry_options
from tests.integration.nvr_helpers import AGENT, HEARTBEAT, Agent


async def test_heartbeat_answer_follows_the_option(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    agent: Agent,
) -> None:
    answer = await client.post(f"{AGENT}/heartbeat", json=HEARTBEAT, headers=agent.auth)
    assert await answer.json() == {"recipient_epoch": 1, "events_visible": True}

    hass.config_entries.async_update_entry(
        init_integration, options=entry_options(**{CONF_EVENTS_VISIBLE: False})
    )
    await hass.async_block_till_done()
    answer = await client.post(f"{AGENT}/heartbeat", json=HEARTBEAT, headers=agent.auth)
    assert await answer.json() == {"recipient_epoch": 1, "events_visible": False}
