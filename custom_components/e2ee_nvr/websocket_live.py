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
from .websocket_runtime import PanelCall, runtime_command

CAMERA_REF_PARTS = 2


# Not admin-only: see the module docstring.
@runtime_command(
    {vol.Required("type"): f"{DOMAIN}/live/start", vol.Required("request"): dict}, admin=False
)
async def ws_live_start(call: PanelCall) -> None:
    request: dict[str, Any] = call.msg["request"]
    camera_ref = request.get("camera_ref")
    parts = camera_ref.split("/") if isinstance(camera_ref, str) else []
    if len(parts) != CAMERA_REF_PARTS or not all(parts):
        call.error("MalformedObject", "camera_ref is <device_id>/<camera_id>")
        return
    device_id, camera_id = parts
    agent = call.runtime.agents.by_device(device_id)
    if agent is None or agent.camera(camera_id) is None:
        call.error("not_found", "no paired camera of that name")
        return
    certificate = agent.device_cert_der()
    try:
        offer = await call.runtime.live.request_offer(device_id, camera_id, request)
    except RelayError as err:
        call.error(err.code, str(err))
        return
    call.result(
        {"offer": offer, "device_cert": None if certificate is None else b64encode(certificate)}
    )


@runtime_command(
    {vol.Required("type"): f"{DOMAIN}/live/confirm", vol.Required("confirm"): dict}, admin=False
)
async def ws_live_confirm(call: PanelCall) -> None:
    try:
        await call.runtime.live.confirm(call.msg["confirm"])
    except RelayError as err:
        call.error(err.code, str(err))
        return
    call.result({})


def async_register(hass: HomeAssistant) -> None:
    for handler in (ws_live_start, ws_live_confirm):
        websocket_api.async_register_command(hass, handler)
