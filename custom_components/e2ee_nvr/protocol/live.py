"""Live view: the endpoint's offer check and the device's session (docs/protocol.md section 18).

The device draws a fresh live key L per session and wraps it only to the instance key that
asked, after checking that key against its own verified recipient set (in it, scoped to the
camera, not revoked): the store relays every message but can name no recipient. The offer is
signed by the device key, so a store cannot hand a viewer a key (and video) of its own; the
confirm proves the viewer unwrapped L, i.e. holds the instance private key.
This module is the API: the messages (live_messages.py) and the record format and reader
(live_records.py) are re-exported here.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from . import certs, envelope
from .envelope import SignedEnvelope
from .errors import (
    BadSignature,
    HeaderMismatch,
    NotEnrolled,
    RevocationWithheld,
    RolledBack,
    UntrustedKey,
)
from .identifiers import key_id
from .live_messages import (
    CONFIRM_LABEL,
    LIVE_CONFIRM_TYPE,
    LIVE_OFFER_TYPE,
    LIVE_REQUEST_TYPE,
    LIVE_VERSION,
    NONCE_BYTES,
    LiveOffer,
    LiveRequest,
    VerifiedOffer,
    confirm_for,
    confirm_proof,
    live_key_context,
    new_live_request,
    verify_confirm,
)
from .live_records import (
    LIVE_KEY_BYTES,
    MAX_SEQ,
    RECORD_END,
    RECORD_HEADER_BYTES,
    RECORD_INIT,
    RECORD_MEDIA,
    SESSION_ID_BYTES,
    LiveRecordReader,
    OpenedRecord,
    RecordHeader,
    end_plaintext,
    media_key,
    parse_record_header,
    seal_record,
)
from .recipients import VerifiedRecipientSet
from .wrap import WrapPurpose, unwrap_p256, wrap_to_p256

__all__ = [
    "CONFIRM_LABEL",
    "LIVE_CONFIRM_TYPE",
    "LIVE_OFFER_TYPE",
    "LIVE_REQUEST_TYPE",
    "LIVE_VERSION",
    "NONCE_BYTES",
    "RECORD_END",
    "RECORD_HEADER_BYTES",
    "RECORD_INIT",
    "RECORD_MEDIA",
    "LiveOffer",
    "LiveRecordReader",
    "LiveRequest",
    "LiveSession",
    "OpenedRecord",
    "RecordHeader",
    "VerifiedOffer",
    "check_withheld",
    "confirm_for",
    "confirm_proof",
    "live_key_context",
    "new_live_request",
    "parse_record_header",
    "verify_confirm",
    "verify_live_offer",
]

# Device timings (section 18.7): an offer nobody confirms is forgotten, a session is re-keyed.
OFFER_TTL_SECONDS: Final = 15.0
SESSION_MAX_SECONDS: Final = 3600.0
CONTROL_SILENCE_SECONDS: Final = 30.0


def verify_live_offer(
    signed: SignedEnvelope,
    *,
    root_cert: x509.Certificate,
    device_cert: x509.Certificate,
    request: LiveRequest,
    own_private_key: ec.EllipticCurvePrivateKey,
    held_epoch: int,
    held_sha256: bytes,
) -> VerifiedOffer:
    """Section 18.3's endpoint checks, in order; `request` is the one this endpoint sent."""
    device_public = certs.verify_issued(device_cert, root_cert, certs.Role.device)
    if not isinstance(device_public, rsa.RSAPublicKey) or key_id(device_public) != (
        request.device_id
    ):
        raise UntrustedKey("live-offer: the device certificate is not the requested device's")
    offer = LiveOffer.from_payload(envelope.verify(LIVE_OFFER_TYPE, signed, device_public))
    if offer.account_id != key_id(certs.verify_root(root_cert)):
        raise BadSignature("live-offer: account_id is not the pinned account")
    if offer.device_id != signed.signer:
        raise BadSignature("live-offer: device_id differs from the signing device")
    if offer.camera_id != request.camera_id or offer.request_nonce != request.nonce:
        # A device's valid offer to another viewer or camera, replayed by the store.
        raise HeaderMismatch("live-offer: not the answer to this request")
    live_key = unwrap_p256(
        own_private_key,
        offer.wrapped_key,
        live_key_context(offer.session_id, offer.request_nonce),
        WrapPurpose.LIVE_KEY,
    )
    if offer.recipient_epoch == held_epoch and offer.recipient_sha256 != held_sha256:
        raise RolledBack("live-offer: the device holds another set under this epoch")
    return VerifiedOffer(
        session_id=offer.session_id,
        live_key=live_key,
        recipient_epoch=offer.recipient_epoch,
        withheld=offer.recipient_epoch < held_epoch,
    )


def check_withheld(verified: VerifiedOffer) -> None:
    """Raise the RevocationWithheld warning for an offer that showed it (callers that warn)."""
    if verified.withheld:
        raise RevocationWithheld("the camera encrypts live view to an older recipient set")


@dataclass
class _Offer:
    offered_at: float
    confirmed: bool = False


class LiveSession:
    """The device's side of one camera's live session: its key, offers, viewers and records."""

    def __init__(self, session_id: bytes, live_key: bytes) -> None:
        if len(session_id) != SESSION_ID_BYTES or len(live_key) != LIVE_KEY_BYTES:
            raise ValueError("session_id and live key are 16 bytes each")
        self.session_id = session_id
        self._live_key = live_key
        self._media_key = media_key(live_key, session_id)
        self._offers: dict[tuple[str, bytes], _Offer] = {}
        # Every key L was wrapped to in this session, confirmed or not, forgotten offers too:
        # each such holder can decrypt the stream, so a rekey looks at all of them.
        self._wrapped_to: set[str] = set()
        self._next_seq = 0
        self.started_at = time.monotonic()
        self.ended = False

    @classmethod
    def start(cls) -> LiveSession:
        """A fresh session_id and L: L lives in this object only, never on disk."""
        return cls(secrets.token_bytes(SESSION_ID_BYTES), secrets.token_bytes(LIVE_KEY_BYTES))

    @staticmethod
    def check_request(
        request: LiveRequest,
        *,
        account_id: str,
        device_id: str,
        camera_ids: Collection[str],
        recipient_set: VerifiedRecipientSet | None,
    ) -> ec.EllipticCurvePublicKey:
        """Section 18.2: the key to wrap L to, from the device's own verified set only."""
        if request.account_id != account_id:
            raise HeaderMismatch("live-request: another account")
        if request.device_id != device_id or request.camera_id not in camera_ids:
            raise HeaderMismatch(f"live-request: {request.camera_ref} is not a camera of ours")
        if recipient_set is None:
            raise NotEnrolled("live-request: this device holds no verified recipient set")
        if request.key_id in recipient_set.revoked:
            raise NotEnrolled("live-request: the key is revoked")
        scoped = set(recipient_set.key_ids_for(request.camera_ref))
        for key in recipient_set.keys:
            if (
                key.key_id == request.key_id
                and key.role == "instance"
                and key.key_id in scoped
                and isinstance(key.public_key, ec.EllipticCurvePublicKey)
            ):
                return key.public_key
        raise NotEnrolled("live-request: not an instance recipient of this camera")

    def offer(
        self,
        request: LiveRequest,
        *,
        device_key: rsa.RSAPrivateKey,
        account_id: str,
        camera_ids: Collection[str],
        recipient_set: VerifiedRecipientSet | None,
        issued_at_ms: int | None = None,
    ) -> SignedEnvelope:
        """Check the request, then wrap L to the key it names and sign the offer.

        The check happens here too, so no caller can wrap L to a key the set does not allow.
        """
        if self.ended:
            raise ValueError("live session has ended: its key is gone")
        if recipient_set is None:
            raise NotEnrolled("live-request: this device holds no verified recipient set")
        device_id = key_id(device_key.public_key())
        public = self.check_request(
            request,
            account_id=account_id,
            device_id=device_id,
            camera_ids=camera_ids,
            recipient_set=recipient_set,
        )
        context = live_key_context(self.session_id, request.nonce)
        offer = LiveOffer(
            account_id=account_id,
            device_id=device_id,
            camera_id=request.camera_id,
            session_id=self.session_id,
            request_nonce=request.nonce,
            recipient_epoch=recipient_set.epoch,
            recipient_sha256=recipient_set.payload_sha256,
            issued_at_ms=int(time.time() * 1000) if issued_at_ms is None else issued_at_ms,
            wrapped_key=wrap_to_p256(public, self._live_key, context),
        )
        self._offers[(request.key_id, request.nonce)] = _Offer(time.monotonic())
        self._wrapped_to.add(request.key_id)
        return envelope.sign(LIVE_OFFER_TYPE, offer.to_payload(), device_key)

    def check_confirm(self, confirm_doc: object) -> str:
        """Section 18.4: the key_id whose holder proved it unwrapped L; BadSignature otherwise."""
        if self.ended:
            raise BadSignature("live-confirm: the session has ended")
        confirm_key_id, nonce = verify_confirm(
            confirm_doc, session_id=self.session_id, live_key=self._live_key, offers=self._offers
        )
        self._offers[(confirm_key_id, nonce)].confirmed = True
        return confirm_key_id

    def expire_offers(self, now: float | None = None) -> int:
        """Forget offers unconfirmed after 15 s; return how many were forgotten."""
        limit = (time.monotonic() if now is None else now) - OFFER_TTL_SECONDS
        stale = [k for k, o in self._offers.items() if not o.confirmed and o.offered_at < limit]
        for offer_key in stale:
            del self._offers[offer_key]
        return len(stale)

    @property
    def confirmed_key_ids(self) -> frozenset[str]:
        return frozenset(k for (k, _), o in self._offers.items() if o.confirmed)

    @property
    def wrapped_to(self) -> frozenset[str]:
        """Every key_id L was wrapped to in this session (each can decrypt the stream)."""
        return frozenset(self._wrapped_to)

    def viewers_still_listed(self, recipient_set: VerifiedRecipientSet, camera_ref: str) -> bool:
        """False when a new set no longer allows a key L was wrapped to: end with "rekey".

        Not only confirmed viewers: a key that unwrapped L and never confirmed (or whose offer
        was forgotten) still decrypts every record, so it counts the same.
        """
        allowed = set(recipient_set.key_ids_for(camera_ref)) - set(recipient_set.revoked)
        instances = set(recipient_set.instance_key_ids)
        return self._wrapped_to <= (allowed & instances)

    def seal(self, record_type: int, plaintext: bytes) -> bytes:
        """The next record (seq grows by one per record); media only after an init."""
        if self.ended:
            raise ValueError("live session has ended")
        if self._next_seq == 0 and record_type == RECORD_MEDIA:
            raise ValueError("a live session starts with an init record")
        if self._next_seq > MAX_SEQ:
            raise ValueError("live session sequence exhausted")
        record = seal_record(
            self._media_key, self.session_id, self._next_seq, record_type, plaintext
        )
        self._next_seq += 1
        return record

    def end(self, reason: str) -> bytes:
        """The end record; L and the media key are dropped (no offer or record after it)."""
        record = self.seal(RECORD_END, end_plaintext(reason))
        self.ended = True
        self._live_key = self._media_key = b""
        self._offers.clear()
        self._wrapped_to.clear()
        return record
