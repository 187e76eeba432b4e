"""Derived keys (PDK, RDK), their parameters, password form and key check (protocol section 4)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from typing import Any

import pytest

from e2ee_nvr_protocol import kdf
from e2ee_nvr_protocol.encoding import b64encode, dumps, loads
from e2ee_nvr_protocol.errors import MalformedObject, UnsupportedVersion, WrongPassphrase

ACCOUNT_ID = "0123456789abcdef0123456789abcdef"
FAST = kdf.KdfParams(
    alg="scrypt-pbkdf2-sha256",
    scrypt_n_log2=15,
    scrypt_r=8,
    scrypt_p=1,
    scrypt_salt=bytes(range(16)),
    pbkdf2_iterations=10000,
    pbkdf2_salt=bytes(range(16, 32)),
)
# KDF(b"abacus", FAST), computed once; the TypeScript endpoint must derive the same bytes.
FAST_ABACUS_KEY = "a1fc5aa594303804fece8fd11ab15aec24b465e8cb4237035758ce78bdf69a40"


def test_derive_key_is_pbkdf2_over_scrypt() -> None:
    key = kdf.derive_key(b"abacus", FAST)
    assert key.hex() == FAST_ABACUS_KEY
    # Recomputed step by step through hashlib, independently of the module under test.
    inner = hashlib.scrypt(
        b"abacus", salt=bytes(range(16)), n=2**15, r=8, p=1, dklen=32, maxmem=64 << 20
    )
    assert key == hashlib.pbkdf2_hmac("sha256", inner, bytes(range(16, 32)), 10000, 32)


def test_derive_key_depends_on_secret_and_every_salt() -> None:
    base = kdf.derive_key(b"abacus", FAST)
    assert kdf.derive_key(b"abacuz", FAST) != base
    assert kdf.derive_key(b"abacus", replace(FAST, scrypt_salt=bytes(16))) != base
    assert kdf.derive_key(b"abacus", replace(FAST, pbkdf2_salt=bytes(16))) != base
    assert kdf.derive_key(b"abacus", replace(FAST, pbkdf2_iterations=10001)) != base


def test_new_default_has_production_costs_and_fresh_salts() -> None:
    first, second = kdf.KdfParams.new_default(), kdf.KdfParams.new_default()
    assert (first.scrypt_n_log2, first.scrypt_r, first.scrypt_p) == (17, 8, 1)
    assert first.pbkdf2_iterations == 100000
    assert first.alg == "scrypt-pbkdf2-sha256"
    assert len(first.scrypt_salt) == len(first.pbkdf2_salt) == 16
    assert first.scrypt_salt != second.scrypt_salt and first.pbkdf2_salt != second.pbkdf2_salt
    assert first.scrypt_salt != first.pbkdf2_salt
    fast = kdf.KdfParams.new_default(scrypt_n_log2=15, pbkdf2_iterations=10000)
    assert (fast.scrypt_n_log2, fast.pbkdf2_iterations) == (15, 10000)


def test_json_round_trip_and_exact_form() -> None:
    document = FAST.to_json()
    assert document == {
        "alg": "scrypt-pbkdf2-sha256",
        "scrypt_n_log2": 15,
        "scrypt_r": 8,
        "scrypt_p": 1,
        "scrypt_salt": b64encode(bytes(range(16))),
        "pbkdf2_iterations": 10000,
        "pbkdf2_salt": b64encode(bytes(range(16, 32))),
    }
    assert kdf.KdfParams.from_json(loads(dumps(document))) == FAST


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("scrypt_n_log2", 14),
        ("scrypt_n_log2", 21),
        ("scrypt_r", 1),
        ("scrypt_r", 16),
        ("scrypt_p", 2),
        ("scrypt_p", 0),
        ("pbkdf2_iterations", 9999),
        ("pbkdf2_iterations", 10000001),
        ("scrypt_salt", b64encode(bytes(15))),
        ("scrypt_salt", b64encode(bytes(17))),
        ("pbkdf2_salt", b64encode(b"")),
        ("pbkdf2_salt", b64encode(bytes(32))),
        ("scrypt_n_log2", -1),
        ("scrypt_n_log2", "17"),
        ("pbkdf2_iterations", True),
        ("scrypt_salt", "AAAAAAAAAAAAAAAAAAAAAA=="),
    ],
)
def test_parameters_outside_bounds_are_refused(field: str, value: Any) -> None:
    document = FAST.to_json() | {field: value}
    with pytest.raises(MalformedObject):
        kdf.KdfParams.from_json(document)


@pytest.mark.parametrize("n_log2", [15, 20])
def test_bounds_are_inclusive(n_log2: int) -> None:
    params = kdf.KdfParams.from_json(FAST.to_json() | {"scrypt_n_log2": n_log2})
    assert params.scrypt_n_log2 == n_log2
    assert kdf.KdfParams.from_json(FAST.to_json() | {"pbkdf2_iterations": 10000000})


def test_construction_enforces_the_same_bounds() -> None:
    with pytest.raises(MalformedObject):
        replace(FAST, scrypt_n_log2=10)
    with pytest.raises(MalformedObject):
        kdf.KdfParams.new_default(pbkdf2_iterations=1000)


def test_unknown_or_missing_fields_and_other_algorithms_are_refused() -> None:
    with pytest.raises(MalformedObject, match="unknown fields"):
        kdf.KdfParams.from_json(FAST.to_json() | {"extra": 1})
    document = FAST.to_json()
    del document["pbkdf2_salt"]
    with pytest.raises(MalformedObject, match="missing"):
        kdf.KdfParams.from_json(document)
    with pytest.raises(UnsupportedVersion):
        kdf.KdfParams.from_json(FAST.to_json() | {"alg": "argon2id"})
    with pytest.raises(MalformedObject):
        kdf.KdfParams.from_json([])


def test_password_form_is_lowercase_hex() -> None:
    key = bytes(range(32))
    assert kdf.password_for(key) == key.hex().encode("ascii")
    assert len(kdf.password_for(key)) == 64
    with pytest.raises(ValueError):
        kdf.password_for(bytes(31))


def test_key_check_is_the_labelled_hmac() -> None:
    key = bytes(range(32))
    message = b"e2ee-nvr/v1/key-check\x00" + ACCOUNT_ID.encode("ascii")
    expected = hmac.new(key, message, hashlib.sha256).digest()
    assert kdf.key_check(key, ACCOUNT_ID) == expected
    kdf.verify_key_check(key, ACCOUNT_ID, expected)


def test_key_check_refuses_another_key_account_or_check() -> None:
    key = bytes(range(32))
    check = kdf.key_check(key, ACCOUNT_ID)
    with pytest.raises(WrongPassphrase):
        kdf.verify_key_check(bytes(32), ACCOUNT_ID, check)
    with pytest.raises(WrongPassphrase):
        kdf.verify_key_check(key, "f" * 32, check)
    with pytest.raises(WrongPassphrase):
        kdf.verify_key_check(key, ACCOUNT_ID, check[:-1] + bytes([check[-1] ^ 1]))
    with pytest.raises(WrongPassphrase):
        kdf.verify_key_check(key, ACCOUNT_ID, check[:16])
    with pytest.raises(MalformedObject):
        kdf.key_check(key, "ABCDEF0123456789ABCDEF0123456789")
