"""Panel websocket commands for live view: start (request → offer) and confirm (section 18).

Any HA user who can open the panel may ask, as with clips: HA cannot make a device wrap a live
key to anyone but a requester in the device's own verified recipient set, so who asks through
HA decides nothing. HA only routes: the camera_ref names the agent the request goes to.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.components import websocket_api
from homeassistant.core import HomeAssistant

from .const import DOMAIN
from .live_relay import RelayError
from .protocol.encoding import b64encode
from .websocket_runtime import ws_runtime

CAMERA_REF_PARTS = 2


@websocket_api.websocket_command(
    {vol.Required("type"): f"{DOMAIN}/live/start", vol.Required("request"): dict}
)
@websocket_api.async_response
async def ws_live_start(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is None:
        return
    request: dict[str, Any] = msg["request"]
    camera_ref = request.get("camera_ref")
    parts = camera_ref.split("/") if isinstance(camera_ref, str) else []
    if len(parts) != CAMERA_REF_PARTS or not all(parts):
        connection.send_error(msg["id"], "MalformedObject", "camera_ref is <device_id>/<camera_id>")
        return
    device_id, camera_id = parts
    agent = runtime.agents.by_device(device_id)
    if agent is None or agent.camera(camera_id) is None:
        connection.send_error(msg["id"], "not_found", "no paired camera of that name")
        return
    certificate = agent.device_cert_der()
    try:
        offer = await runtime.live.request_offer(device_id, camera_id, request)
    except RelayError as err:
        connection.send_error(msg["id"], err.code, str(err))
        return
    connection.send_result(
        msg["id"],
        {"offer": offer, "device_cert": None if certificate is None else b64encode(certificate)},
    )


@websocket_api.websocket_command(
    {vol.Required("type"): f"{DOMAIN}/live/confirm", vol.Required("confirm"): dict}
)
@websocket_api.async_response
async def ws_live_confirm(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is None:
        return
    try:
        await runtime.live.confirm(msg["confirm"])
    except RelayError as err:
        connection.send_error(msg["id"], err.code, str(err))
        return
    connection.send_result(msg["id"], {})


def async_register(hass: HomeAssistant) -> None:
    for handler in (ws_live_start, ws_live_confirm):
        websocket_api.async_register_command(hass, handler)
