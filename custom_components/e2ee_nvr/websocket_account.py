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
from .runtime import E2eeRuntimeData, runtime_data

ERR_NOT_LOADED = "not_loaded"


def ws_runtime(
    connection: websocket_api.ActiveConnection, msg: dict[str, Any], hass: HomeAssistant
) -> E2eeRuntimeData | None:
    runtime = runtime_data(hass)
    if runtime is None:
        connection.send_error(msg["id"], ERR_NOT_LOADED, "the e2ee_nvr integration is not loaded")
    return runtime


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


@websocket_api.websocket_command({vol.Required("type"): f"{DOMAIN}/account/get"})
@websocket_api.async_response
async def ws_account_get(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is not None:
        connection.send_result(msg["id"], account_json(runtime.account.state))


@websocket_api.websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/account/seen",
        vol.Required("instance_key_id"): vol.All(str, vol.Match(r"^[0-9a-f]{32}$")),
    }
)
@websocket_api.require_admin
@websocket_api.async_response
async def ws_account_seen(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    """An enrolled browser opened the panel: note when.

    Admins only. HA cannot tell which enrolled browser a websocket connection runs in (the
    instance key is an ECDH key and cannot sign a challenge), so "last seen" is a claim by
    whoever calls. Only admins may enrol or revoke browsers; letting any other user vouch for
    a browser would let them make a lost or stolen one look in use, so that an admin keeps it
    enrolled. A non-admin's panel simply does not report (it ignores the error).
    """
    if (runtime := ws_runtime(connection, msg, hass)) is None:
        return
    known = await hass.async_add_executor_job(
        runtime.account.mark_seen, msg["instance_key_id"], int(time.time())
    )
    if not known:
        connection.send_error(msg["id"], "not_found", "no such instance in the account")
        return
    connection.send_result(msg["id"], {})


def _account_command(change: Change | Literal["create"]) -> Any:
    """account/create and account/{enrol,revoke,publish,rotate,migrate}: the same checks, one store
    call."""
    schema: dict[str | vol.Marker, Any] = {
        vol.Required("type"): f"{DOMAIN}/account/{change}",
        vol.Required("account"): dict,
        vol.Optional("instance_name", default=""): vol.All(str, vol.Length(max=64)),
    }

    @websocket_api.websocket_command(schema)
    @websocket_api.require_admin
    @websocket_api.async_response
    async def handler(
        hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
    ) -> None:
        if (runtime := ws_runtime(connection, msg, hass)) is None:
            return
        try:
            if change == "create":
                state = await hass.async_add_executor_job(
                    runtime.account.create, msg["account"], msg["instance_name"]
                )
            else:
                state = await hass.async_add_executor_job(
                    runtime.account.update, msg["account"], change, msg["instance_name"]
                )
        except AccountStateError as err:
            connection.send_error(msg["id"], "invalid_state", str(err))
            return
        except ProtocolError as err:
            connection.send_error(msg["id"], "invalid_account", f"{type(err).__name__}: {err}")
            return
        runtime.agents_changed()
        connection.send_result(msg["id"], account_json(state))

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


@websocket_api.websocket_command({vol.Required("type"): f"{DOMAIN}/pairing/list"})
@websocket_api.require_admin
@websocket_api.async_response
async def ws_pairing_list(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is None:
        return
    runtime.agents.expire(int(time.time()))
    sessions = [
        _session_json(r)
        for r in runtime.agents.records()
        if r.state == "pending" or (r.result is None and r.state == "active")
    ]
    connection.send_result(msg["id"], {"sessions": sessions})


@websocket_api.websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/pairing/grant",
        vol.Required("session_id"): str,
        vol.Required("grant"): dict,
    }
)
@websocket_api.require_admin
@websocket_api.async_response
async def ws_pairing_grant(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is None:
        return
    state = runtime.account.state
    if state is None:
        connection.send_error(msg["id"], "invalid_state", "no account")
        return
    session_id: str = msg["session_id"]
    try:
        pending = runtime.agents.pending(session_id, int(time.time()))
        maced, device_der = await hass.async_add_executor_job(
            check_grant,
            session_id,
            pending.device_id,
            msg["grant"],
            state.document.root_cert_der,
        )
        # Checked again on the loop: the session may have expired or been refused meanwhile.
        record = runtime.agents.activate(session_id, maced, device_der, int(time.time()))
    except PairingError as err:
        connection.send_error(msg["id"], err.code, str(err))
        return
    except ProtocolError as err:
        connection.send_error(msg["id"], "invalid_grant", f"{type(err).__name__}: {err}")
        return
    runtime.agents_changed()
    connection.send_result(msg["id"], _session_json(record))


@websocket_api.websocket_command(
    {vol.Required("type"): f"{DOMAIN}/pairing/refuse", vol.Required("session_id"): str}
)
@websocket_api.require_admin
@websocket_api.async_response
async def ws_pairing_refuse(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is None:
        return
    try:
        record = runtime.agents.refuse(msg["session_id"], int(time.time()))
    except PairingError as err:
        connection.send_error(msg["id"], err.code, str(err))
        return
    runtime.agents_changed()
    connection.send_result(msg["id"], _session_json(record))


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


@websocket_api.websocket_command({vol.Required("type"): f"{DOMAIN}/cameras/list"})
@websocket_api.async_response
async def ws_cameras_list(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is not None:
        devices = await hass.async_add_executor_job(camera_list, runtime)
        connection.send_result(msg["id"], {"devices": devices})


@websocket_api.websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/cameras/rename",
        vol.Required("device_id"): str,
        vol.Required("camera_id"): str,
        vol.Required("name"): vol.All(str, vol.Length(min=1, max=64)),
    }
)
@websocket_api.require_admin
@websocket_api.async_response
async def ws_cameras_rename(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is None:
        return
    _change_agents(
        connection,
        msg,
        runtime,
        lambda: runtime.agents.rename_camera(msg["device_id"], msg["camera_id"], msg["name"]),
    )


@websocket_api.websocket_command(
    {vol.Required("type"): f"{DOMAIN}/cameras/unpair", vol.Required("device_id"): str}
)
@websocket_api.require_admin
@websocket_api.async_response
async def ws_cameras_unpair(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is None:
        return
    _change_agents(connection, msg, runtime, lambda: runtime.agents.unpair(msg["device_id"]))


@callback
def _change_agents(
    connection: websocket_api.ActiveConnection,
    msg: dict[str, Any],
    runtime: E2eeRuntimeData,
    change: Callable[[], object],
) -> None:
    """Run one change of the agent registry (on the loop, which owns it); answer error or {}."""
    try:
        change()
    except PairingError as err:
        connection.send_error(msg["id"], err.code, str(err))
        return
    runtime.agents_changed()
    connection.send_result(msg["id"], {})


@websocket_api.websocket_command(
    {vol.Required("type"): f"{DOMAIN}/disable", vol.Required("delete_clips"): bool}
)
@websocket_api.require_admin
@websocket_api.async_response
async def ws_disable(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is None:
        return
    # Revoked, not forgotten: an agent that calls again learns (401) that it must re-pair.
    runtime.agents.revoke_all()
    await hass.async_add_executor_job(turn_off, runtime, msg["delete_clips"])
    runtime.agents_changed()
    runtime.clips_changed()
    connection.send_result(msg["id"], account_json(None))


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
