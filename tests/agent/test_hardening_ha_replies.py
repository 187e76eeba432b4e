"""What the agent reads from Home Assistant is bounded and parsed strictly.

The attack: a hostile or compromised Home Assistant (or anything answering on its address)
answers the agent's calls with a reply too large to hold, or one nested deep enough to blow the
Python stack. On main the first took the agent from 47 to 1,293 MiB and the second raised an
unhandled RecursionError.
"""

from __future__ import annotations

import contextlib
import json
import resource
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from camera_agent.ha_client import MAX_RESPONSE_BYTES, HaClient, HaRefused, ResponseTooLarge
from devstack.ports import free_port
from tests.fuzz import fuzz_ha_reply

HUGE_BYTES = 600 * 1024 * 1024
PIECE = b"[" * (1 << 20)


async def streamed_huge(request: web.Request) -> web.StreamResponse:
    """600 MiB of JSON-looking bytes, generated as sent (the test itself never holds them)."""
    response = web.StreamResponse(headers={"Content-Type": "application/json"})
    await response.prepare(request)
    try:
        for _ in range(HUGE_BYTES // len(PIECE)):
            await response.write(PIECE)
    except (ConnectionResetError, RuntimeError):
        pass  # the agent hung up once it had read enough: what we want
    return response


async def deep(_request: web.Request) -> web.Response:
    return web.Response(body=b"[" * 100_000 + b"]" * 100_000, content_type="application/json")


async def deep_object(_request: web.Request) -> web.Response:
    body = b'{"a":' * 200 + b"1" + b"}" * 200
    return web.Response(body=body, content_type="application/json")


@pytest.fixture
async def hostile_ha() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/api/e2ee_nvr/agent/trust", streamed_huge)
    app.router.add_post("/api/e2ee_nvr/agent/heartbeat", deep)
    app.router.add_post("/api/e2ee_nvr/agent/pairing/x/result", deep_object)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_a_600_mib_reply_is_refused_without_reading_it(hostile_ha: str) -> None:
    """Attack: a chunked (no Content-Length) 600 MiB answer to GET trust."""
    client = HaClient(hostile_ha, "token")
    before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        with pytest.raises(ResponseTooLarge):
            await client.fetch_trust()
    finally:
        await client.close()
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kib) / 1024
    print(f"peak RSS grew by {grown_mib:.1f} MiB reading a 600 MiB reply")
    # A bound on what was buffered, not a timing: far below the reply, near the cap.
    assert grown_mib < 64 * MAX_RESPONSE_BYTES / (1 << 20)


async def test_deeply_nested_replies_give_the_protocol_error(hostile_ha: str) -> None:
    """Attack: 100,000 nested arrays (RecursionError in json) and 200 nested objects."""
    client = HaClient(hostile_ha, "token")
    try:
        with pytest.raises(HaRefused, match="malformed_response"):
            await client.heartbeat({})
        with pytest.raises(HaRefused, match="nested deeper"):
            await client.report_pairing("x", accepted=True, reason="")
    finally:
        await client.close()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
ANSWER_KEYS = st.sampled_from(
    ["session_id", "agent_token", "expires_at", "recipient_epoch", "events_visible", "stored",
     "missing", "error", "message"]
)  # fmt: skip


@settings(max_examples=300)
@given(st.integers(0, 255), st.dictionaries(ANSWER_KEYS, JSON_VALUES))
def test_answers_with_wrong_fields_raise_only_ha_error(status: int, answer: dict[str, Any]) -> None:
    """Attack: HA answers with the right keys holding the wrong types (KeyError, TypeError
    and ValueError escaped start_pairing on main)."""
    body = json.dumps(answer).encode()
    with contextlib.suppress(*fuzz_ha_reply.DOCUMENTED_ERRORS):
        fuzz_ha_reply.fuzz_ha_reply(bytes([status]) + body)


@settings(max_examples=300)
@given(st.binary(max_size=512))
def test_arbitrary_answer_bytes_raise_only_ha_error(data: bytes) -> None:
    with contextlib.suppress(*fuzz_ha_reply.DOCUMENTED_ERRORS):
        fuzz_ha_reply.fuzz_ha_reply(data)
