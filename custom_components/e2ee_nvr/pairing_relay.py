"""Checks of the pairing messages HA relays: pure functions, run in an executor.

They hold no state, so the registry (owned by the event loop) only ever sees messages that
have already passed them.
"""

from __future__ import annotations

from .agents import PairingError
from .protocol import certs
from .protocol.envelope import MacedEnvelope
from .protocol.errors import UntrustedKey
from .protocol.identifiers import key_id
from .protocol.pairing import PairingRequest, read_relayed_grant, read_relayed_request


def read_request(request_json: object) -> tuple[MacedEnvelope, PairingRequest]:
    """The relayed request and what it declares (ProtocolError when malformed)."""
    maced = MacedEnvelope.from_json(request_json)
    return maced, read_relayed_request(maced)


def check_grant(
    session_id: str, device_id: str, grant_json: object, root_der: bytes
) -> tuple[MacedEnvelope, bytes]:
    """The panel's grant and its device certificate, checked by HA itself before relaying."""
    maced = MacedEnvelope.from_json(grant_json)
    grant_session, device_der = read_relayed_grant(maced)
    if grant_session != session_id:
        raise PairingError("malformed", "the grant belongs to another session")
    public = certs.verify_issued(
        certs.load_cert(device_der), certs.load_cert(root_der), certs.Role.device
    )
    # The certificate must be for the key in this session's CSR, or one agent could be
    # given the right to upload as another.
    if key_id(public) != device_id:
        raise UntrustedKey("the device certificate is not for this session's key")
    return maced, device_der
