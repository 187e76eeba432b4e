"""The live relay in a real HA: auth, routing, refusals, fan-out, joiners, slow viewers."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.e2ee_nvr import live_relay
from custom_components.e2ee_nvr.protocol.encoding import b64encode
from tests.integration.live_agent import (
    RECORD_END,
    RECORD_INIT,
    RECORD_MEDIA,
    LiveAgentSide,
    Upload,
    record,
    split_records,
)
from tests.integration.nvr_helpers import AGENT, AccountFixture, Agent, pair_agent, ws_call, ws_ok

LIVE = "/api/e2ee_nvr/live"
GUARD_SECONDS = 30.0  # a hung test fails here; never a measurement
CIPHERTEXT_MARKER = b"LIVE-CIPHERTEXT-MARKER-91c2"


@pytest.fixture(autouse=True)
def short_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty polls answer after 0.2 s instead of 25 s, so a test's agent loop turns over."""
    monkeypatch.setattr(live_relay, "POLL_WAIT_SECONDS", 0.2)


def live_request(account: AccountFixture, agent: Agent, camera_id: str = "front-door") -> Any:
    return {
        "v": 1,
        "type": "live-request",
        "account_id": account.document.account_id,
        "camera_ref": f"{agent.device_id}/{camera_id}",
        "key_id": account.first.instance_key_id,
        "nonce": b64encode(secrets.token_bytes(16)),
    }


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(GUARD_SECONDS):
        while not condition():
            await asyncio.sleep(0.05)


async def start_live(ws: Any, account: AccountFixture, agent: Agent) -> dict[str, Any]:
    result: dict[str, Any] = await ws_ok(
        ws, type="e2ee_nvr/live/start", request=live_request(account, agent)
    )
    return result


@asynccontextmanager
async def started_session(
    client: TestClient[Any, Any], ws: Any, account: AccountFixture, agent: Agent
) -> AsyncIterator[bytes]:
    """A live session the agent side has offered and keeps serving; yields its id."""
    side = LiveAgentSide(client, agent)
    async with side.running():
        await start_live(ws, account, agent)
        yield side.session_id


async def watch_and_upload(
    client: TestClient[Any, Any], agent: Agent, session: bytes
) -> tuple[Any, Upload]:
    """A viewer on the session, then the agent's upload (in that order: it sees every record)."""
    viewer = await client.get(f"{LIVE}/{session.hex()}")
    return viewer, Upload(client, agent, session.hex())


async def read_records(response: Any, count: int) -> list[tuple[int, int, bytes]]:
    data = b""
    found: list[tuple[int, int, bytes]] = []
    async with asyncio.timeout(GUARD_SECONDS):
        while len(found) < count:
            data += await response.content.readexactly(36)
            ct_len = int.from_bytes(data[32:36], "big")
            data += await response.content.readexactly(ct_len)
            found += split_records(data)
            data = b""
    return found


async def test_start_confirm_and_fan_out_to_two_viewers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    client: TestClient[Any, Any],
    account_ws: Any,
    account: AccountFixture,
    agent: Agent,
) -> None:
    side = LiveAgentSide(client, agent)
    async with side.running():
        started = await start_live(account_ws, account, agent)
        assert started["offer"]["signer"] == agent.device_id
        assert started["device_cert"]
        assert side.requests[0]["camera_ref"] == f"{agent.device_id}/front-door"
        session = side.session_id
        confirm = {"v": 1, "type": "live-confirm", "session_id": session.hex(), "key_id": "0" * 32}
        assert await ws_ok(account_ws, type="e2ee_nvr/live/confirm", confirm=confirm) == {}
        assert side.confirms == [confirm]

        first = await client.get(f"{LIVE}/{session.hex()}")
        second = await client.get(f"{LIVE}/{session.hex()}")
        assert first.status == second.status == 200
        assert first.headers["Content-Type"] == "application/octet-stream"
        assert first.headers["Cache-Control"] == "no-store"
        await until(lambda: side.viewers[-1] == {session.hex(): 2})
        # Diagnostics show the session for a bug report, but not its id (a viewer URL holds it).
        diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, init_integration)
        sessions: list[dict[str, Any]] = diagnostics["live_sessions"]  # type: ignore[assignment]
        assert [(s["camera_id"], s["viewers"]) for s in sessions] == [("front-door", 2)]
        assert session.hex() not in str(diagnostics)

        upload = Upload(client, agent, session.hex())
        sent = [
            record(session, RECORD_INIT, 0, b"init" + CIPHERTEXT_MARKER),
            record(session, RECORD_MEDIA, 1, b"media-1" + CIPHERTEXT_MARKER),
            record(session, RECORD_MEDIA, 2, b"media-2" + CIPHERTEXT_MARKER),
            record(session, RECORD_END, 3, b"end" + bytes(16)),
        ]
        for piece in sent:
            upload.send(piece)
        for viewer in (first, second):
            got = await read_records(viewer, 4)
            assert [(t, s) for t, s, _b in got] == [(1, 0), (2, 1), (2, 2), (3, 3)]
            assert await viewer.content.read() == b""  # the stream ends after the end record
        assert await upload.finish() == (200, {"records": 4})
        await until(lambda: side.viewers[-1] == {})

    # Nothing of the stream was written anywhere HA keeps files.
    roots = [Path(hass.config.config_dir), *map(Path, hass.config.media_dirs.values())]
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                assert CIPHERTEXT_MARKER not in path.read_bytes(), path


async def test_a_joiner_gets_the_latest_init_then_the_latest_fragment(
    client: TestClient[Any, Any], account_ws: Any, account: AccountFixture, agent: Agent
) -> None:
    async with started_session(client, account_ws, account, agent) as session:
        early, upload = await watch_and_upload(client, agent, session)
        upload.send(record(session, RECORD_INIT, 0, b"i0" + bytes(16)))
        upload.send(record(session, RECORD_MEDIA, 1, b"m1" + bytes(16)))
        assert [s for _t, s, _b in await read_records(early, 2)] == [0, 1]
        upload.send(record(session, RECORD_INIT, 2, b"i2" + bytes(16)))
        assert [s for _t, s, _b in await read_records(early, 1)] == [2]
        upload.send(record(session, RECORD_MEDIA, 3, b"m3" + bytes(16)))
        upload.send(record(session, RECORD_MEDIA, 4, b"m4" + bytes(16)))
        assert [s for _t, s, _b in await read_records(early, 2)] == [3, 4]

        late = await client.get(f"{LIVE}/{session.hex()}")
        got = await read_records(late, 2)
        assert [(t, s) for t, s, _b in got] == [(RECORD_INIT, 2), (RECORD_MEDIA, 4)]
        upload.send(record(session, RECORD_MEDIA, 5, b"m5" + bytes(16)))
        assert [s for _t, s, _b in await read_records(late, 1)] == [5]
        await upload.finish()


async def test_a_slow_viewer_loses_whole_fragments_not_parts(
    client: TestClient[Any, Any], account_ws: Any, account: AccountFixture, agent: Agent
) -> None:
    async with started_session(client, account_ws, account, agent) as session:
        slow, upload = await watch_and_upload(client, agent, session)
        fragment = bytes(1 << 20)
        count = 64  # 64 MiB: more than the viewer queue and every socket buffer together hold
        upload.send(record(session, RECORD_INIT, 0, b"init" + bytes(16)))
        for seq in range(1, count + 1):
            upload.send(record(session, RECORD_MEDIA, seq, fragment))
        upload.send(record(session, RECORD_END, count + 1, bytes(20)))
        assert await upload.finish() == (200, {"records": count + 2})
        # Only now does the viewer read: whatever it gets is whole records, in order, with
        # the init first and the end last, and fragments missing in between.
        got = split_records(await asyncio.wait_for(slow.content.read(), GUARD_SECONDS))
        seqs = [s for _t, s, _b in got]
        assert got[0][0] == RECORD_INIT and got[-1][0] == RECORD_END
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        assert all(len(b) == len(fragment) for t, _s, b in got if t == RECORD_MEDIA)
        assert len(got) < count + 2, "a slow viewer must lose fragments, not buffer them all"


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (lambda s: record(secrets.token_bytes(16), RECORD_MEDIA, 1, bytes(16)), "HeaderMismatch"),
        (
            lambda s: record(s, RECORD_MEDIA, 1, b"")[:32] + ((1 << 24) + 17).to_bytes(4, "big"),
            "MalformedObject",
        ),
        (lambda s: record(s, 9, 1, bytes(16)), "MalformedObject"),
        (lambda s: record(s, RECORD_MEDIA, 1, bytes(40))[:50], "Truncated"),
    ],
    ids=["another-session", "oversize-ct-len", "unknown-type", "truncated"],
)
async def test_a_bad_record_drops_the_upload_and_ends_the_session(
    client: TestClient[Any, Any],
    account_ws: Any,
    account: AccountFixture,
    agent: Agent,
    bad: Callable[[bytes], bytes],
    error: str,
) -> None:
    async with started_session(client, account_ws, account, agent) as session:
        viewer, upload = await watch_and_upload(client, agent, session)
        upload.send(record(session, RECORD_INIT, 0, b"init" + bytes(16)))
        upload.send(bad(session))
        status, body = await upload.finish()
        assert (status, body["error"]) == (400, error)
        got = split_records(await asyncio.wait_for(viewer.content.read(), GUARD_SECONDS))
        assert [(t, s) for t, s, _b in got] == [(RECORD_INIT, 0)]  # nothing of the bad one
        assert (await client.get(f"{LIVE}/{session.hex()}")).status == 404


async def test_auth_agents_and_users_are_kept_apart(
    hass: HomeAssistant,
    client: TestClient[Any, Any],
    account_ws: Any,
    account: AccountFixture,
    agent: Agent,
    hass_client_no_auth: ClientSessionGenerator,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    anonymous = await hass_client_no_auth()
    session_hex = secrets.token_hex(16)
    assert (await anonymous.get(f"{LIVE}/{session_hex}")).status == 401
    # An agent credential is not a user login, and a user login is not an agent credential.
    assert (await anonymous.get(f"{LIVE}/{session_hex}", headers=agent.auth)).status == 401
    for method, path in [
        ("GET", "live/poll"),
        ("POST", "live/offer"),
        ("POST", "live/confirmed"),
        ("POST", f"live/stream/{session_hex}"),
    ]:
        response = await client.request(method, f"{AGENT}/{path}")
        assert response.status == 401, path
    assert (await client.get(f"{LIVE}/{session_hex}")).status == 404  # unknown session

    # A non-admin user of the panel can start and watch.
    reader_ws = await hass_ws_client(hass, hass_read_only_access_token)
    reader = await hass_client(hass_read_only_access_token)
    side = LiveAgentSide(client, agent)
    async with side.running():
        await start_live(reader_ws, account, agent)
        viewer = await reader.get(f"{LIVE}/{side.session_id.hex()}")
        assert viewer.status == 200
        viewer.close()


async def test_errors_reach_the_browser_by_name(
    client: TestClient[Any, Any], account_ws: Any, account: AccountFixture, agent: Agent
) -> None:
    # No poll yet: the agent is offline.
    response = await ws_call(
        account_ws, type="e2ee_nvr/live/start", request=live_request(account, agent)
    )
    assert response["error"]["code"] == "agent_offline"
    unknown = live_request(account, agent, "back-yard")
    response = await ws_call(account_ws, type="e2ee_nvr/live/start", request=unknown)
    assert response["error"]["code"] == "not_found"

    side = LiveAgentSide(client, agent, refuse_with="NotEnrolled")
    async with side.running():
        response = await ws_call(
            account_ws, type="e2ee_nvr/live/start", request=live_request(account, agent)
        )
        assert response["error"]["code"] == "NotEnrolled"
        side.refuse_with = "camera_offline"
        response = await ws_call(
            account_ws, type="e2ee_nvr/live/start", request=live_request(account, agent)
        )
        assert response["error"]["code"] == "camera_offline"
    confirm = {"session_id": secrets.token_hex(16)}
    response = await ws_call(account_ws, type="e2ee_nvr/live/confirm", confirm=confirm)
    assert response["error"]["code"] == "not_found"


async def test_an_agent_cannot_answer_for_another(
    client: TestClient[Any, Any],
    account_ws: Any,
    account: AccountFixture,
    agent: Agent,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = await pair_agent(client, account_ws, account, ("garden",))
    monkeypatch.setattr(live_relay, "ANSWER_TIMEOUT_SECONDS", 2.0)
    poll = await client.get(f"{AGENT}/live/poll", headers=agent.auth)
    assert poll.status == 200
    start = asyncio.create_task(
        ws_call(account_ws, type="e2ee_nvr/live/start", request=live_request(account, agent))
    )
    requests: list[dict[str, Any]] = []
    while not requests:
        requests = (await (await client.get(f"{AGENT}/live/poll", headers=agent.auth)).json())[
            "requests"
        ]
    request_id = requests[0]["request_id"]
    # The other agent's offer for this request is refused, and never reaches the browser.
    forged = await client.post(
        f"{AGENT}/live/offer", json={"request_id": request_id, "error": "x"}, headers=other.auth
    )
    assert forged.status == 404
    response = await start
    assert response["error"]["code"] == "timeout"
    # An upload for a session HA never saw offered is refused too.
    upload = Upload(client, other, secrets.token_hex(16))
    status, body = await upload.finish()
    assert (status, body["error"]) == (404, "not_found")
