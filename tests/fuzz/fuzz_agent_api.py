"""Fuzz target for the agent's side of docs/agent-api.md: every answer a hostile HA can send.

The agent's HaClient turns each answer body into a typed result. Here the real client runs
with its transport replaced by the bytes under test, fed through the same strict parser its
`_call` uses, so every endpoint's interpretation code (pairing start and poll, trust,
heartbeat, upload status) sees hostile JSON. Allowed: HaError and ProtocolError.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from camera_agent.ha_client import MAX_RESPONSE_BYTES, HaClient, HaError, HaRefused
from e2ee_nvr_protocol.encoding import loads
from e2ee_nvr_protocol.envelope import MacedEnvelope
from e2ee_nvr_protocol.errors import MalformedObject, ProtocolError

from .run_sync import run_sync
from .seeds import world

DOCUMENTED_ERRORS: tuple[type[BaseException], ...] = (HaError, ProtocolError)


class _AnsweringClient(HaClient):
    """HaClient whose every call is answered with the fuzzer's bytes, status 200."""

    def __init__(self, body: bytes) -> None:  # no aiohttp session: nothing goes on the wire
        self.base_url = "http://127.0.0.1:9"
        self.token = "fuzz-agent-token"  # noqa: S105 - not a secret: nothing is sent
        self._body = body

    async def _call(
        self, method: str, path: str, *, ok: tuple[int, ...] = (200, 201), **_kw: Any
    ) -> tuple[int, dict[str, Any]]:
        try:
            return 200, loads(self._body or b"{}", max_bytes=MAX_RESPONSE_BYTES)
        except MalformedObject as err:
            raise HaRefused(200, "malformed_response", str(err)) from err


def fuzz_agent_api(data: bytes) -> None:
    """Each of the agent's calls gets `data` as its answer."""
    client = _AnsweringClient(data)
    manifest: dict[str, Any] = {}
    calls: list[Callable[[], Coroutine[Any, Any, object]]] = [
        lambda: client.start_pairing(_request()),
        lambda: client.poll_pairing("00" * 16),
        client.fetch_trust,
        lambda: client.heartbeat({"recipient_epoch": 1}),
        lambda: client.put_manifest("00" * 16, manifest),
    ]
    for call in calls:
        try:
            run_sync(call(), "the client's transport")
        except DOCUMENTED_ERRORS:
            continue


def _request() -> MacedEnvelope:
    return MacedEnvelope.from_json(loads(world().request_bytes))
