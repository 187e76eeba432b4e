"""Passphrase- and random-derived keys (PDK, RDK): scrypt then PBKDF2 (protocol section 4)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Final

from . import primitives
from .encoding import Fields, b64encode, hex_id
from .errors import MalformedObject, UnsupportedVersion, WrongPassphrase

ALG: Final = "scrypt-pbkdf2-sha256"
DERIVED_KEY_BYTES: Final = 32
SALT_BYTES: Final = 16
KEY_CHECK_LABEL: Final = b"e2ee-nvr/v1/key-check\x00"
PASSPHRASE_CHECK_LABEL_V2: Final = b"e2ee-nvr/v2/passphrase-check\x00"
KEY_CHECK_LABEL_V2: Final = b"e2ee-nvr/v2/key-check\x00"

DEFAULT_SCRYPT_N_LOG2: Final = 17
DEFAULT_PBKDF2_ITERATIONS: Final = 100_000
# The store hands these parameters to every endpoint. The lower bounds stop a malicious store
# from weakening a new account's keys; the upper bounds stop it from making an endpoint spend
# gigabytes of memory (scrypt needs 128 * 2^n * r bytes: 1 GiB at n = 20) or hours of time.
SCRYPT_N_LOG2_MIN: Final = 15
SCRYPT_N_LOG2_MAX: Final = 20
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
PBKDF2_ITERATIONS_MIN: Final = 10_000
PBKDF2_ITERATIONS_MAX: Final = 10_000_000


@dataclass(frozen=True)
class KdfParams:
    """KDF parameters stored beside every backup; construction enforces the section-4 bounds."""

    alg: str
    scrypt_n_log2: int
    scrypt_r: int
    scrypt_p: int
    scrypt_salt: bytes
    pbkdf2_iterations: int
    pbkdf2_salt: bytes

    def __post_init__(self) -> None:
        # Checked on every construction, not only when parsing, so no code path can derive a
        # key from parameters a verifier would refuse.
        if self.alg != ALG:
            raise UnsupportedVersion(f"kdf: unknown algorithm {self.alg!r}")
        _check_int("scrypt_n_log2", self.scrypt_n_log2, SCRYPT_N_LOG2_MIN, SCRYPT_N_LOG2_MAX)
        _check_int("scrypt_r", self.scrypt_r, SCRYPT_R, SCRYPT_R)
        _check_int("scrypt_p", self.scrypt_p, SCRYPT_P, SCRYPT_P)
        _check_int(
            "pbkdf2_iterations",
            self.pbkdf2_iterations,
            PBKDF2_ITERATIONS_MIN,
            PBKDF2_ITERATIONS_MAX,
        )
        for name, salt in (("scrypt_salt", self.scrypt_salt), ("pbkdf2_salt", self.pbkdf2_salt)):
            if not isinstance(salt, bytes) or len(salt) != SALT_BYTES:
                raise MalformedObject(f"kdf.{name}: expected {SALT_BYTES} bytes")

    @classmethod
    def new_default(
        cls,
        *,
        scrypt_n_log2: int = DEFAULT_SCRYPT_N_LOG2,
        pbkdf2_iterations: int = DEFAULT_PBKDF2_ITERATIONS,
    ) -> KdfParams:
        """Fresh random salts with the default costs (tests may lower them to the bounds)."""
        return cls(
            alg=ALG,
            scrypt_n_log2=scrypt_n_log2,
            scrypt_r=SCRYPT_R,
            scrypt_p=SCRYPT_P,
            scrypt_salt=secrets.token_bytes(SALT_BYTES),
            pbkdf2_iterations=pbkdf2_iterations,
            pbkdf2_salt=secrets.token_bytes(SALT_BYTES),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "alg": self.alg,
            "scrypt_n_log2": self.scrypt_n_log2,
            "scrypt_r": self.scrypt_r,
            "scrypt_p": self.scrypt_p,
            "scrypt_salt": b64encode(self.scrypt_salt),
            "pbkdf2_iterations": self.pbkdf2_iterations,
            "pbkdf2_salt": b64encode(self.pbkdf2_salt),
        }

    @classmethod
    def from_json(cls, document: object) -> KdfParams:
        """Parse the parameters object exhaustively; bounds are enforced by the constructor."""
        with Fields(document, where="kdf") as fields:
            return cls(
                alg=fields.str("alg", max_len=64),
                scrypt_n_log2=fields.int("scrypt_n_log2"),
                scrypt_r=fields.int("scrypt_r"),
                scrypt_p=fields.int("scrypt_p"),
                scrypt_salt=fields.bytes("scrypt_salt", max_len=64),
                pbkdf2_iterations=fields.int("pbkdf2_iterations"),
                pbkdf2_salt=fields.bytes("pbkdf2_salt", max_len=64),
            )


def _check_int(name: str, value: object, minimum: int, maximum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise MalformedObject(f"kdf.{name}: {value!r} outside [{minimum}, {maximum}]")


def derive_key(secret: bytes, params: KdfParams) -> bytes:
    """PBKDF2-HMAC-SHA256(scrypt(secret)): the memory-hard step first, as in the whitepaper."""
    intermediate = primitives.scrypt(
        secret,
        salt=params.scrypt_salt,
        n=1 << params.scrypt_n_log2,
        r=params.scrypt_r,
        p=params.scrypt_p,
        length=DERIVED_KEY_BYTES,
    )
    return primitives.pbkdf2_sha256(
        intermediate,
        salt=params.pbkdf2_salt,
        iterations=params.pbkdf2_iterations,
        length=DERIVED_KEY_BYTES,
    )


def password_for(key: bytes) -> bytes:
    """The PKCS#12 password form of a derived key: hex(key), 64 ASCII characters."""
    _check_key(key)
    return key.hex().encode("ascii")


def key_check(key: bytes, account_id: str) -> bytes:
    """HMAC-SHA256(key, "e2ee-nvr/v1/key-check" || 0x00 || account_id), stored beside a backup.

    It separates a wrong passphrase from a swapped or damaged backup. An offline guesser learns
    nothing from it that the PKCS#12 MAC (keyed from the same password) does not already give.
    """
    _check_key(key)
    account = hex_id(account_id, field="account_id", length_bytes=16)
    return primitives.hmac_sha256(key, KEY_CHECK_LABEL + account.encode("ascii"))


def verify_key_check(key: bytes, account_id: str, check: bytes) -> None:
    """Raise WrongPassphrase unless check matches this key and account (constant time)."""
    _check_key(key)
    account = hex_id(account_id, field="account_id", length_bytes=16)
    if not primitives.hmac_sha256_verify(key, KEY_CHECK_LABEL + account.encode("ascii"), check):
        raise WrongPassphrase("the passphrase does not open this account's backups")


def _check_key(key: bytes) -> None:
    if len(key) != DERIVED_KEY_BYTES:
        raise ValueError(f"a derived key is {DERIVED_KEY_BYTES} bytes")


def passphrase_check(pdk: bytes, account_id: str) -> bytes:
    """v2: HMAC-SHA256(PDK, "e2ee-nvr/v2/passphrase-check" || 0x00 || account_id hex text).

    The one check that may answer WrongPassphrase (section 4): every backup has its own.
    """
    _check_key(pdk)
    account = hex_id(account_id, field="account_id", length_bytes=16)
    return primitives.hmac_sha256(pdk, PASSPHRASE_CHECK_LABEL_V2 + account.encode("ascii"))


def verify_passphrase_check(pdk: bytes, account_id: str, check: bytes) -> None:
    if not primitives.hmac_sha256_verify(
        pdk, PASSPHRASE_CHECK_LABEL_V2 + _ascii_id(account_id), check
    ):
        raise WrongPassphrase("the passphrase does not open this account")


def key_check_v2(key: bytes, account_id: str, role: str, generation: int) -> bytes:
    """v2: a backup's check bound to its slot (account, role, generation), section 4."""
    _check_key(key)
    message = (
        KEY_CHECK_LABEL_V2
        + _ascii_id(account_id)
        + b"\x00"
        + role.encode("ascii")
        + b"\x00"
        + str(generation).encode("ascii")
    )
    return primitives.hmac_sha256(key, message)


def _ascii_id(account_id: str) -> bytes:
    return hex_id(account_id, field="account_id", length_bytes=16).encode("ascii")
