"""Wrapped keys (protocol section 7): round trips, context binding, and tampering refused."""

from __future__ import annotations

import secrets
from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import given
from hypothesis import strategies as st

from e2ee_nvr_protocol import primitives
from e2ee_nvr_protocol.encoding import b64encode
from e2ee_nvr_protocol.errors import (
    MalformedObject,
    NoRecipientKey,
    UnsupportedVersion,
    UntrustedKey,
    UnwrapFailed,
)
from e2ee_nvr_protocol.identifiers import key_id
from e2ee_nvr_protocol.wrap import (
    WrapAlg,
    WrappedKey,
    WrapPurpose,
    data_rdk_context,
    unwrap,
    unwrap_any,
    unwrap_p256,
    unwrap_rsa,
    wrap_context,
    wrap_for,
    wrap_to_p256,
    wrap_to_rsa,
)

ACCOUNT_ID = "0123456789abcdef0123456789abcdef"


@cache
def _rsa_key(index: int) -> rsa.RSAPrivateKey:
    return primitives.rsa_generate()


@cache
def _p256_key(index: int) -> ec.EllipticCurvePrivateKey:
    return primitives.p256_generate()


def rsa_key(index: int = 0) -> rsa.RSAPrivateKey:
    return _rsa_key(index)


def p256_key(index: int = 0) -> ec.EllipticCurvePrivateKey:
    return _p256_key(index)


def held_key(alg: WrapAlg, index: int = 0) -> Any:
    return p256_key(index) if alg is WrapAlg.ECIES_P256 else rsa_key(index)


def addressed_to(
    wrapped: WrappedKey, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
) -> WrappedKey:
    """`wrapped` relabelled with `key`'s id, as a store could serve it."""
    return replace(wrapped, key_id=key_id(key.public_key()))


def context_for(purpose: WrapPurpose, clip_id: bytes = b"\x11" * 16) -> bytes:
    if purpose is WrapPurpose.DATA_RDK:
        return data_rdk_context(ACCOUNT_ID, 3)
    if purpose is WrapPurpose.LIVE_KEY:
        return wrap_context(purpose, b"\x22" * 16 + b"\x33" * 16)
    subject = clip_id if purpose is WrapPurpose.CLIP_KEY else ACCOUNT_ID.encode("ascii")
    return wrap_context(purpose, subject)


def test_data_rdk_context_binds_account_and_generation() -> None:
    assert data_rdk_context(ACCOUNT_ID, 12) == (
        b"e2ee-nvr/v1/wrap/data-rdk\x00" + ACCOUNT_ID.encode() + b"/12"
    )
    for generation in (0, 65):
        with pytest.raises(ValueError, match="data-rdk"):
            data_rdk_context(ACCOUNT_ID, generation)


def test_live_key_context_and_no_rsa_unwrap() -> None:
    subject = bytes(range(32))
    context = wrap_context(WrapPurpose.LIVE_KEY, subject)
    assert context == b"e2ee-nvr/v1/wrap/live-key\x00" + subject
    # Even a wrap made by hand to the data key never opens as a live key.
    private = rsa_key()
    ct = primitives.rsa_oaep_encrypt(private.public_key(), bytes(16), label=context)
    wrapped = WrappedKey(key_id(private.public_key()), WrapAlg.RSA_OAEP, None, ct)
    with pytest.raises(UnwrapFailed, match="instance keys only"):
        unwrap(private, wrapped, context, WrapPurpose.LIVE_KEY)


def test_context_layout() -> None:
    clip_id = bytes(range(16))
    assert wrap_context(WrapPurpose.CLIP_KEY, clip_id) == b"e2ee-nvr/v1/wrap/clip-key\x00" + clip_id
    assert wrap_context(WrapPurpose.RDK, ACCOUNT_ID.encode()) == (
        b"e2ee-nvr/v1/wrap/rdk\x00" + ACCOUNT_ID.encode()
    )


@pytest.mark.parametrize(
    ("purpose", "subject"),
    [
        (WrapPurpose.CLIP_KEY, b"\x00" * 15),
        (WrapPurpose.PDK, bytes(16)),
        (WrapPurpose.RDK, ACCOUNT_ID.upper().encode()),
        (WrapPurpose.LIVE_KEY, bytes(16)),
    ],
)
def test_context_refuses_wrong_subject(purpose: WrapPurpose, subject: bytes) -> None:
    with pytest.raises(ValueError, match="context"):
        wrap_context(purpose, subject)


@pytest.mark.parametrize("purpose", list(WrapPurpose))
@pytest.mark.parametrize("alg", list(WrapAlg))
def test_round_trip(purpose: WrapPurpose, alg: WrapAlg) -> None:
    private = held_key(alg)
    secret = secrets.token_bytes(purpose.key_bytes)
    context = context_for(purpose)
    if purpose is WrapPurpose.LIVE_KEY and alg is WrapAlg.RSA_OAEP:
        # Section 18: a live key goes to the requesting instance key only, never an RSA key.
        with pytest.raises(ValueError, match="live key"):
            wrap_for(private.public_key(), secret, context)
        return
    wrapped = wrap_for(private.public_key(), secret, context)
    assert wrapped.alg is alg
    assert wrapped.key_id == key_id(private.public_key())
    assert (wrapped.epk is not None) == (alg is WrapAlg.ECIES_P256)
    parsed = WrappedKey.from_json(wrapped.to_json())
    assert parsed == wrapped
    assert unwrap(private, parsed, context, purpose) == secret


def test_ecies_wraps_are_fresh() -> None:
    private = p256_key()
    context = context_for(WrapPurpose.CLIP_KEY)
    first = wrap_to_p256(private.public_key(), b"k" * 16, context)
    second = wrap_to_p256(private.public_key(), b"k" * 16, context)
    assert first.epk != second.epk
    assert first.ct != second.ct


@pytest.mark.parametrize("alg", list(WrapAlg))
def test_clip_a_wrap_fails_under_clip_b_context(alg: WrapAlg) -> None:
    private = held_key(alg)
    clip_a = wrap_context(WrapPurpose.CLIP_KEY, b"\xaa" * 16)
    clip_b = wrap_context(WrapPurpose.CLIP_KEY, b"\xbb" * 16)
    wrapped = wrap_for(private.public_key(), b"k" * 16, clip_a)
    with pytest.raises(UnwrapFailed):
        unwrap(private, wrapped, clip_b, WrapPurpose.CLIP_KEY)


@pytest.mark.parametrize("alg", list(WrapAlg))
def test_pdk_wrap_fails_as_rdk(alg: WrapAlg) -> None:
    private = held_key(alg)
    wrapped = wrap_for(private.public_key(), b"p" * 32, context_for(WrapPurpose.PDK))
    with pytest.raises(UnwrapFailed):
        unwrap(private, wrapped, context_for(WrapPurpose.RDK), WrapPurpose.RDK)


@pytest.mark.parametrize("alg", list(WrapAlg))
def test_other_recipient_refused(alg: WrapAlg) -> None:
    context = context_for(WrapPurpose.CLIP_KEY)
    wrapped = wrap_for(held_key(alg, 0).public_key(), b"k" * 16, context)
    other = held_key(alg, 1)
    with pytest.raises(UnwrapFailed):
        unwrap(other, wrapped, context, WrapPurpose.CLIP_KEY)
    # Relabelling the wrap with the other recipient's key id does not help either.
    with pytest.raises(UnwrapFailed):
        unwrap(other, addressed_to(wrapped, other), context, WrapPurpose.CLIP_KEY)


def test_ecies_epk_replaced_refused() -> None:
    private = p256_key()
    context = context_for(WrapPurpose.CLIP_KEY)
    wrapped = wrap_to_p256(private.public_key(), b"k" * 16, context)
    other_point = primitives.p256_public_bytes(primitives.p256_generate().public_key())
    with pytest.raises(UnwrapFailed):
        unwrap_p256(private, replace(wrapped, epk=other_point), context, WrapPurpose.CLIP_KEY)


def test_ecies_epk_off_curve_refused() -> None:
    private = p256_key()
    context = context_for(WrapPurpose.CLIP_KEY)
    wrapped = wrap_to_p256(private.public_key(), b"k" * 16, context)
    assert wrapped.epk is not None
    off_curve = wrapped.epk[:-1] + bytes([wrapped.epk[-1] ^ 1])
    for bad in (off_curve, b"\x04" + bytes(64), b"\x02" + wrapped.epk[1:]):
        with pytest.raises(UnwrapFailed):
            unwrap_p256(private, replace(wrapped, epk=bad), context, WrapPurpose.CLIP_KEY)
    with pytest.raises(UnwrapFailed):
        unwrap_p256(private, replace(wrapped, epk=None), context, WrapPurpose.CLIP_KEY)


@pytest.mark.parametrize("alg", list(WrapAlg))
@given(data=st.data())
def test_any_ct_bit_flip_refused(alg: WrapAlg, data: st.DataObject) -> None:
    private = held_key(alg)
    context = context_for(WrapPurpose.CLIP_KEY)
    wrapped = wrap_for(private.public_key(), b"k" * 16, context)
    index = data.draw(st.integers(0, len(wrapped.ct) - 1))
    bit = data.draw(st.integers(0, 7))
    flipped = bytearray(wrapped.ct)
    flipped[index] ^= 1 << bit
    with pytest.raises(UnwrapFailed):
        unwrap(private, replace(wrapped, ct=bytes(flipped)), context, WrapPurpose.CLIP_KEY)


def test_wrong_plaintext_length_refused() -> None:
    # A well-formed wrap of 32 bytes under a clip-key context must not pass as a 16-byte key.
    # Build it below the length check, as a confused or malicious wrapper would.
    private = p256_key()
    context = context_for(WrapPurpose.CLIP_KEY)
    ephemeral = primitives.p256_generate()
    epk = primitives.p256_public_bytes(ephemeral.public_key())
    point = primitives.p256_public_bytes(private.public_key())
    shared = primitives.ecdh_p256(ephemeral, private.public_key())
    kek = primitives.hkdf_sha256(
        shared, salt=epk + point, info=b"e2ee-nvr/v1/ecies-p256", length=32
    )
    ct = primitives.aes_gcm_encrypt(kek, bytes(12), b"x" * 32, context)
    wrapped = WrappedKey(key_id(private.public_key()), WrapAlg.ECIES_P256, epk, ct)
    with pytest.raises(UnwrapFailed):
        unwrap_p256(private, wrapped, context, WrapPurpose.CLIP_KEY)
    rsa_private = rsa_key()
    rsa_ct = primitives.rsa_oaep_encrypt(rsa_private.public_key(), b"x" * 32, label=context)
    rsa_wrapped = WrappedKey(key_id(rsa_private.public_key()), WrapAlg.RSA_OAEP, None, rsa_ct)
    with pytest.raises(UnwrapFailed):
        unwrap_rsa(rsa_private, rsa_wrapped, context, WrapPurpose.CLIP_KEY)


def test_wrap_refuses_wrong_key_length() -> None:
    with pytest.raises(ValueError, match="length"):
        wrap_to_p256(p256_key().public_key(), b"k" * 32, context_for(WrapPurpose.CLIP_KEY))


def test_alg_does_not_fit_key_type() -> None:
    context = context_for(WrapPurpose.CLIP_KEY)
    ecies = wrap_to_p256(p256_key().public_key(), b"k" * 16, context)
    rsa_wrapped = wrap_to_rsa(rsa_key().public_key(), b"k" * 16, context)
    # Claim each wrap was made for the other kind of key.
    with pytest.raises(UnwrapFailed):
        unwrap_rsa(rsa_key(), addressed_to(ecies, rsa_key()), context, WrapPurpose.CLIP_KEY)
    with pytest.raises(UnwrapFailed):
        unwrap_p256(
            p256_key(), addressed_to(rsa_wrapped, p256_key()), context, WrapPurpose.CLIP_KEY
        )
    with pytest.raises(UnwrapFailed):
        unwrap_rsa(rsa_key(), replace(rsa_wrapped, epk=b"\x04" * 65), context, WrapPurpose.CLIP_KEY)


def test_wrap_refuses_keys_outside_suite_1() -> None:
    context = context_for(WrapPurpose.CLIP_KEY)
    with pytest.raises(UntrustedKey):
        wrap_for(ec.generate_private_key(ec.SECP384R1()).public_key(), b"k" * 16, context)
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    with pytest.raises(UntrustedKey):
        wrap_for(small.public_key(), b"k" * 16, context)
    with pytest.raises(UntrustedKey):
        wrap_for(object(), b"k" * 16, context)


def test_unwrap_any() -> None:
    context = context_for(WrapPurpose.CLIP_KEY)
    wraps = [
        wrap_to_rsa(rsa_key(0).public_key(), b"k" * 16, context),
        wrap_to_p256(p256_key(0).public_key(), b"k" * 16, context),
    ]
    assert unwrap_any([p256_key(1), p256_key(0)], wraps, context, WrapPurpose.CLIP_KEY) == b"k" * 16
    with pytest.raises(NoRecipientKey):
        unwrap_any([p256_key(1), rsa_key(1)], wraps, context, WrapPurpose.CLIP_KEY)
    tampered = [replace(wraps[1], ct=bytes(len(wraps[1].ct)))]
    with pytest.raises(UnwrapFailed):
        unwrap_any([p256_key(0)], tampered, context, WrapPurpose.CLIP_KEY)


def _ecies_json() -> dict[str, str]:
    return wrap_to_p256(
        p256_key().public_key(), b"k" * 16, context_for(WrapPurpose.CLIP_KEY)
    ).to_json()


def _rsa_json() -> dict[str, str]:
    return wrap_to_rsa(
        rsa_key().public_key(), b"k" * 16, context_for(WrapPurpose.CLIP_KEY)
    ).to_json()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("epk"),
        lambda d: d.update(epk=b64encode(b"\x04" * 64)),
        lambda d: d.update(ct=b64encode(b"c" * 49)),
        lambda d: d.update(ct=b64encode(b"c" * 16)),
        lambda d: d.update(key_id="ABCDEF" + "0" * 26),
        lambda d: d.update(extra="x"),
        lambda d: d.update(epk=None),
    ],
)
def test_ecies_json_malformed(mutate: Any) -> None:
    document = _ecies_json()
    mutate(document)
    with pytest.raises(MalformedObject):
        WrappedKey.from_json(document)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(epk=b64encode(b"\x04" * 65)),
        lambda d: d.update(ct=b64encode(b"c" * 255)),
        lambda d: d.update(ct=b64encode(b"c" * 513)),
        lambda d: d.pop("ct"),
    ],
)
def test_rsa_json_malformed(mutate: Any) -> None:
    document = _rsa_json()
    mutate(document)
    with pytest.raises(MalformedObject):
        WrappedKey.from_json(document)


def test_unknown_alg_unsupported() -> None:
    document = _rsa_json()
    document["alg"] = "rsa-oaep-sha512"
    with pytest.raises(UnsupportedVersion):
        WrappedKey.from_json(document)
