"""One shape for the panel's websocket commands: the schema, the admin check, a loaded runtime.

Every command needs the integration's runtime data and must answer `not_loaded` when it is
missing (the entry is unloaded or failed to set up); the decorator does that once, so a
handler receives the runtime and cannot forget the check.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import voluptuous as vol
from homeassistant.components import websocket_api
from homeassistant.core import HomeAssistant

from .protocol.errors import ProtocolError
from .runtime import E2eeRuntimeData, runtime_data

ERR_NOT_LOADED = "not_loaded"


@dataclass(frozen=True)
class PanelCall:
    """One command being answered: its message, the loaded runtime, and the two ways to answer."""

    hass: HomeAssistant
    connection: websocket_api.ActiveConnection
    msg: dict[str, Any]
    runtime: E2eeRuntimeData

    def result(self, payload: Any) -> None:
        self.connection.send_result(self.msg["id"], payload)

    def error(self, code: str, message: str) -> None:
        self.connection.send_error(self.msg["id"], code, message)

    def refuse(self, code: str, err: ProtocolError) -> None:
        """An error naming the protocol's verdict (its error type) as well as its message."""
        self.error(code, f"{type(err).__name__}: {err}")

    def agents_changed(self, payload: Any) -> None:
        """Tell the entry's listeners that the account or its agents changed, then answer."""
        self.runtime.agents_changed()
        self.result(payload)


type PanelHandler = Callable[[PanelCall], Awaitable[None]]


def ws_runtime(
    connection: websocket_api.ActiveConnection, msg: dict[str, Any], hass: HomeAssistant
) -> E2eeRuntimeData | None:
    runtime = runtime_data(hass)
    if runtime is None:
        connection.send_error(msg["id"], ERR_NOT_LOADED, "the e2ee_nvr integration is not loaded")
    return runtime


def runtime_command(
    schema: dict[str | vol.Marker, Any], *, admin: bool
) -> Callable[[PanelHandler], websocket_api.WebSocketCommandHandler]:
    """A websocket command from `handler(call)`, called only when the runtime is loaded.

    `admin` is required, not defaulted: whether a command is admin-only is a security decision
    each command states where it is declared.
    """

    def decorate(handler: PanelHandler) -> websocket_api.WebSocketCommandHandler:
        @wraps(handler)
        async def with_runtime(
            hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
        ) -> None:
            if (runtime := ws_runtime(connection, msg, hass)) is not None:
                await handler(PanelCall(hass, connection, msg, runtime))

        command = websocket_api.async_response(with_runtime)
        if admin:
            command = websocket_api.require_admin(command)
        return websocket_api.websocket_command(schema)(command)

    return decorate
