"""The agent registry: owned by the event loop, stored through HA's Store, bounded in memory."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.e2ee_nvr.agents import AgentRecord, CameraRecord, hash_token
from custom_components.e2ee_nvr.pairing_relay import read_request
from custom_components.e2ee_nvr.protocol import pairing, primitives
from tests.integration.nvr_helpers import AGENT, Agent, seal_clip, upload_clip

OLD_BEARER = "old-agent-token"


def _old_record() -> dict[str, Any]:
    return AgentRecord(
        session_id="ab" * 16,
        token_sha256=hash_token(OLD_BEARER),
        state="active",
        device_id="cd" * 16,
        agent_name="old agent",
        cameras=[CameraRecord("front-door", "Front door")],
        request={},
        expires_at=0,
        created_at=0,
    ).to_json()


async def test_the_old_registry_file_is_taken_over_once(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """Upgrading from the plain agents.json keeps every agent and leaves no second copy."""
    legacy = Path(hass.config.path(".storage", "e2ee_nvr", "agents.json"))
    legacy.parent.mkdir(parents=True)
    legacy.write_text(json.dumps({"agents": [_old_record()]}))
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    registry = mock_config_entry.runtime_data.agents
    assert [r.agent_name for r in registry.active()] == ["old agent"]
    assert registry.authenticate(OLD_BEARER) is not None
    assert not legacy.exists()
    assert hass_storage["e2ee_nvr/agents"]["data"] == {"agents": [_old_record()]}


async def test_agents_survive_a_reload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    agent: Agent,
    hass_storage: dict[str, Any],
) -> None:
    """Delayed saves are flushed at unload: a reload reads what the registry knew."""
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    stored = hass_storage["e2ee_nvr/agents"]["data"]["agents"]
    assert [r["device_id"] for r in stored] == [agent.device_id]
    assert (await client.get(f"{AGENT}/trust", headers=agent.auth)).status == 200


@pytest.mark.usefixtures("account_ws")
async def test_a_reader_iterating_the_registry_never_sees_it_change(
    init_integration: MockConfigEntry,
) -> None:
    """Race: a pairing request arrives while an executor thread walks the registry.

    Readers off the loop (the media browser) iterate `records()`, a tuple that a change
    replaces rather than mutates, so no "dictionary changed size during iteration".
    """
    registry = init_integration.runtime_data.agents
    key = primitives.rsa_generate()
    now = int(time.time())

    def start(source: str) -> None:
        maced, _parsed = pairing.make_pairing_request(
            pairing.new_pairing_code(), key, "agent", [], now
        )
        registry.start_pairing(*read_request(maced.to_json()), source, now)

    start("192.0.2.1")
    walking = iter(registry.records())
    next(walking)
    start("192.0.2.2")
    assert list(walking) == []
    assert len(registry.records()) == 2


async def test_malformed_bearer_tokens_are_refused_with_401(
    client: TestClient[Any, Any], agent: Agent
) -> None:
    """Attack: odd Authorization headers (non-ASCII, huge, odd bytes) must not cause a 500."""
    for header in (
        "Bearer \u00e9t\u00e9",
        "Bearer \U0001f512",
        "Bearer " + "A" * 10_000,
        "Bearer a b c",
        "Bearer %00",
        "bearer " + agent.token + "\u00e9",
    ):
        response = await client.get(f"{AGENT}/trust", headers={"Authorization": header})
        assert response.status == 401, header
        assert (await response.json())["error"] == "unauthorized"
    assert (await client.get(f"{AGENT}/trust", headers=agent.auth)).status == 200


async def test_upload_locks_are_dropped_after_use(
    init_integration: MockConfigEntry, client: TestClient[Any, Any], agent: Agent
) -> None:
    """Attack: upload clip after clip (agents choose the ids) to grow the lock table for ever."""
    for _ in range(3):
        assert (await upload_clip(client, agent, seal_clip(agent)))["stored"] is True
    assert len(init_integration.runtime_data.upload_locks) == 0
