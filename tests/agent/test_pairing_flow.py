"""`pair` against the fake store, with the protocol's endpoint code playing the user."""

from __future__ import annotations

import asyncio
import io
import json
import time
from pathlib import Path

import pytest

from camera_agent.config import parse_config
from camera_agent.ha_client import HaClient
from camera_agent.pairing_flow import PairingFailed, PairingSettings, pair_agent, show_in_terminal
from camera_agent.state import AgentState
from e2ee_nvr_protocol import pairing
from e2ee_nvr_protocol.envelope import MacedEnvelope
from e2ee_nvr_protocol.errors import PairingExpired
from e2ee_nvr_protocol.identifiers import key_id
from tests.agent.agent_setup import new_account, served_store
from tests.agent.fake_store import RunningStore
from tests.protocol.account_setup import AccountFixture, grant_pairing

FAST = PairingSettings(poll_interval_seconds=0.02)
SAFETY_TIMEOUT_SECONDS = 60


def _config(tmp_path: Path, url: str) -> dict[str, object]:
    return {
        "ha_url": url,
        "state_dir": str(tmp_path / "state"),
        "spool_dir": str(tmp_path / "spool"),
        "agent_name": "garage box",
        "cameras": [{"name": "Front door", "camera_id": "front-door", "rtsp_url": "rtsp://c/1"}],
    }


async def _user_enters_code(
    running: RunningStore, account: AccountFixture, shown: asyncio.Queue[str], *, tamper: bool
) -> str:
    """What the panel does: find the request by the typed code, check it, grant it."""
    typed = await shown.get()
    session_id = pairing.derive_pairing_keys(typed).session_id
    request_envelope = running.store.pending_request(session_id)
    opened = pairing.open_pairing_request(request_envelope, typed, now=int(time.time()))
    assert opened.agent_name == "garage box"
    grant, device_cert = grant_pairing(account, request_envelope, opened, typed)
    if tamper:  # the relay swaps in its own data key id, keeping the MAC
        payload = json.loads(grant.payload)
        payload["data_key_id"] = "f" * 32
        grant = MacedEnvelope(json.dumps(payload, sort_keys=True).encode(), grant.mac)
    running.store.grant(session_id, grant, device_cert)
    return session_id


async def _pair(
    tmp_path: Path, account: AccountFixture, *, tamper: bool
) -> tuple[RunningStore, str, BaseException | None, AgentState]:
    async with served_store(tmp_path, account) as running:
        config = parse_config(_config(tmp_path, running.url))
        state = AgentState(config.state_dir)
        client = HaClient(running.url)
        shown: asyncio.Queue[str] = asyncio.Queue()
        user = asyncio.create_task(_user_enters_code(running, account, shown, tamper=tamper))
        outcome: BaseException | None = None
        try:
            await asyncio.wait_for(
                pair_agent(
                    config,
                    state,
                    client,
                    show=lambda code, _uri: shown.put_nowait(code),
                    settings=FAST,
                ),
                SAFETY_TIMEOUT_SECONDS,
            )
        except PairingFailed as err:
            outcome = err
        session_id = await user
        await client.close()
    return running, session_id, outcome, state


async def test_pairing_pins_the_account_and_activates_the_token(tmp_path: Path) -> None:
    account = new_account()
    running, session_id, outcome, state = await _pair(tmp_path, account, tamper=False)
    assert outcome is None
    trust = state.load_trust()
    assert trust is not None
    assert trust.account_id == account.document.account_id
    assert trust.current_set().epoch == 1
    assert state.load_pairing() is None
    assert running.store.pairings[session_id].result == {
        "accepted": True,
        "reason": "grant verified",
    }
    # The token the agent kept is the one the store activated.
    token = state.load_token()
    assert token is not None
    agent = running.store.agents[0]
    assert agent.active and agent.device_cert is not None
    assert key_id(agent.device_cert.public_key()) == state.device_id()


async def test_altered_grant_is_refused_and_the_code_burnt(tmp_path: Path) -> None:
    account = new_account()
    running, session_id, outcome, state = await _pair(tmp_path, account, tamper=True)
    assert isinstance(outcome, PairingFailed)
    assert "PairingMacMismatch" in str(outcome)
    assert state.load_trust() is None
    session = state.load_pairing()
    assert session is not None and session.code_used  # burnt, durably
    result = running.store.pairings[session_id].result
    assert result is not None and result["accepted"] is False
    assert running.store.agents == []  # the refused grant revoked the token
    # The burnt code can never be tried again, even with the genuine grant.
    with pytest.raises(PairingExpired, match="already used"):
        pairing.accept_pairing_grant(
            running.store.pairings[session_id].grant,  # type: ignore[arg-type]
            code=session.code,
            request_payload_bytes=session.request_payload,
            device_key=state.load_device_key(),
            expires_at=session.expires_at,
            now=session.expires_at - 1,
            already_used=session.code_used,
        )


def test_code_shown_is_grouped_and_qr_carries_the_uri() -> None:
    out = io.StringIO()
    code = pairing.new_pairing_code()
    show_in_terminal(pairing.format_code(code), pairing.pairing_uri(code), out)
    text = out.getvalue()
    assert pairing.format_code(code) in text
    assert len(pairing.format_code(code).split("-")) == 5
    assert "█" in text or "▀" in text  # a QR code drawn with block characters
