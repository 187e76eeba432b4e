"""Signed and MACed envelopes: exact payload bytes travel beside their signature (section 1.2).

The signature covers `label || 0x00 || payload`, where the label names the object type, so a
signature made for a manifest can never pass as a recipient set. Verification happens on the
received bytes before anything parses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from . import primitives
from .encoding import Fields, b64encode, check_version_and_type, dumps, loads
from .errors import BadSignature, PairingMacMismatch
from .identifiers import KEY_ID_RE, key_id

PROTOCOL_VERSION = 1
# Version 2 of the trust core (recipient set, account, key backup); other objects stay at 1.
TRUST_CORE_VERSION = 2
LABEL_PREFIX = "e2ee-nvr/v1/"
# Types introduced with protocol v2 sign under a v2 label (section 1.2's table), whatever
# their payload's `v`: a v1 verifier could never be made to accept one as a v1 object.
LABEL_PREFIX_V2 = "e2ee-nvr/v2/"
V2_LABEL_TYPES = frozenset({"live-offer"})
MAX_PAYLOAD_BYTES = 1 << 20


def label_bytes(object_type: str) -> bytes:
    prefix = LABEL_PREFIX_V2 if object_type in V2_LABEL_TYPES else LABEL_PREFIX
    return f"{prefix}{object_type}".encode("ascii") + b"\x00"


@dataclass(frozen=True)
class SignedEnvelope:
    """A payload's exact bytes, the RSA-PSS signature over them, and the signer's key id."""

    payload: bytes
    signature: bytes
    signer: str

    def to_json(self) -> dict[str, str]:
        return {
            "payload": b64encode(self.payload),
            "signature": b64encode(self.signature),
            "signer": self.signer,
        }

    @classmethod
    def from_json(cls, document: object) -> SignedEnvelope:
        with Fields(document, where="envelope") as fields:
            return cls(
                payload=fields.bytes("payload", max_len=MAX_PAYLOAD_BYTES),
                signature=fields.bytes("signature", max_len=512),
                signer=fields.str("signer", pattern=KEY_ID_RE),
            )


def sign(object_type: str, payload: dict[str, Any], key: rsa.RSAPrivateKey) -> SignedEnvelope:
    """Serialise payload (which must carry v and its type) and sign it under its type's label."""
    if payload.get("type") != object_type or payload.get("v") not in (
        PROTOCOL_VERSION,
        TRUST_CORE_VERSION,
    ):
        raise ValueError("payload must carry v=1 or v=2 and its own type")
    raw = dumps(payload)
    signature = primitives.rsa_pss_sign(key, label_bytes(object_type) + raw)
    return SignedEnvelope(payload=raw, signature=signature, signer=key_id(key.public_key()))


def verify(
    object_type: str,
    envelope: SignedEnvelope,
    public_key: rsa.RSAPublicKey,
    *,
    versions: tuple[int, ...] = (PROTOCOL_VERSION,),
) -> dict[str, Any]:
    """Verify the signature over the received bytes, then parse them; return the payload."""
    if envelope.signer != key_id(public_key):
        raise BadSignature(f"{object_type}: signed by {envelope.signer}, expected another key")
    try:
        primitives.rsa_pss_verify(
            public_key, label_bytes(object_type) + envelope.payload, envelope.signature
        )
    except primitives.PrimitiveFailure as err:
        raise BadSignature(f"{object_type}: signature does not verify") from err
    return parse_payload(object_type, envelope.payload, versions=versions)


def parse_payload(
    object_type: str, raw: bytes, *, versions: tuple[int, ...] = (PROTOCOL_VERSION,)
) -> dict[str, Any]:
    """Parse payload bytes and check their version and type (after any signature check)."""
    document = loads(raw, max_bytes=MAX_PAYLOAD_BYTES)
    found = document.get("v")
    # Check against the highest accepted version when the found one is not accepted, so the
    # refusal is UnsupportedVersion (or MalformedObject for a non-integer), as section 1.1 says.
    accepted = found if found in versions and not isinstance(found, bool) else versions[-1]
    check_version_and_type(document, object_type, accepted)
    return document


@dataclass(frozen=True)
class MacedEnvelope:
    """A payload's exact bytes and the HMAC-SHA256 over its label and them (pairing only)."""

    payload: bytes
    mac: bytes

    def to_json(self) -> dict[str, str]:
        return {"payload": b64encode(self.payload), "mac": b64encode(self.mac)}

    @classmethod
    def from_json(cls, document: object) -> MacedEnvelope:
        with Fields(document, where="envelope") as fields:
            return cls(
                payload=fields.bytes("payload", max_len=MAX_PAYLOAD_BYTES),
                mac=fields.bytes("mac", length=32),
            )


def mac(object_type: str, payload: dict[str, Any], key: bytes) -> MacedEnvelope:
    if payload.get("type") != object_type or payload.get("v") != PROTOCOL_VERSION:
        raise ValueError("payload must carry v=1 and its own type")
    raw = dumps(payload)
    return MacedEnvelope(
        payload=raw, mac=primitives.hmac_sha256(key, label_bytes(object_type) + raw)
    )


def verify_mac(object_type: str, envelope: MacedEnvelope, key: bytes) -> dict[str, Any]:
    if not primitives.hmac_sha256_verify(
        key, label_bytes(object_type) + envelope.payload, envelope.mac
    ):
        raise PairingMacMismatch(f"{object_type}: MAC does not verify (wrong code or altered)")
    return parse_payload(object_type, envelope.payload)
