"""Talk to a running Home Assistant as a logged-in user: REST, websocket and config flows."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import aiohttp

WS_TIMEOUT_SECONDS = 30.0


class HaApiError(RuntimeError):
    """A REST call answered with an error status, or a websocket command failed."""


class HaWebsocket:
    """One authenticated websocket connection; call() sends a command and awaits its result."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self._socket = socket
        self._ids = itertools.count(1)

    async def call_raw(self, message: Mapping[str, Any]) -> dict[str, Any]:
        """The whole result message, success or not; events for other ids are skipped."""
        message_id = next(self._ids)
        await self._socket.send_json({**message, "id": message_id})
        while True:
            reply: dict[str, Any] = await self._socket.receive_json(timeout=WS_TIMEOUT_SECONDS)
            if reply.get("id") == message_id and reply.get("type") == "result":
                return reply

    async def call(self, command: str, **fields: Any) -> Any:
        reply = await self.call_raw({"type": command, **fields})
        if not reply.get("success"):
            raise HaApiError(f"websocket {command} failed: {reply.get('error')}")
        return reply.get("result")

    async def close(self) -> None:
        await self._socket.close()


class HaApi:
    """REST and websocket access with one bearer token (short-lived or long-lived)."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._session = aiohttp.ClientSession(headers={"Authorization": f"Bearer {token}"})

    async def request(self, method: str, path: str, json: Any = None) -> Any:
        async with self._session.request(method, self.base_url + path, json=json) as response:
            if response.status >= 400:
                raise HaApiError(f"{method} {path}: {response.status} {await response.text()}")
            if response.content_type == "application/json":
                return await response.json()
            return await response.read()

    async def get_bytes(self, path: str) -> bytes:
        async with self._session.get(self.base_url + path) as response:
            if response.status != 200:
                raise HaApiError(f"GET {path}: {response.status} {await response.text()}")
            return await response.read()

    async def websocket(self) -> HaWebsocket:
        """Connect to /api/websocket and run HA's auth handshake."""
        socket = await self._session.ws_connect(f"{self.base_url}/api/websocket")
        hello = await socket.receive_json(timeout=WS_TIMEOUT_SECONDS)
        if hello.get("type") != "auth_required":
            raise HaApiError(f"unexpected websocket greeting: {hello}")
        await socket.send_json({"type": "auth", "access_token": self.token})
        answer = await socket.receive_json(timeout=WS_TIMEOUT_SECONDS)
        if answer.get("type") != "auth_ok":
            await socket.close()
            raise HaApiError(f"websocket auth refused: {answer}")
        return HaWebsocket(socket)

    async def call_once(self, command: str, **fields: Any) -> Any:
        """One websocket command on a connection of its own, closed after the answer."""
        socket = await self.websocket()
        try:
            return await socket.call(command, **fields)
        finally:
            await socket.close()

    async def run_config_flow(self, domain: str, user_input: Mapping[str, Any]) -> dict[str, Any]:
        """Start a config flow and submit one form, as the UI's "Add integration" does."""
        started = await self.request("POST", "/api/config/config_entries/flow", {"handler": domain})
        if started.get("type") != "form":
            raise HaApiError(f"config flow for {domain} did not show a form: {started}")
        result: dict[str, Any] = await self.request(
            "POST", f"/api/config/config_entries/flow/{started['flow_id']}", dict(user_input)
        )
        if result.get("type") != "create_entry":
            raise HaApiError(f"config flow for {domain} did not create an entry: {result}")
        return result

    async def entry_id(self, domain: str) -> str:
        """The id of the domain's one config entry."""
        entries = await self.request("GET", f"/api/config/config_entries/entry?domain={domain}")
        if len(entries) != 1:
            raise HaApiError(f"expected one {domain} entry, found {len(entries)}")
        return str(entries[0]["entry_id"])

    async def run_options_flow(
        self, entry_id: str, menu_choice: str, *forms: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Open an entry's options (a menu), pick `menu_choice`, submit each form in turn, as
        the UI's "Configure" does; the flow must end by saving the options."""
        base = "/api/config/config_entries/options/flow"
        step = await self.request("POST", base, {"handler": entry_id})
        if step.get("type") != "menu":
            raise HaApiError(f"options flow for {entry_id} did not show its menu: {step}")
        flow = f"{base}/{step['flow_id']}"
        step = await self.request("POST", flow, {"next_step_id": menu_choice})
        for form in forms:
            if step.get("type") != "form":
                raise HaApiError(f"options flow ended before a form was due: {step}")
            step = await self.request("POST", flow, dict(form))
        if step.get("type") != "create_entry":
            raise HaApiError(f"options flow for {entry_id} did not save: {step}")
        result: dict[str, Any] = step
        return result

    async def close(self) -> None:
        await self._session.close()

    async def __aenter__(self) -> HaApi:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()
