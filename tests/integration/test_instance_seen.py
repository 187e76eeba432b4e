"""account/seen: an enrolled browser reports that it opened the panel; account/get shows it."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from homeassistant.auth.models import User
from homeassistant.core import HomeAssistant

from custom_components.e2ee_nvr.runtime import runtime_data
from tests.integration.nvr_helpers import AccountFixture, create_account, ws_call, ws_ok

CLOCK = "custom_components.e2ee_nvr.websocket_account.time.time"


async def test_last_seen_is_recorded_and_rate_limited(
    hass: HomeAssistant,
    ws: Any,
    hass_admin_user: User,
    account: AccountFixture,
) -> None:
    own = account.first.instance_key_id
    # No account yet: nothing to mark.
    response = await ws_call(ws, type="e2ee_nvr/account/seen", instance_key_id=own)
    assert response["error"]["code"] == "not_found"

    created = await create_account(ws, account)
    assert created["instances"][0]["last_seen"] is None
    with patch(CLOCK, return_value=1_000_000):
        await ws_ok(ws, type="e2ee_nvr/account/seen", instance_key_id=own)
    info = await ws_ok(ws, type="e2ee_nvr/account/get")
    assert info["instances"][0]["last_seen"] == 1_000_000

    runtime = runtime_data(hass)
    assert runtime is not None
    with (
        patch.object(runtime.account, "_save", wraps=runtime.account._save) as save,
        patch(CLOCK, return_value=1_000_030),
    ):
        # Under a minute later: answered, but nothing is written.
        await ws_ok(ws, type="e2ee_nvr/account/seen", instance_key_id=own)
    save.assert_not_called()
    info = await ws_ok(ws, type="e2ee_nvr/account/get")
    assert info["instances"][0]["last_seen"] == 1_000_000

    with patch(CLOCK, return_value=1_000_090):
        await ws_ok(ws, type="e2ee_nvr/account/seen", instance_key_id=own)
    # Written to disk: a reload of the store keeps it.
    await hass.async_add_executor_job(runtime.account.load)
    info = await ws_ok(ws, type="e2ee_nvr/account/get")
    assert info["instances"][0]["last_seen"] == 1_000_090

    response = await ws_call(ws, type="e2ee_nvr/account/seen", instance_key_id="0" * 32)
    assert response["error"]["code"] == "not_found"
    response = await ws_call(ws, type="e2ee_nvr/account/seen", instance_key_id="not hex")
    assert response["error"]["code"] == "invalid_format"


async def test_a_non_admin_cannot_vouch_for_a_browser(
    ws: Any,
    hass_admin_user: User,
    account: AccountFixture,
) -> None:
    """Attack: a non-admin user marks a lost or stolen browser as recently used.

    An admin deciding which browsers to revoke reads "last seen"; if any user could set it, a
    stolen browser's instance could be kept looking alive. Only admins may report.
    """
    await create_account(ws, account)
    hass_admin_user.groups = []
    response = await ws_call(
        ws, type="e2ee_nvr/account/seen", instance_key_id=account.first.instance_key_id
    )
    assert response["error"]["code"] == "unauthorized"
    info = await ws_ok(ws, type="e2ee_nvr/account/get")
    assert info["instances"][0]["last_seen"] is None
