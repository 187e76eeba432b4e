"""Pairing a device through an untrusted relay, authenticated by a one-time code (section 8)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from . import certs, envelope, primitives
from .encoding import Fields, b64encode
from .envelope import MacedEnvelope, SignedEnvelope
from .errors import (
    MalformedObject,
    MissingDataKey,
    PairingExpired,
    PairingMacMismatch,
    UntrustedKey,
)
from .identifiers import CAMERA_ID_RE, KEY_ID_BYTES, key_id
from .recipients import VerifiedRecipientSet, verify_recipient_set

CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32
CODE_LENGTH = 20  # 20 x 5 bits = 100 bits
CODE_GROUP = 4
URI_PREFIX = "e2ee-nvr-pair:"
CODE_TTL_SECONDS = 600
REQUEST_TYPE = "pairing-request"
GRANT_TYPE = "pairing-grant"
HKDF_SALT = b"e2ee-nvr/v1/pairing"
HKDF_INFO_PREFIX = b"e2ee-nvr/v1/pairing/"
SESSION_ID_BYTES = 16
MAC_KEY_BYTES = 32
NONCE_BYTES = 16
MAX_NAME_CHARS = 64
MAX_CAMERAS = 32
MAX_DER_BYTES = 8192  # a CSR or certificate for an RSA-4096 key is well under this

# Typed codes: the digits people type for the letters they resemble (section 8.1).
_CONFUSABLES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_ALPHABET_SET = frozenset(CODE_ALPHABET)


def new_pairing_code() -> str:
    """20 base32 characters from a CSPRNG, each one byte masked to 5 bits.

    Masking is unbiased because 32 divides 256: every character value has exactly 8 bytes
    mapping to it, so the code carries the full 100 bits.
    """
    return "".join(CODE_ALPHABET[byte & 31] for byte in secrets.token_bytes(CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """Upper-case, drop spaces and hyphens, map 0/1/8 to O/I/B; require 20 alphabet chars.

    Non-ASCII input is refused before upper-casing: Unicode case mapping turns some non-ASCII
    letters into ASCII ones (U+0131, dotless i, -> 'I'), and two implementations must agree exactly.
    """
    if not typed.isascii():
        raise MalformedObject("pairing code: only ASCII letters and digits")
    code = typed.upper().replace(" ", "").replace("-", "").translate(_CONFUSABLES)
    if len(code) != CODE_LENGTH or not set(code) <= _ALPHABET_SET:
        raise MalformedObject(f"pairing code: expected {CODE_LENGTH} characters of A-Z, 2-7")
    return code


def format_code(code: str) -> str:
    """`XXXX-XXXX-XXXX-XXXX-XXXX`, the form the device shows."""
    code = normalise_code(code)
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def pairing_uri(code: str) -> str:
    """The QR code's content: `e2ee-nvr-pair:<20 chars>`."""
    return URI_PREFIX + normalise_code(code)


def code_from_uri(uri: str) -> str:
    if not uri.startswith(URI_PREFIX):
        raise MalformedObject("not an e2ee-nvr-pair: URI")
    return normalise_code(uri[len(URI_PREFIX) :])


@dataclass(frozen=True)
class PairingKeys:
    """Keys derived from one code; the MAC keys never appear in a repr or a log."""

    session_id: str
    request_mac_key: bytes = field(repr=False)
    grant_mac_key: bytes = field(repr=False)


def _derive(code: str, name: bytes, length: int) -> bytes:
    return primitives.hkdf_sha256(
        code.encode("ascii"), salt=HKDF_SALT, info=HKDF_INFO_PREFIX + name, length=length
    )


def derive_pairing_keys(code: str) -> PairingKeys:
    """Section 8.2: session id and both MAC keys from the normalised code."""
    code = normalise_code(code)
    return PairingKeys(
        session_id=_derive(code, b"session-id", SESSION_ID_BYTES).hex(),
        request_mac_key=_derive(code, b"request-mac", MAC_KEY_BYTES),
        grant_mac_key=_derive(code, b"grant-mac", MAC_KEY_BYTES),
    )


@dataclass(frozen=True)
class PairingCamera:
    """A camera the agent offers: its id (unique within the device) and a display name."""

    camera_id: str
    name: str


@dataclass(frozen=True)
class PairingRequest:
    """A request's content, its exact payload bytes, and the device key its CSR carries."""

    session_id: str
    csr_der: bytes
    agent_name: str
    cameras: tuple[PairingCamera, ...]
    agent_nonce: bytes
    expires_at: int
    payload: bytes
    device_public_key: rsa.RSAPublicKey


def _check_cameras(cameras: Sequence[PairingCamera]) -> None:
    if len(cameras) > MAX_CAMERAS:
        raise MalformedObject(f"pairing-request: more than {MAX_CAMERAS} cameras")
    for camera in cameras:
        if not CAMERA_ID_RE.fullmatch(camera.camera_id) or len(camera.name) > MAX_NAME_CHARS:
            raise MalformedObject(f"pairing-request: bad camera {camera.camera_id!r}")
    if len({c.camera_id for c in cameras}) != len(cameras):
        raise MalformedObject("pairing-request: duplicate camera_id")


def make_pairing_request(
    code: str,
    device_key: rsa.RSAPrivateKey,
    agent_name: str,
    cameras: Sequence[PairingCamera],
    now: int,
    ttl_seconds: int = CODE_TTL_SECONDS,
) -> tuple[MacedEnvelope, PairingRequest]:
    """Device side: a CSR for the device key, MACed under the code (section 8.3).

    The device keeps the returned request (its payload bytes and expires_at) to check the grant.
    """
    if not 0 < ttl_seconds <= CODE_TTL_SECONDS:
        raise ValueError(f"a pairing code lives at most {CODE_TTL_SECONDS} seconds")
    if len(agent_name) > MAX_NAME_CHARS:
        raise MalformedObject("pairing-request: agent_name too long")
    _check_cameras(cameras)
    keys = derive_pairing_keys(code)
    csr_der = certs.make_csr(device_key)
    agent_nonce = secrets.token_bytes(NONCE_BYTES)
    payload = {
        "v": envelope.PROTOCOL_VERSION,
        "type": REQUEST_TYPE,
        "session_id": keys.session_id,
        "csr": b64encode(csr_der),
        "agent_name": agent_name,
        "cameras": [{"camera_id": c.camera_id, "name": c.name} for c in cameras],
        "agent_nonce": b64encode(agent_nonce),
        "expires_at": now + ttl_seconds,
    }
    maced = envelope.mac(REQUEST_TYPE, payload, keys.request_mac_key)
    request = PairingRequest(
        session_id=keys.session_id,
        csr_der=csr_der,
        agent_name=agent_name,
        cameras=tuple(cameras),
        agent_nonce=agent_nonce,
        expires_at=now + ttl_seconds,
        payload=maced.payload,
        device_public_key=device_key.public_key(),
    )
    return maced, request


def _parse_camera(item: object, index: int) -> PairingCamera:
    with Fields(item, where=f"{REQUEST_TYPE}.cameras[{index}]") as fields:
        return PairingCamera(
            camera_id=fields.str("camera_id", max_len=32, pattern=CAMERA_ID_RE),
            name=fields.str("name", max_len=MAX_NAME_CHARS),
        )


def _read_request(maced: MacedEnvelope, keys: PairingKeys) -> PairingRequest:
    """MAC first, then parse the authenticated bytes, then the CSR's proof of possession."""
    payload = envelope.verify_mac(REQUEST_TYPE, maced, keys.request_mac_key)
    request = _parse_request(maced, payload)
    if not hmac.compare_digest(request.session_id, keys.session_id):
        raise PairingMacMismatch("pairing-request: session_id is not this code's")
    return request


def read_relayed_request(maced: MacedEnvelope) -> PairingRequest:
    """Store side: parse a request it relays, without its MAC (the store never knows the code).

    Nothing here is authenticated: the store uses it only to list and route the session; the
    endpoint checks the MAC (open_pairing_request) before it trusts a byte of it.
    """
    return _parse_request(maced, envelope.parse_payload(REQUEST_TYPE, maced.payload))


def _parse_request(maced: MacedEnvelope, payload: dict[str, Any]) -> PairingRequest:
    fields = Fields(payload, where=REQUEST_TYPE)
    fields.int("v", minimum=envelope.PROTOCOL_VERSION, maximum=envelope.PROTOCOL_VERSION)
    fields.str("type")
    session_id = fields.hex("session_id", length_bytes=SESSION_ID_BYTES)
    csr_der = fields.bytes("csr", max_len=MAX_DER_BYTES)
    agent_name = fields.str("agent_name", max_len=MAX_NAME_CHARS)
    items = fields.list("cameras", max_items=MAX_CAMERAS)
    agent_nonce = fields.bytes("agent_nonce", length=NONCE_BYTES)
    expires_at = fields.int("expires_at")
    fields.done()
    cameras = tuple(_parse_camera(item, i) for i, item in enumerate(items))
    _check_cameras(cameras)
    return PairingRequest(
        session_id=session_id,
        csr_der=csr_der,
        agent_name=agent_name,
        cameras=cameras,
        agent_nonce=agent_nonce,
        expires_at=expires_at,
        payload=maced.payload,
        device_public_key=certs.verify_csr(csr_der),
    )


def open_pairing_request(maced: MacedEnvelope, typed_code: str, now: int) -> PairingRequest:
    """Endpoint side: verify a relayed request under the typed code (section 8.3).

    PairingMacMismatch for a wrong code or any change by the relay, PairingExpired past
    expires_at, UntrustedKey when the CSR's signature or key fails. MalformedObject for a typed
    code that is not 20 alphabet characters (a typo, not a wrong code).
    """
    request = _read_request(maced, derive_pairing_keys(typed_code))
    if now >= request.expires_at:
        raise PairingExpired("pairing-request: the code has expired")
    return request


def make_pairing_grant(
    request_envelope: MacedEnvelope,
    request: PairingRequest,
    typed_code: str,
    root_cert: x509.Certificate,
    signing_key: rsa.RSAPrivateKey,
    recipient_set_envelope: SignedEnvelope,
    data_key_id: str,
) -> tuple[MacedEnvelope, x509.Certificate]:
    """Endpoint side: certify the device and send it the root and recipient set (section 8.4).

    `request` must come from open_pairing_request on `request_envelope` with the same code.
    The device certificate is issued from the CSR's public key only; nothing else is copied.
    The recipient set is checked here exactly as the device will check it, so a grant the
    device would refuse is never sent (and never burns the code).
    """
    keys = derive_pairing_keys(typed_code)
    # Re-read the envelope rather than trust the caller's object: the certificate must be for
    # the key in the CSR the device MACed, and for nothing else.
    if _read_request(request_envelope, keys) != request:
        raise ValueError("request does not belong to this envelope and code")
    if key_id(certs.verify_root(root_cert)) != key_id(signing_key.public_key()):
        raise ValueError("signing key does not belong to the root certificate")
    granted = verify_recipient_set(
        recipient_set_envelope, root_cert, pinned_data_key_id=data_key_id
    )
    if granted.data_key_id != data_key_id:
        raise ValueError("data_key_id is not the data key of the granted set")
    device_cert = certs.issue(root_cert, signing_key, request.device_public_key, certs.Role.device)
    payload: dict[str, Any] = {
        "v": envelope.PROTOCOL_VERSION,
        "type": GRANT_TYPE,
        "session_id": keys.session_id,
        # The hash binds this grant to one request: a relay cannot answer request A with a
        # grant made for request B (another CSR) under the same code.
        "request_sha256": b64encode(primitives.sha256(request_envelope.payload)),
        "root_cert": b64encode(certs.cert_der(root_cert)),
        "device_cert": b64encode(certs.cert_der(device_cert)),
        "data_key_id": data_key_id,
        "recipient_set": recipient_set_envelope.to_json(),
    }
    return envelope.mac(GRANT_TYPE, payload, keys.grant_mac_key), device_cert


@dataclass(frozen=True)
class AcceptedGrant:
    """What a device pins and stores after a grant verifies."""

    root_cert: x509.Certificate
    device_cert: x509.Certificate
    data_key_id: str
    recipient_set: VerifiedRecipientSet

    @property
    def account_id(self) -> str:
        return self.recipient_set.recipient_set.account_id


def _parse_grant(payload: dict[str, Any]) -> tuple[str, bytes, bytes, bytes, str, SignedEnvelope]:
    fields = Fields(payload, where=GRANT_TYPE)
    fields.int("v", minimum=envelope.PROTOCOL_VERSION, maximum=envelope.PROTOCOL_VERSION)
    fields.str("type")
    parsed = (
        fields.hex("session_id", length_bytes=SESSION_ID_BYTES),
        fields.bytes("request_sha256", length=32),
        fields.bytes("root_cert", max_len=MAX_DER_BYTES),
        fields.bytes("device_cert", max_len=MAX_DER_BYTES),
        fields.hex("data_key_id", length_bytes=KEY_ID_BYTES),
        SignedEnvelope.from_json(fields.raw("recipient_set")),
    )
    fields.done()
    return parsed


def read_relayed_grant(maced: MacedEnvelope) -> tuple[str, bytes]:
    """Store side: the session id and device certificate (DER) of a grant it relays, unMACed.

    The store checks the certificate against its stored root itself before it trusts it.
    """
    session_id, _hash, _root, device_der, _data, _set = _parse_grant(
        envelope.parse_payload(GRANT_TYPE, maced.payload)
    )
    return session_id, device_der


def accept_pairing_grant(
    maced: MacedEnvelope,
    *,
    code: str,
    request_payload_bytes: bytes,
    device_key: rsa.RSAPrivateKey,
    expires_at: int,
    now: int,
    already_used: bool,
) -> AcceptedGrant:
    """Device side: verify a relayed grant against the code and the request sent (section 8.4).

    Single use is the caller's duty, and this is the contract: before calling, the caller MUST
    durably mark the code used, and pass `already_used=True` for any code that was ever passed
    here before, whatever the outcome was. A refused grant (any exception) means the code is
    burnt: a new pairing needs a new code. Each refusal is a named error: PairingExpired (past
    `expires_at` or already used), PairingMacMismatch (wrong MAC, another code's session, or a
    grant for another request), UntrustedKey (bad root, device certificate not chained to it
    or not for `device_key`), and any section 6 refusal of the recipient set, checked with
    `data_key_id` pinned. On success the caller pins the root and data_key_id, stores the
    device certificate, and records the set's epoch and payload.
    """
    if already_used:
        raise PairingExpired("pairing code already used")
    if now >= expires_at:
        raise PairingExpired("pairing code has expired")
    keys = derive_pairing_keys(code)
    payload = envelope.verify_mac(GRANT_TYPE, maced, keys.grant_mac_key)
    session_id, request_sha256, root_der, device_der, data_key_id, signed_set = _parse_grant(
        payload
    )
    if not hmac.compare_digest(session_id, keys.session_id):
        raise PairingMacMismatch("pairing-grant: session_id is not this code's")
    if not hmac.compare_digest(request_sha256, primitives.sha256(request_payload_bytes)):
        raise PairingMacMismatch("pairing-grant: answers another request")
    root_cert = certs.load_cert(root_der)
    certs.verify_root(root_cert)
    device_cert = certs.load_cert(device_der)
    device_public = certs.verify_issued(device_cert, root_cert, certs.Role.device)
    if key_id(device_public) != key_id(device_key.public_key()):
        raise UntrustedKey("pairing-grant: device certificate is for another key")
    recipient_set = verify_recipient_set(signed_set, root_cert, pinned_data_key_id=data_key_id)
    if recipient_set.data_key_id != data_key_id:
        # A v2 set does not pin the data key; the grant's own claim must still agree with it.
        raise MissingDataKey("pairing-grant: data_key_id differs from the set's data key")
    return AcceptedGrant(root_cert, device_cert, data_key_id, recipient_set)
