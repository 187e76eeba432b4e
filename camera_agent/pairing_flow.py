"""`pair`: make the device key and CSR, show the code, relay through HA, verify the grant.

The code is the only thing that authenticates the exchange (protocol section 8): Home Assistant
relays both messages and could alter either, so the grant is checked by the device itself and
the code is burnt, durably, before that check runs: one code, one verification attempt.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TextIO

import segno

from e2ee_nvr_protocol import pairing
from e2ee_nvr_protocol.device import DeviceTrust
from e2ee_nvr_protocol.envelope import MacedEnvelope
from e2ee_nvr_protocol.errors import PairingExpired, ProtocolError

from .config import AgentConfig
from .ha_client import HaClient, HaError, HaRefused, HaUnavailable
from .state import AgentState, PairingSession

LOG = logging.getLogger(__name__)
ShowCode = Callable[[str, str], None]


class PairingFailed(RuntimeError):
    """The pairing did not complete; the message says why and what to do."""


@dataclass(frozen=True)
class PairingSettings:
    """How often to ask Home Assistant whether the user has entered the code."""

    poll_interval_seconds: float = 2.0


def show_in_terminal(formatted_code: str, uri: str, out: TextIO = sys.stdout) -> None:
    """Print the code and a QR code of `e2ee-nvr-pair:<code>` for the panel's camera scanner."""
    out.write("\nPair this agent in Home Assistant: E2EE NVR panel -> Pair a camera.\n")
    out.write(f"Enter this code (valid {pairing.CODE_TTL_SECONDS // 60} minutes, once):\n\n")
    out.write(f"    {formatted_code}\n\n")
    segno.make(uri, error="m").terminal(out=out, compact=True)
    out.write("\nWaiting for the code to be entered...\n")
    out.flush()


def _new_session(config: AgentConfig, state: AgentState, now: int) -> tuple[MacedEnvelope, str]:
    """A fresh device key (a new pairing is a new identity) and a MACed request under a new code."""
    state.clear_trust()
    key = state.create_device_key()
    code = pairing.new_pairing_code()
    cameras = [pairing.PairingCamera(c.camera_id, c.name) for c in config.cameras]
    envelope, request = pairing.make_pairing_request(code, key, config.agent_name, cameras, now)
    # Saved before anything leaves the box: a crash while waiting can resume this session.
    state.save_pairing(
        PairingSession(code, request.session_id, request.payload, request.expires_at, False)
    )
    return envelope, code


async def _wait_for_grant(
    client: HaClient, session: PairingSession, settings: PairingSettings, clock: Callable[[], float]
) -> MacedEnvelope:
    while clock() < session.expires_at:
        try:
            poll = await client.poll_pairing(session.session_id)
        except HaUnavailable as err:
            LOG.warning("Home Assistant unreachable while waiting for the grant: %s", err)
        except HaRefused as err:
            raise PairingFailed(f"Home Assistant ended the pairing: {err.message}") from err
        else:
            if poll.grant is not None:
                return poll.grant
        await asyncio.sleep(settings.poll_interval_seconds)
    raise PairingFailed("the pairing code expired before it was entered; run `pair` again")


def _verify_grant(
    state: AgentState, session: PairingSession, grant: MacedEnvelope, now: int
) -> DeviceTrust:
    """Burn the code durably, then verify; single use holds even across a crash."""
    state.save_pairing(replace(session, code_used=True))
    accepted = pairing.accept_pairing_grant(
        grant,
        code=session.code,
        request_payload_bytes=session.request_payload,
        device_key=state.load_device_key(),
        expires_at=session.expires_at,
        now=now,
        already_used=session.code_used,
    )
    return DeviceTrust.from_grant(accepted)


async def pair_agent(
    config: AgentConfig,
    state: AgentState,
    client: HaClient,
    *,
    show: ShowCode = show_in_terminal,
    settings: PairingSettings | None = None,
    clock: Callable[[], float] = time.time,
) -> DeviceTrust:
    """Run the device side of pairing to the end; PairingFailed says why it did not work."""
    settings = settings or PairingSettings()
    session = state.load_pairing()
    if session is not None and (session.code_used or clock() >= session.expires_at):
        LOG.info("the previous pairing code is used or expired; making a new one")
        session = None
    if session is None:
        envelope, _code = _new_session(config, state, int(clock()))
        try:
            started = await client.start_pairing(envelope)
        except (HaUnavailable, HaRefused) as err:
            raise PairingFailed(f"Home Assistant did not take the request: {err}") from err
        state.save_token(started.agent_token)
        session = state.load_pairing()
        assert session is not None  # noqa: S101 (just written)
    client.token = state.load_token()
    show(pairing.format_code(session.code), pairing.pairing_uri(session.code))
    grant = await _wait_for_grant(client, session, settings, clock)
    try:
        trust = _verify_grant(state, session, grant, int(clock()))
    except ProtocolError as err:
        reason = f"{type(err).__name__}: {err}"
        LOG.error("PAIRING REFUSED: the grant relayed by Home Assistant fails (%s)", reason)
        await _report(client, session.session_id, accepted=False, reason=reason)
        hint = "" if isinstance(err, PairingExpired) else " (wrong code, or altered in transit)"
        raise PairingFailed(f"grant refused{hint}: {reason}; the code is burnt") from err
    state.save_trust(trust)
    state.clear_pairing()
    await _report(client, session.session_id, accepted=True, reason="grant verified")
    LOG.info(
        "paired with account %s (recipient set epoch %d)",
        trust.account_id,
        trust.current_set().epoch,
    )
    return trust


async def _report(client: HaClient, session_id: str, *, accepted: bool, reason: str) -> None:
    """Tell the panel the verdict; a failure here changes nothing on the device."""
    try:
        await client.report_pairing(session_id, accepted=accepted, reason=reason[:200])
    except HaError as err:
        LOG.warning("could not report the pairing result to Home Assistant: %s", err)
