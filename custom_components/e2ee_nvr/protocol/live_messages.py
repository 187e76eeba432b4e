"""Live view messages: the request, the signed offer and the confirm (section 18.2-18.4).

The request and confirm are plain JSON (an instance key is an ECDH key: it cannot sign); what
the confirm proves is possession of L, which only the instance private key could unwrap.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

from . import primitives
from .encoding import Fields, b64encode
from .errors import BadSignature, HeaderMismatch
from .identifiers import CAMERA_ID_RE, KEY_ID_BYTES
from .live_records import SESSION_ID_BYTES, confirm_key
from .recipients import CAMERA_REF_RE
from .wrap import WrappedKey, WrapPurpose, wrap_context

LIVE_REQUEST_TYPE: Final = "live-request"
LIVE_OFFER_TYPE: Final = "live-offer"
LIVE_CONFIRM_TYPE: Final = "live-confirm"
LIVE_VERSION: Final = 1
NONCE_BYTES: Final = 16
PROOF_BYTES: Final = 32
SHA256_BYTES: Final = 32
CONFIRM_LABEL: Final = b"e2ee-nvr/v2/live-confirm\x00"


def live_key_context(session_id: bytes, request_nonce: bytes) -> bytes:
    """Section 7's `live-key` context: the wrap opens for this session and request only."""
    return wrap_context(WrapPurpose.LIVE_KEY, session_id + request_nonce)


@dataclass(frozen=True)
class LiveRequest:
    """Step 1, endpoint -> store -> device: plain JSON (an ECDH key cannot sign)."""

    account_id: str
    camera_ref: str
    key_id: str
    nonce: bytes

    @property
    def device_id(self) -> str:
        return self.camera_ref.split("/", 1)[0]

    @property
    def camera_id(self) -> str:
        return self.camera_ref.split("/", 1)[1]

    def to_json(self) -> dict[str, Any]:
        return {
            "v": LIVE_VERSION,
            "type": LIVE_REQUEST_TYPE,
            "account_id": self.account_id,
            "camera_ref": self.camera_ref,
            "key_id": self.key_id,
            "nonce": b64encode(self.nonce),
        }

    @classmethod
    def from_json(cls, doc: object) -> LiveRequest:
        with Fields.typed(doc, LIVE_REQUEST_TYPE, LIVE_VERSION) as fields:
            return cls(
                account_id=fields.hex("account_id", length_bytes=KEY_ID_BYTES),
                camera_ref=fields.str("camera_ref", max_len=65, pattern=CAMERA_REF_RE),
                key_id=fields.hex("key_id", length_bytes=KEY_ID_BYTES),
                nonce=fields.bytes("nonce", length=NONCE_BYTES),
            )


def new_live_request(account_id: str, camera_ref: str, key_id: str) -> LiveRequest:
    """A request with a fresh nonce; the endpoint keeps it to check the offer against."""
    return LiveRequest.from_json(
        LiveRequest(account_id, camera_ref, key_id, secrets.token_bytes(NONCE_BYTES)).to_json()
    )


@dataclass(frozen=True)
class LiveOffer:
    """Step 2, device -> store -> endpoint: signed by the device key (label v2/live-offer)."""

    account_id: str
    device_id: str
    camera_id: str
    session_id: bytes
    request_nonce: bytes
    recipient_epoch: int
    recipient_sha256: bytes
    issued_at_ms: int
    wrapped_key: WrappedKey

    def to_payload(self) -> dict[str, Any]:
        return {
            "v": LIVE_VERSION,
            "type": LIVE_OFFER_TYPE,
            "account_id": self.account_id,
            "device_id": self.device_id,
            "camera_id": self.camera_id,
            "session_id": self.session_id.hex(),
            "request_nonce": b64encode(self.request_nonce),
            "recipient_epoch": self.recipient_epoch,
            "recipient_sha256": b64encode(self.recipient_sha256),
            "issued_at_ms": self.issued_at_ms,
            "wrapped_key": self.wrapped_key.to_json(),
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> LiveOffer:
        with Fields.typed(payload, LIVE_OFFER_TYPE, LIVE_VERSION) as fields:
            return cls(
                account_id=fields.hex("account_id", length_bytes=KEY_ID_BYTES),
                device_id=fields.hex("device_id", length_bytes=KEY_ID_BYTES),
                camera_id=fields.str("camera_id", max_len=32, pattern=CAMERA_ID_RE),
                session_id=bytes.fromhex(fields.hex("session_id", length_bytes=SESSION_ID_BYTES)),
                request_nonce=fields.bytes("request_nonce", length=NONCE_BYTES),
                recipient_epoch=fields.int("recipient_epoch", minimum=1),
                recipient_sha256=fields.bytes("recipient_sha256", length=SHA256_BYTES),
                issued_at_ms=fields.int("issued_at_ms"),
                wrapped_key=WrappedKey.from_json(fields.raw("wrapped_key")),
            )


@dataclass(frozen=True)
class VerifiedOffer:
    """What the endpoint keeps of an offer that passed every check of section 18.3."""

    session_id: bytes
    live_key: bytes
    recipient_epoch: int
    # The device encrypts to an older set than this endpoint holds: the store withholds a
    # newer set from it (the meaning of RevocationWithheld, section 10.1). A warning.
    withheld: bool


def _confirm_message(session_id: bytes, request_nonce: bytes, key_id: str) -> bytes:
    return CONFIRM_LABEL + session_id + request_nonce + key_id.encode("ascii")


def confirm_proof(live_key: bytes, session_id: bytes, request_nonce: bytes, key_id: str) -> bytes:
    """HMAC-SHA256(k_confirm, label || 0x00 || session_id || request_nonce || key_id ASCII)."""
    message = _confirm_message(session_id, request_nonce, key_id)
    return primitives.hmac_sha256(confirm_key(live_key, session_id), message)


def confirm_for(verified: VerifiedOffer, key_id: str, request_nonce: bytes) -> dict[str, Any]:
    """Step 3, endpoint -> store -> device: the live-confirm document."""
    return {
        "v": LIVE_VERSION,
        "type": LIVE_CONFIRM_TYPE,
        "session_id": verified.session_id.hex(),
        "key_id": key_id,
        "request_nonce": b64encode(request_nonce),
        "proof": b64encode(
            confirm_proof(verified.live_key, verified.session_id, request_nonce, key_id)
        ),
    }


def verify_confirm(
    confirm_doc: object,
    *,
    session_id: bytes,
    live_key: bytes,
    offers: Collection[tuple[str, bytes]],
) -> tuple[str, bytes]:
    """Check a live-confirm against the offers made (key_id, request_nonce); return the pair."""
    fields = Fields(confirm_doc, where=LIVE_CONFIRM_TYPE)
    fields.version_and_type(LIVE_CONFIRM_TYPE, LIVE_VERSION)
    session_hex = fields.hex("session_id", length_bytes=SESSION_ID_BYTES)
    confirm_key_id = fields.hex("key_id", length_bytes=KEY_ID_BYTES)
    nonce = fields.bytes("request_nonce", length=NONCE_BYTES)
    proof = fields.bytes("proof", length=PROOF_BYTES)
    fields.done()
    if session_hex != session_id.hex():
        raise HeaderMismatch("live-confirm: another session")
    # The MAC is checked (in constant time) even for an unknown offer: one refusal for both.
    proof_ok = primitives.hmac_sha256_verify(
        confirm_key(live_key, session_id),
        _confirm_message(session_id, nonce, confirm_key_id),
        proof,
    )
    if (confirm_key_id, nonce) not in offers or not proof_ok:
        raise BadSignature("live-confirm: wrong proof, or no such offer")
    return confirm_key_id, nonce
