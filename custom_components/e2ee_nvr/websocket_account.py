"""Panel websocket commands for trust: the account, instances, pairing, cameras, turning off.

Every command that changes trust is admin-only. The store verifies each document it is given
against the stored root (account_store.py), so even an admin's browser cannot roll back the
recipient set or swap the account's keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

import voluptuous as vol
from homeassistant.components import websocket_api
from homeassistant.core import HomeAssistant, callback

from .account_store import AccountState, AccountStateError, Change
from .agents import AgentRecord, PairingError
from .const import AGENT_SILENT_SECONDS, DOMAIN
from .pairing_relay import check_grant
from .protocol.errors import ProtocolError
from .runtime import E2eeRuntimeData
from .websocket_runtime import PanelCall, runtime_command


def account_json(state: AccountState | None) -> dict[str, Any]:
    if state is None:
        return {"enabled": False, "account": None, "epoch": 0, "instances": []}
    return {
        "enabled": True,
        "account": state.document.to_json(),
        "epoch": state.recipient_set.epoch,
        "instances": [
            {
                "key_id": entry.key_id,
                "name": state.instance_meta[entry.key_id].name
                if entry.key_id in state.instance_meta
                else "",
                "enrolled_at": state.instance_meta[entry.key_id].enrolled_at
                if entry.key_id in state.instance_meta
                else None,
                "last_seen": state.instance_meta[entry.key_id].last_seen
                if entry.key_id in state.instance_meta
                else None,
            }
            for entry in state.document.instances
        ],
    }


@runtime_command({vol.Required("type"): f"{DOMAIN}/account/get"}, admin=False)
async def ws_account_get(call: PanelCall) -> None:
    call.result(account_json(call.runtime.account.state))


@runtime_command(
    {
        vol.Required("type"): f"{DOMAIN}/account/seen",
        vol.Required("instance_key_id"): vol.All(str, vol.Match(r"^[0-9a-f]{32}$")),
    },
    admin=True,
)
async def ws_account_seen(call: PanelCall) -> None:
    """An enrolled browser opened the panel: note when.

    Admins only. HA cannot tell which enrolled browser a websocket connection runs in (the
    instance key is an ECDH key and cannot sign a challenge), so "last seen" is a claim by
    whoever calls. Only admins may enrol or revoke browsers; letting any other user vouch for
    a browser would let them make a lost or stolen one look in use, so that an admin keeps it
    enrolled. A non-admin's panel simply does not report (it ignores the error).
    """
    known = await call.hass.async_add_executor_job(
        call.runtime.account.mark_seen, call.msg["instance_key_id"], int(time.time())
    )
    if not known:
        call.error("not_found", "no such instance in the account")
        return
    call.result({})


def _account_command(change: Change | Literal["create"]) -> Any:
    """account/create and account/{enrol,revoke,publish,rotate,migrate}: the same checks, one store
    call."""
    schema: dict[str | vol.Marker, Any] = {
        vol.Required("type"): f"{DOMAIN}/account/{change}",
        vol.Required("account"): dict,
        vol.Optional("instance_name", default=""): vol.All(str, vol.Length(max=64)),
    }

    @runtime_command(schema, admin=True)
    async def handler(call: PanelCall) -> None:
        try:
            if change == "create":
                state = await call.hass.async_add_executor_job(
                    call.runtime.account.create, call.msg["account"], call.msg["instance_name"]
                )
            else:
                state = await call.hass.async_add_executor_job(
                    call.runtime.account.update,
                    call.msg["account"],
                    change,
                    call.msg["instance_name"],
                )
        except AccountStateError as err:
            call.error("invalid_state", str(err))
            return
        except ProtocolError as err:
            call.refuse("invalid_account", err)
            return
        call.agents_changed(account_json(state))

    return handler


ws_account_create = _account_command("create")
ws_account_enrol = _account_command("enrol")
ws_account_revoke = _account_command("revoke")
ws_account_publish = _account_command("publish")
ws_account_rotate = _account_command("rotate")
ws_account_migrate = _account_command("migrate")


def _session_json(record: AgentRecord) -> dict[str, Any]:
    """A pairing session for the admin's list.

    Anyone on the network can send a pairing request, so its agent and camera names are the
    sender's own words: `names_verified` is false to say so (the panel shows them as claims).
    The pairing code the admin types is what authenticates the request, not these names.
    """
    return {
        "session_id": record.session_id,
        "state": record.state,
        "device_id": record.device_id,
        "names_verified": False,
        "agent_name": record.agent_name,
        "cameras": [{"camera_id": c.camera_id, "name": c.name} for c in record.cameras],
        "expires_at": record.expires_at,
        "request": record.request,
        "result": record.result,
    }


@runtime_command({vol.Required("type"): f"{DOMAIN}/pairing/list"}, admin=True)
async def ws_pairing_list(call: PanelCall) -> None:
    call.runtime.agents.expire(int(time.time()))
    sessions = [
        _session_json(r)
        for r in call.runtime.agents.records()
        if r.state == "pending" or (r.result is None and r.state == "active")
    ]
    call.result({"sessions": sessions})


@runtime_command(
    {
        vol.Required("type"): f"{DOMAIN}/pairing/grant",
        vol.Required("session_id"): str,
        vol.Required("grant"): dict,
    },
    admin=True,
)
async def ws_pairing_grant(call: PanelCall) -> None:
    state = call.runtime.account.state
    if state is None:
        call.error("invalid_state", "no account")
        return
    session_id: str = call.msg["session_id"]
    try:
        pending = call.runtime.agents.pending(session_id, int(time.time()))
        maced, device_der = await call.hass.async_add_executor_job(
            check_grant,
            session_id,
            pending.device_id,
            call.msg["grant"],
            state.document.root_cert_der,
        )
        # Checked again on the loop: the session may have expired or been refused meanwhile.
        record = call.runtime.agents.activate(session_id, maced, device_der, int(time.time()))
    except PairingError as err:
        call.error(err.code, str(err))
        return
    except ProtocolError as err:
        call.refuse("invalid_grant", err)
        return
    call.agents_changed(_session_json(record))


@runtime_command(
    {vol.Required("type"): f"{DOMAIN}/pairing/refuse", vol.Required("session_id"): str}, admin=True
)
async def ws_pairing_refuse(call: PanelCall) -> None:
    try:
        record = call.runtime.agents.refuse(call.msg["session_id"], int(time.time()))
    except PairingError as err:
        call.error(err.code, str(err))
        return
    call.agents_changed(_session_json(record))


def camera_list(runtime: E2eeRuntimeData) -> list[dict[str, Any]]:
    stats = {(d, c): (n, m) for d, c, n, m in runtime.index.cameras()}
    now = time.time()
    devices = []
    for record in runtime.agents.active():
        silent = record.last_seen is None or now - record.last_seen > AGENT_SILENT_SECONDS
        devices.append(
            {
                "device_id": record.device_id,
                "agent_name": record.agent_name,
                "connected": not silent,
                "last_seen": record.last_seen,
                "heartbeat": record.heartbeat,
                "cameras": [
                    {
                        "camera_id": c.camera_id,
                        "name": c.name,
                        "clip_count": stats.get((record.device_id, c.camera_id), (0, None))[0],
                        "last_clip_ms": stats.get((record.device_id, c.camera_id), (0, None))[1],
                    }
                    for c in record.cameras
                ],
            }
        )
    return devices


@runtime_command({vol.Required("type"): f"{DOMAIN}/cameras/list"}, admin=False)
async def ws_cameras_list(call: PanelCall) -> None:
    devices = await call.hass.async_add_executor_job(camera_list, call.runtime)
    call.result({"devices": devices})


@runtime_command(
    {
        vol.Required("type"): f"{DOMAIN}/cameras/rename",
        vol.Required("device_id"): str,
        vol.Required("camera_id"): str,
        vol.Required("name"): vol.All(str, vol.Length(min=1, max=64)),
    },
    admin=True,
)
async def ws_cameras_rename(call: PanelCall) -> None:
    msg = call.msg
    _change_agents(
        call,
        lambda: call.runtime.agents.rename_camera(msg["device_id"], msg["camera_id"], msg["name"]),
    )


@runtime_command(
    {vol.Required("type"): f"{DOMAIN}/cameras/unpair", vol.Required("device_id"): str}, admin=True
)
async def ws_cameras_unpair(call: PanelCall) -> None:
    _change_agents(call, lambda: call.runtime.agents.unpair(call.msg["device_id"]))


@callback
def _change_agents(call: PanelCall, change: Callable[[], object]) -> None:
    """Run one change of the agent registry (on the loop, which owns it); answer error or {}."""
    try:
        change()
    except PairingError as err:
        call.error(err.code, str(err))
        return
    call.agents_changed({})


@runtime_command(
    {vol.Required("type"): f"{DOMAIN}/disable", vol.Required("delete_clips"): bool}, admin=True
)
async def ws_disable(call: PanelCall) -> None:
    # Revoked, not forgotten: an agent that calls again learns (401) that it must re-pair.
    call.runtime.agents.revoke_all()
    await call.hass.async_add_executor_job(turn_off, call.runtime, call.msg["delete_clips"])
    call.runtime.agents_changed()
    call.runtime.clips_changed()
    call.result(account_json(None))


def turn_off(runtime: E2eeRuntimeData, delete_clips: bool) -> None:
    """Destroy the account's key material; maybe the clips too (agents are revoked first)."""
    runtime.account.destroy()
    if delete_clips:
        runtime.index.clear()
        runtime.objects.delete_all()
        runtime.clips.delete_staging()


@callback
def async_register(hass: HomeAssistant) -> None:
    for handler in (
        ws_account_get,
        ws_account_seen,
        ws_account_create,
        ws_account_enrol,
        ws_account_revoke,
        ws_account_publish,
        ws_account_rotate,
        ws_account_migrate,
        ws_pairing_list,
        ws_pairing_grant,
        ws_pairing_refuse,
        ws_cameras_list,
        ws_cameras_rename,
        ws_cameras_unpair,
        ws_disable,
    ):
        websocket_api.async_register_command(hass, handler)
