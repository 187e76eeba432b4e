"""Diagnostics: a useful picture of the store, with credentials and certificates redacted."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion

from tests.integration.nvr_helpers import Agent, seal_clip, upload_clip

TIME_KEYS = {"created_at", "expires_at", "last_seen", "enrolled_at"}


def stable(value: Any, names: dict[str, str]) -> Any:
    """The diagnostics with per-run values (random ids, clock times) named instead."""
    if isinstance(value, dict):
        return {
            k: "<time>" if k in TIME_KEYS and v is not None else stable(v, names)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [stable(v, names) for v in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value


async def test_diagnostics(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    client: TestClient[Any, Any],
    snapshot_agent: Agent,
    snapshot: SnapshotAssertion,
) -> None:
    agent = snapshot_agent
    with patch("custom_components.e2ee_nvr.protocol.clip.new_clip_id", return_value="cd" * 16):
        await upload_clip(client, agent, seal_clip(agent, start_ms=1_796_000_000_000))
    runtime = init_integration.runtime_data
    state = runtime.account.state
    assert state is not None
    names = {
        state.data_key_id: "<data key id>",
        agent.session_id: "<session id>",
        **{i.key_id: "<instance key id>" for i in state.document.instances},
    }
    with patch.object(type(runtime.clips), "free_bytes", return_value=50_000_000_000):
        diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
    assert stable(diagnostics, names) == snapshot
    # Nothing secret or sealed survives: no certificate, credential hash or signed document.
    text = json.dumps(diagnostics)
    record = runtime.agents.records()[0]
    for secret in (record.token_sha256, record.device_cert, agent.token, "payload", "p12"):
        assert secret is not None
        assert secret not in text
