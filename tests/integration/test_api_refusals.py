"""The agent API and the panel's websocket API refuse what they must, with the right codes."""

from __future__ import annotations

import time
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from tests.integration.nvr_helpers import (
    AGENT,
    HEARTBEAT,
    AccountFixture,
    create_account,
    pair_agent,
    seal_clip,
    start_pairing,
    upload_clip,
    ws_call,
    ws_ok,
)


async def _error(response: Any) -> tuple[int, str]:
    return response.status, (await response.json())["error"]


async def test_agent_api_refusals(
    client: TestClient[Any, Any],
    ws: Any,
    account: AccountFixture,
) -> None:
    # No account yet: pairing makes no sense.
    response = await client.post(f"{AGENT}/pairing", json={"request": {}})
    assert await _error(response) == (409, "no_account")
    await create_account(ws, account)
    assert await _error(await client.post(f"{AGENT}/pairing", json={"request": {}})) == (
        400,
        "malformed",
    )
    assert await _error(await client.post(f"{AGENT}/pairing", data=b"[1]")) == (400, "malformed")

    # A pending session: its token polls, but cannot call anything else.
    _code, _key, _maced, _request, started = await start_pairing(client)
    pending = {"Authorization": f"Bearer {started['agent_token']}"}
    session = started["session_id"]
    response = await client.get(f"{AGENT}/pairing/{session}", headers=pending)
    assert response.status == 202
    assert await _error(await client.get(f"{AGENT}/pairing/{'0' * 32}", headers=pending)) == (
        401,
        "unauthorized",
    )
    assert await _error(await client.get(f"{AGENT}/trust", headers=pending)) == (
        401,
        "unauthorized",
    )
    # Refused by the user: the agent learns it.
    await ws_ok(ws, type="e2ee_nvr/pairing/refuse", session_id=session)
    assert await _error(await client.get(f"{AGENT}/pairing/{session}", headers=pending)) == (
        410,
        "refused",
    )
    refused = await ws_call(ws, type="e2ee_nvr/pairing/refuse", session_id=session)
    assert refused["error"]["code"] == "not_pending"
    refused = await ws_call(ws, type="e2ee_nvr/pairing/grant", session_id=session, grant={})
    assert refused["error"]["code"] == "not_pending"
    refused = await ws_call(ws, type="e2ee_nvr/pairing/grant", session_id="nope", grant={})
    assert refused["error"]["code"] == "not_found"
    # A grant that is not a grant at all, for a pending session.
    *_unused, fresh = await start_pairing(client)
    refused = await ws_call(
        ws, type="e2ee_nvr/pairing/grant", session_id=fresh["session_id"], grant={"v": 1}
    )
    assert refused["error"]["code"] == "invalid_grant"

    agent = await pair_agent(client, ws, account)
    # Result and status calls for another session are refused.
    other = f"{AGENT}/pairing/{'0' * 32}"
    assert await _error(await client.get(other, headers=agent.auth)) == (401, "unauthorized")
    response = await client.post(f"{other}/result", json={"accepted": True}, headers=agent.auth)
    assert await _error(response) == (401, "unauthorized")
    response = await client.post(
        f"{AGENT}/pairing/{agent.session_id}/result", json={"accepted": "yes"}, headers=agent.auth
    )
    assert await _error(response) == (400, "malformed")
    assert await _error(await client.post(f"{other}/result", json={})) == (401, "unauthorized")

    # Heartbeats must have the documented shape.
    broken: Any
    for broken in (
        [],
        {**HEARTBEAT, "spool_clips": True},
        {**HEARTBEAT, "cameras": "front-door"},
        {**HEARTBEAT, "cameras": [{"camera_id": "x", "state": "on fire"}]},
    ):
        response = await client.post(f"{AGENT}/heartbeat", json=broken, headers=agent.auth)
        assert await _error(response) == (400, "malformed"), broken
    assert await _error(await client.post(f"{AGENT}/heartbeat", json=HEARTBEAT)) == (
        401,
        "unauthorized",
    )

    # Uploads: an oversized manifest body, and an object for a clip id out of pattern.
    url = f"{AGENT}/clips/{'a' * 32}/manifest"
    response = await client.put(url, data=b"x" * ((1 << 20) + 10), headers=agent.auth)
    assert await _error(response) == (413, "too_large")
    response = await client.put(f"{AGENT}/clips/nothex/video", data=b"x", headers=agent.auth)
    assert await _error(response) == (400, "bad_path")
    assert await _error(await client.put(url, data=b"{}")) == (401, "unauthorized")
    clip = seal_clip(agent)
    assert (await upload_clip(client, agent, clip))["stored"] is True
    # The trust document for a paired agent, then with E2EE off.
    assert (await client.get(f"{AGENT}/trust", headers=agent.auth)).status == 200
    await ws_ok(ws, type="e2ee_nvr/disable", delete_clips=False)
    assert await _error(await client.get(f"{AGENT}/trust", headers=agent.auth)) == (
        401,
        "unauthorized",
    )


async def test_pairing_rate_limit(
    client: TestClient[Any, Any],
    hass_ws_client: WebSocketGenerator,
    account: AccountFixture,
) -> None:
    await create_account(await hass_ws_client(), account)
    statuses = [
        (await client.post(f"{AGENT}/pairing", json={"request": {}})).status for _ in range(12)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]


async def test_apis_when_not_loaded(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    ws: Any,
) -> None:
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert await _error(await client.post(f"{AGENT}/pairing", json={})) == (503, "not_loaded")
    assert await _error(await client.get(f"{AGENT}/trust")) == (503, "not_loaded")
    assert (await client.get(f"/api/e2ee_nvr/clips/{'a' * 32}/video")).status == 503
    response = await ws_call(ws, type="e2ee_nvr/account/get")
    assert response["error"]["code"] == "not_loaded"
    response = await ws_call(ws, type="e2ee_nvr/clips/list")
    assert response["error"]["code"] == "not_loaded"


async def test_websocket_refusals(
    client: TestClient[Any, Any],
    ws: Any,
    account: AccountFixture,
) -> None:
    # Before an account exists: no grant, no update.
    response = await ws_call(ws, type="e2ee_nvr/pairing/grant", session_id="x", grant={})
    assert response["error"]["code"] == "invalid_state"
    response = await ws_call(
        ws, type="e2ee_nvr/account/publish", account=account.document.to_json()
    )
    assert response["error"]["code"] == "invalid_state"
    response = await ws_call(ws, type="e2ee_nvr/account/create", account={"v": 1})
    assert response["error"]["code"] == "invalid_account"
    await create_account(ws, account)
    # Cameras that do not exist.
    for message in (
        {"type": "e2ee_nvr/cameras/rename", "device_id": "0" * 32, "camera_id": "x", "name": "X"},
        {"type": "e2ee_nvr/cameras/unpair", "device_id": "0" * 32},
    ):
        response = await ws_call(ws, **message)
        assert response["error"]["code"] == "not_found"
    # A pairing session that expired while pending is listed no more and cannot be granted.
    _code, _key, _maced, _request, started = await start_pairing(client)
    later = time.time() + 3600
    with patch("custom_components.e2ee_nvr.websocket_account.time.time", return_value=later):
        assert (await ws_ok(ws, type="e2ee_nvr/pairing/list"))["sessions"] == []
        response = await ws_call(
            ws, type="e2ee_nvr/pairing/refuse", session_id=started["session_id"]
        )
    assert response["error"]["code"] == "expired"
    # A deleted clip id that no longer exists counts nothing.
    assert await ws_ok(ws, type="e2ee_nvr/clips/delete", clip_ids=["f" * 32]) == {"deleted": 0}
