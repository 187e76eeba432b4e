"""Wrapped keys: a clip key, PDK or RDK encrypted to one recipient under a context (section 7)."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from . import primitives
from .encoding import Fields, b64encode
from .errors import MalformedObject, NoRecipientKey, UnsupportedVersion, UntrustedKey, UnwrapFailed
from .identifiers import CLIP_ID_BYTES, KEY_ID_BYTES, KEY_ID_RE, key_id

CONTEXT_PREFIX = b"e2ee-nvr/v1/wrap/"
ECIES_INFO = b"e2ee-nvr/v1/ecies-p256"
# Every kek comes from a fresh ephemeral key and encrypts exactly one key, so the (kek, nonce)
# pair never repeats and a constant nonce is safe (section 7.1).
ECIES_NONCE = bytes(primitives.GCM_NONCE_BYTES)
ECIES_KEK_BYTES = 32
# RSA-OAEP ciphertexts are exactly the modulus length: 2048 to 4096 bits in suite 1.
RSA_CT_MIN_BYTES = primitives.RSA_MIN_BITS // 8
RSA_CT_MAX_BYTES = primitives.RSA_MAX_BITS // 8


class WrapPurpose(enum.Enum):
    """What a wrapped key is for; fixes the context's purpose string and the plaintext length."""

    CLIP_KEY = "clip-key"
    PDK = "pdk"  # v1 only
    RDK = "rdk"  # v1 only
    DATA_RDK = "data-rdk"  # v2: the RDK of one data-key generation
    LIVE_KEY = "live-key"  # section 18: one live session's key, to one instance key only

    @property
    def key_bytes(self) -> int:
        """Length of the wrapped plaintext; anything else is refused on unwrap."""
        return 16 if self in (WrapPurpose.CLIP_KEY, WrapPurpose.LIVE_KEY) else 32


class WrapAlg(enum.Enum):
    """Suite 1 wrapping algorithms (section 2)."""

    ECIES_P256 = "ecies-p256-hkdf-sha256-aes256gcm"
    RSA_OAEP = "rsa-oaep-sha256"


# Plaintext lengths of every purpose, so a parser can bound an ECIES ciphertext exactly.
_ECIES_CT_LENGTHS = frozenset(p.key_bytes + primitives.GCM_TAG_BYTES for p in WrapPurpose)


def wrap_context(purpose: WrapPurpose, subject: bytes) -> bytes:
    """`"e2ee-nvr/v1/wrap/" || purpose || 0x00 || subject`, binding a wrap to what it is for.

    The subject is the 16 raw clip_id bytes for a clip key and the account_id's 32 ASCII hex
    digits for the PDK and RDK; anything else is a caller bug, refused so that no wrap is ever
    made under a context the other side would never build.
    """
    if purpose is WrapPurpose.CLIP_KEY:
        if len(subject) != CLIP_ID_BYTES:
            raise ValueError("clip-key context needs the 16 raw clip_id bytes")
    elif purpose is WrapPurpose.LIVE_KEY:
        if len(subject) != LIVE_SUBJECT_BYTES:
            raise ValueError("live-key context needs session_id || request_nonce (32 raw bytes)")
    elif purpose is WrapPurpose.DATA_RDK:
        if not _DATA_RDK_SUBJECT_RE.fullmatch(subject.decode("ascii", errors="replace")):
            raise ValueError("data-rdk context needs account_id '/' generation (1 to 64)")
    elif not KEY_ID_RE.fullmatch(subject.decode("ascii", errors="replace")):
        raise ValueError(f"{purpose.value} context needs the account_id as 32 ASCII hex digits")
    return CONTEXT_PREFIX + purpose.value.encode("ascii") + b"\x00" + subject


# session_id (16 raw bytes) || request_nonce (16 raw bytes): a live wrap opens for one request
# of one session only (section 18).
LIVE_SUBJECT_BYTES = 32

# account_id "/" generation, the generation 1 to 64 in decimal without leading zeros.
_DATA_RDK_SUBJECT_RE = re.compile(r"[0-9a-f]{32}/([1-9]|[1-5][0-9]|6[0-4])")


def data_rdk_context(account_id: str, generation: int) -> bytes:
    """Section 7: the context of RDK_g's wraps, binding the account and the generation."""
    return wrap_context(WrapPurpose.DATA_RDK, f"{account_id}/{generation}".encode("ascii"))


def _purpose_of(context: bytes) -> WrapPurpose:
    """The purpose a context was built for (callers build contexts with wrap_context)."""
    for purpose in WrapPurpose:
        prefix = CONTEXT_PREFIX + purpose.value.encode("ascii") + b"\x00"
        if context.startswith(prefix):
            subject = context[len(prefix) :]
            if wrap_context(purpose, subject) == context:
                return purpose
    raise ValueError("not a wrap context (build it with wrap_context)")


@dataclass(frozen=True)
class WrappedKey:
    """One key encrypted to one recipient key; `epk` is present exactly for ECIES."""

    key_id: str
    alg: WrapAlg
    epk: bytes | None
    ct: bytes

    def to_json(self) -> dict[str, str]:
        document = {"key_id": self.key_id, "alg": self.alg.value, "ct": b64encode(self.ct)}
        if self.epk is not None:
            document["epk"] = b64encode(self.epk)
        return document

    @classmethod
    def from_json(cls, document: object) -> WrappedKey:
        """Parse exhaustively; sizes are bounded here, the point and tag are checked on unwrap."""
        fields = Fields(document, where="wrapped_key")
        wrapped_key_id = fields.hex("key_id", length_bytes=KEY_ID_BYTES)
        alg_name = fields.str("alg", max_len=64)
        try:
            alg = WrapAlg(alg_name)
        except ValueError as err:
            raise UnsupportedVersion(f"wrapped_key.alg: unknown algorithm {alg_name!r}") from err
        epk: bytes | None = None
        if alg is WrapAlg.ECIES_P256:
            epk = fields.bytes("epk", length=primitives.P256_POINT_BYTES)
            ct = fields.bytes("ct", max_len=max(_ECIES_CT_LENGTHS))
            if len(ct) not in _ECIES_CT_LENGTHS:
                raise MalformedObject("wrapped_key.ct: wrong length for ECIES")
        else:
            if fields.has("epk"):
                raise MalformedObject("wrapped_key.epk: present for RSA-OAEP")
            ct = fields.bytes("ct", max_len=RSA_CT_MAX_BYTES)
            if len(ct) < RSA_CT_MIN_BYTES:
                raise MalformedObject("wrapped_key.ct: shorter than a 2048-bit RSA block")
        fields.done()
        return cls(key_id=wrapped_key_id, alg=alg, epk=epk, ct=ct)


def _ecies_kek(shared_x: bytes, epk: bytes, recipient_point: bytes) -> bytes:
    # Both points go into the salt so a wrap cannot be re-targeted to another recipient, nor
    # its ephemeral key swapped, without changing the kek (and so failing the tag).
    return primitives.hkdf_sha256(
        shared_x, salt=epk + recipient_point, info=ECIES_INFO, length=ECIES_KEK_BYTES
    )


def _check_length(key_bytes: bytes, context: bytes) -> None:
    if len(key_bytes) != _purpose_of(context).key_bytes:
        raise ValueError("key length does not fit the context's purpose")


def wrap_to_p256(
    recipient_public: ec.EllipticCurvePublicKey, key_bytes: bytes, context: bytes
) -> WrappedKey:
    """ECIES to an instance key (section 7.1)."""
    _check_length(key_bytes, context)
    if not isinstance(recipient_public.curve, ec.SECP256R1):
        raise UntrustedKey("instance key is not on P-256")
    ephemeral = primitives.p256_generate()
    epk = primitives.p256_public_bytes(ephemeral.public_key())
    recipient_point = primitives.p256_public_bytes(recipient_public)
    shared_x = primitives.ecdh_p256(ephemeral, recipient_public)
    kek = _ecies_kek(shared_x, epk, recipient_point)
    ct = primitives.aes_gcm_encrypt(kek, ECIES_NONCE, key_bytes, context)
    return WrappedKey(key_id=key_id(recipient_public), alg=WrapAlg.ECIES_P256, epk=epk, ct=ct)


def wrap_to_rsa(recipient_public: rsa.RSAPublicKey, key_bytes: bytes, context: bytes) -> WrappedKey:
    """RSA-OAEP-SHA256 to the data or recovery key, the context as OAEP label (section 7.2)."""
    _check_length(key_bytes, context)
    if _purpose_of(context) is WrapPurpose.LIVE_KEY:
        # Section 18: a live key goes to the requesting instance key only, never the data key.
        raise ValueError("a live key is never wrapped to an RSA (data or recovery) key")
    try:
        primitives.rsa_check_public(recipient_public)
    except primitives.PrimitiveFailure as err:
        raise UntrustedKey(str(err)) from err
    ct = primitives.rsa_oaep_encrypt(recipient_public, key_bytes, label=context)
    return WrappedKey(key_id=key_id(recipient_public), alg=WrapAlg.RSA_OAEP, epk=None, ct=ct)


def wrap_for(recipient_public: Any, key_bytes: bytes, context: bytes) -> WrappedKey:
    """Wrap to any suite 1 recipient key, choosing the algorithm by its type."""
    if isinstance(recipient_public, ec.EllipticCurvePublicKey):
        return wrap_to_p256(recipient_public, key_bytes, context)
    if isinstance(recipient_public, rsa.RSAPublicKey):
        return wrap_to_rsa(recipient_public, key_bytes, context)
    raise UntrustedKey(f"no suite 1 wrap for {type(recipient_public).__name__}")


def _check_addressed(own_key_id: str, wrapped: WrappedKey, alg: WrapAlg) -> None:
    if wrapped.key_id != own_key_id:
        raise UnwrapFailed("wrapped to another key")
    if wrapped.alg is not alg:
        raise UnwrapFailed(f"{wrapped.alg.value} does not fit this key type")


def _check_context(context: bytes, purpose: WrapPurpose) -> None:
    if _purpose_of(context) is not purpose:
        raise ValueError("context was built for another purpose")


def _check_length_after(plaintext: bytes, purpose: WrapPurpose) -> bytes:
    # A wrap that opens to the wrong length was made for something else; never truncate or pad.
    if len(plaintext) != purpose.key_bytes:
        raise UnwrapFailed(
            f"unwrapped {len(plaintext)} bytes, {purpose.value} takes another length"
        )
    return plaintext


def unwrap_p256(
    private: ec.EllipticCurvePrivateKey,
    wrapped: WrappedKey,
    context: bytes,
    purpose: WrapPurpose,
) -> bytes:
    """Open an ECIES wrap with an instance key; every failure is UnwrapFailed."""
    _check_context(context, purpose)
    public = private.public_key()
    _check_addressed(key_id(public), wrapped, WrapAlg.ECIES_P256)
    if wrapped.epk is None:
        raise UnwrapFailed("ECIES wrap without an ephemeral key")
    try:
        # from_encoded_point checks the point is on P-256: an off-curve point would leak bits of
        # the private key through the shared secret (invalid-curve attack).
        ephemeral_public = primitives.p256_public_from_bytes(wrapped.epk)
        shared_x = primitives.ecdh_p256(private, ephemeral_public)
        kek = _ecies_kek(shared_x, wrapped.epk, primitives.p256_public_bytes(public))
        plaintext = primitives.aes_gcm_decrypt(kek, ECIES_NONCE, wrapped.ct, context)
    except primitives.PrimitiveFailure as err:
        raise UnwrapFailed(f"ECIES wrap does not open: {err}") from err
    return _check_length_after(plaintext, purpose)


def unwrap_rsa(
    private: rsa.RSAPrivateKey, wrapped: WrappedKey, context: bytes, purpose: WrapPurpose
) -> bytes:
    """Open an RSA-OAEP wrap with the data or recovery key; every failure is UnwrapFailed."""
    _check_context(context, purpose)
    if purpose is WrapPurpose.LIVE_KEY:
        raise UnwrapFailed("a live key is wrapped to instance keys only")
    _check_addressed(key_id(private.public_key()), wrapped, WrapAlg.RSA_OAEP)
    if wrapped.epk is not None:
        raise UnwrapFailed("RSA-OAEP wrap carries an ephemeral key")
    try:
        plaintext = primitives.rsa_oaep_decrypt(private, wrapped.ct, label=context)
    except primitives.PrimitiveFailure as err:
        # One error for every padding failure: distinguishing them would be a padding oracle.
        raise UnwrapFailed("RSA-OAEP wrap does not open") from err
    return _check_length_after(plaintext, purpose)


def unwrap(private: Any, wrapped: WrappedKey, context: bytes, purpose: WrapPurpose) -> bytes:
    """Open a wrap with any held private key, choosing the algorithm by the key's type."""
    if isinstance(private, ec.EllipticCurvePrivateKey):
        return unwrap_p256(private, wrapped, context, purpose)
    if isinstance(private, rsa.RSAPrivateKey):
        return unwrap_rsa(private, wrapped, context, purpose)
    raise UnwrapFailed(f"no suite 1 unwrap for {type(private).__name__}")


def unwrap_any(
    held_keys: Sequence[Any],
    wrapped_keys: Sequence[WrappedKey],
    context: bytes,
    purpose: WrapPurpose,
) -> bytes:
    """Open the first wrap addressed to a held key.

    NoRecipientKey when no wrap names any held key; UnwrapFailed when some do but none opens
    (a wrap addressed to us that fails is tampering or a bug, never silently "not for us").
    """
    failure: UnwrapFailed | None = None
    for private in held_keys:
        own_key_id = key_id(private.public_key())
        for wrapped in wrapped_keys:
            if wrapped.key_id != own_key_id:
                continue
            try:
                return unwrap(private, wrapped, context, purpose)
            except UnwrapFailed as err:
                failure = err
    if failure is not None:
        raise failure
    raise NoRecipientKey("no wrapped key for any key held here")
