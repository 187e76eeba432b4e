"""The store side of protocol v2: migration, enrol and revoke with rotation, and refusals."""

from __future__ import annotations

import dataclasses

import pytest
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.e2ee_nvr.protocol import endpoint_v2, kdf
from custom_components.e2ee_nvr.protocol.account import AccountDocument
from custom_components.e2ee_nvr.protocol.account_build_v2 import migrate_v1
from custom_components.e2ee_nvr.protocol.endpoint import Endpoint
from tests.integration.nvr_helpers import AccountFixture, create_account, ws_call, ws_ok

FAST = kdf.KdfParams.new_default(scrypt_n_log2=15, pbkdf2_iterations=10_000)


@pytest.mark.usefixtures("init_integration")
async def test_v1_account_migrates_then_enrols_and_revokes_with_rotation(
    hass_ws_client: WebSocketGenerator,
    account: AccountFixture,
) -> None:
    ws = await hass_ws_client()
    await create_account(ws, account)
    v1 = AccountDocument.from_json(account.document.to_json())
    first = account.first
    owner_v1 = Endpoint(first.account_id, first.root_cert, first.instance_key)
    migrated, owner = migrate_v1(v1, owner_v1, account.passphrase, pdk_params=FAST)
    # Migration is its own change: sent as a plain publish it is refused.
    response = await ws_call(ws, type="e2ee_nvr/account/publish", account=migrated.to_json())
    assert response["error"]["code"] == "invalid_state"
    result = await ws_ok(ws, type="e2ee_nvr/account/migrate", account=migrated.to_json())
    assert result["epoch"] == 2 and result["account"]["v"] == 2
    # Back to the v1 document: refused (a v1 set after a v2 one is RolledBack).
    response = await ws_call(ws, type="e2ee_nvr/account/publish", account=v1.to_json())
    assert response["error"]["code"] in ("invalid_account", "invalid_state")

    enrolled, owner, other = endpoint_v2.enrol(migrated, owner, account.passphrase)
    # The passphrase check is fixed at migration: an enrolment that replaces it is refused.
    new_check = dataclasses.replace(enrolled.passphrase, check=bytes(32))
    response = await ws_call(
        ws,
        type="e2ee_nvr/account/enrol",
        account=dataclasses.replace(enrolled, passphrase=new_check).to_json(),
        instance_name="Phone",
    )
    assert response["error"]["code"] == "invalid_state"
    assert "the passphrase, signing and recovery backups" in response["error"]["message"]
    result = await ws_ok(
        ws, type="e2ee_nvr/account/enrol", account=enrolled.to_json(), instance_name="Phone"
    )
    assert result["epoch"] == 3
    revoked, owner = endpoint_v2.revoke(
        enrolled, owner, account.passphrase, [other.instance_key_id]
    )
    # A revocation that drops a data generation from the history is refused.
    shortened = dataclasses.replace(revoked, data_keys=revoked.data_keys[1:])
    response = await ws_call(ws, type="e2ee_nvr/account/revoke", account=shortened.to_json())
    assert "error" in response
    result = await ws_ok(ws, type="e2ee_nvr/account/revoke", account=revoked.to_json())
    assert result["epoch"] == 4
    assert [i["key_id"] for i in result["instances"]] == [owner.instance_key_id]
    assert len(result["account"]["data_keys"]) == 3
    # Replaying the set from before the revocation is refused.
    response = await ws_call(ws, type="e2ee_nvr/account/publish", account=enrolled.to_json())
    assert response["error"]["code"] in ("invalid_account", "invalid_state")
