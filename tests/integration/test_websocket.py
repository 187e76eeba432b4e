"""The panel's websocket API: account life cycle, trust checks, cameras, clips, turning off."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.auth.models import User
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.e2ee_nvr.protocol import endpoint
from custom_components.e2ee_nvr.protocol.encoding import b64decode
from tests.integration.nvr_helpers import (
    AGENT,
    AccountFixture,
    create_account,
    pair_agent,
    seal_clip,
    upload_clip,
    ws_call,
    ws_ok,
)


async def test_account_life_cycle(
    ws: Any,
    account: AccountFixture,
    other_account: AccountFixture,
) -> None:
    assert (await ws_ok(ws, type="e2ee_nvr/account/get"))["enabled"] is False
    created = await create_account(ws, account)
    assert created["epoch"] == 1
    assert created["instances"][0]["name"] == "Laptop"
    # A second account over the first is refused.
    response = await ws_call(
        ws, type="e2ee_nvr/account/create", account=other_account.document.to_json()
    )
    assert response["error"]["code"] == "invalid_state"

    enrolled, second = endpoint.enrol_with_passphrase(account.document, account.passphrase)
    # Creation fixes the backups: a panel that swaps in other wraps while enrolling is refused.
    swapped = dataclasses.replace(
        enrolled, rdk_wrapped_to_recovery=other_account.document.rdk_wrapped_to_recovery
    )
    response = await ws_call(
        ws, type="e2ee_nvr/account/enrol", account=swapped.to_json(), instance_name="Phone"
    )
    assert response["error"]["code"] == "invalid_state"
    assert "only instances and the recipient set may change" in response["error"]["message"]
    result = await ws_ok(
        ws, type="e2ee_nvr/account/enrol", account=enrolled.to_json(), instance_name="Phone"
    )
    assert result["epoch"] == 2
    assert sorted(i["name"] for i in result["instances"]) == ["Laptop", "Phone"]
    # Replaying the epoch-1 document (bringing back an older set) is refused.
    response = await ws_call(
        ws, type="e2ee_nvr/account/publish", account=account.document.to_json()
    )
    assert response["error"]["code"] in ("invalid_account", "invalid_state")
    assert "RolledBack" in response["error"]["message"]
    # A document of another account is refused, whatever it claims to change.
    response = await ws_call(
        ws, type="e2ee_nvr/account/enrol", account=other_account.document.to_json()
    )
    assert response["error"]["code"] == "invalid_state"
    # An enrolment message that in fact revokes is refused.
    revoked = endpoint.revoke_instance(enrolled, account.first, second.instance_key_id)
    response = await ws_call(ws, type="e2ee_nvr/account/enrol", account=revoked.to_json())
    assert response["error"]["code"] == "invalid_state"
    result = await ws_ok(ws, type="e2ee_nvr/account/revoke", account=revoked.to_json())
    assert result["epoch"] == 3
    assert [i["name"] for i in result["instances"]] == ["Laptop"]
    # Malformed documents are refused with a clear error.
    response = await ws_call(ws, type="e2ee_nvr/account/publish", account={"v": 1})
    assert response["error"]["code"] == "invalid_account"


async def test_trust_changes_need_admin(
    ws: Any,
    hass_admin_user: User,
    account: AccountFixture,
) -> None:
    hass_admin_user.groups = []
    for message in (
        {"type": "e2ee_nvr/account/create", "account": account.document.to_json()},
        {"type": "e2ee_nvr/pairing/list"},
        {"type": "e2ee_nvr/disable", "delete_clips": True},
        {"type": "e2ee_nvr/clips/delete", "clip_ids": ["0" * 32]},
    ):
        response = await ws_call(ws, **message)
        assert response["error"]["code"] == "unauthorized"
    assert (await ws_ok(ws, type="e2ee_nvr/account/get"))["enabled"] is False


@pytest.mark.usefixtures("account_ws")
async def test_cameras_clips_and_turning_off(
    hass: HomeAssistant,
    media_root: Path,
    hass_client_no_auth: ClientSessionGenerator,
    account: AccountFixture,
    client: TestClient[Any, Any],
    ws: Any,
) -> None:
    agent = await pair_agent(client, ws, account, cameras=("front-door", "garage"))
    heartbeat = {
        "agent_version": "0.1.0",
        "recipient_epoch": 1,
        "spool_clips": 0,
        "spool_bytes": 0,
        "cameras": [{"camera_id": "front-door", "state": "recording", "detail": ""}],
    }
    response = await client.post(f"{AGENT}/heartbeat", json=heartbeat, headers=agent.auth)
    assert await response.json() == {"recipient_epoch": 1, "events_visible": True}
    trust = await (await client.get(f"{AGENT}/trust", headers=agent.auth)).json()
    assert trust["recipient_set"] == account.document.recipient_set.to_json()

    day = int(time.time() * 1000) - 3_600_000
    clips = [
        seal_clip(agent, start_ms=day + i * 60_000, camera_id=camera, visible_events=events)
        for i, (camera, events) in enumerate(
            [("front-door", ("motion",)), ("garage", ()), ("front-door", ("person",))]
        )
    ]
    for clip in clips:
        await upload_clip(client, agent, clip)

    devices = (await ws_ok(ws, type="e2ee_nvr/cameras/list"))["devices"]
    assert devices[0]["connected"] is True
    assert {c["camera_id"]: c["clip_count"] for c in devices[0]["cameras"]} == {
        "front-door": 2,
        "garage": 1,
    }
    await ws_ok(
        ws,
        type="e2ee_nvr/cameras/rename",
        device_id=agent.device_id,
        camera_id="garage",
        name="Garage",
    )
    devices = (await ws_ok(ws, type="e2ee_nvr/cameras/list"))["devices"]
    assert [c["name"] for c in devices[0]["cameras"]] == ["Front Door", "Garage"]

    page = await ws_ok(ws, type="e2ee_nvr/clips/list", limit=2)
    assert [c["clip_id"] for c in page["clips"]] == [clips[2].clip_id, clips[1].clip_id]
    rest = await ws_ok(ws, type="e2ee_nvr/clips/list", limit=2, before=page["next"])
    assert [c["clip_id"] for c in rest["clips"]] == [clips[0].clip_id]
    motion = await ws_ok(ws, type="e2ee_nvr/clips/list", event="person")
    assert [c["clip_id"] for c in motion["clips"]] == [clips[2].clip_id]
    garage = await ws_ok(
        ws, type="e2ee_nvr/clips/list", device_id=agent.device_id, camera_id="garage"
    )
    assert [c["clip_id"] for c in garage["clips"]] == [clips[1].clip_id]
    window = await ws_ok(ws, type="e2ee_nvr/clips/list", start_ms=day + 30_000, end_ms=day + 90_000)
    assert [c["clip_id"] for c in window["clips"]] == [clips[1].clip_id]

    found = await ws_ok(ws, type="e2ee_nvr/clips/manifest", clip_id=clips[0].clip_id)
    # The panel parses it with the protocol's strict base64url decoder: nothing else will do.
    assert b64decode(found["device_cert"]) == agent.trust.device_cert_der
    assert found["clip"]["events"] == ["motion"]
    missing = await ws_call(ws, type="e2ee_nvr/clips/manifest", clip_id="f" * 32)
    assert missing["error"]["code"] == "not_found"

    # Panel download: authenticated users only, with Range.
    url = f"/api/e2ee_nvr/clips/{clips[0].clip_id}/video"
    whole = await client.get(url)
    assert await whole.read() == clips[0].objects["video"]
    partial = await client.get(url, headers={"Range": "bytes=32-99"})
    assert partial.status == 206
    assert await partial.read() == clips[0].objects["video"][32:100]
    assert (await client.get(f"/api/e2ee_nvr/clips/{clips[0].clip_id}/thumbnail")).status == 404
    assert (await client.get("/api/e2ee_nvr/clips/nothex/video")).status == 400
    anonymous = await hass_client_no_auth()
    assert (await anonymous.get(url)).status == 401

    deleted = await ws_ok(ws, type="e2ee_nvr/clips/delete", clip_ids=[clips[1].clip_id])
    assert deleted == {"deleted": 1}
    assert not list(media_root.rglob(f"{clips[1].clip_id}.*"))

    await ws_ok(ws, type="e2ee_nvr/cameras/unpair", device_id=agent.device_id)
    response = await client.post(f"{AGENT}/heartbeat", json=heartbeat, headers=agent.auth)
    assert response.status == 401
    assert (await ws_ok(ws, type="e2ee_nvr/cameras/list"))["devices"] == []

    result = await ws_ok(ws, type="e2ee_nvr/disable", delete_clips=True)
    assert result["enabled"] is False
    assert (await ws_ok(ws, type="e2ee_nvr/clips/list"))["clips"] == []
    assert not list(media_root.rglob("*.video"))
    assert not (Path(hass.config.path(".storage", "e2ee_nvr", "account.json"))).exists()
