"""Key backups: PKCS#12 profile, JSON form, opening and every swap (protocol section 11)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key, pkcs12

from e2ee_nvr_protocol import certs, kdf
from e2ee_nvr_protocol.backup import KeyBackup, make_backup, open_backup, open_backup_with_secret
from e2ee_nvr_protocol.certs import Role
from e2ee_nvr_protocol.encoding import dumps, loads
from e2ee_nvr_protocol.errors import (
    BackupMismatch,
    MalformedObject,
    UnsupportedVersion,
    WrongPassphrase,
)
from e2ee_nvr_protocol.identifiers import key_id

OPENSSL = "/usr/bin/openssl"
PASSPHRASE = b"abacus abdomen abide ability ablaze able abroad absence absolute absurd"


@dataclass(frozen=True)
class Account:
    """The keys and certificates of one test account, with its PDK-protected backups."""

    account_id: str
    root_cert: x509.Certificate
    recovery_key: rsa.RSAPrivateKey
    recovery_cert: x509.Certificate
    params: kdf.KdfParams
    pdk: bytes
    signing: KeyBackup
    recovery: KeyBackup

    def open(
        self, backup: KeyBackup, pdk: bytes | None = None, cert: x509.Certificate | None = None
    ) -> rsa.RSAPrivateKey:
        """`backup` opened as this account's with `pdk` (by default its own), expecting the key
        of `cert` (by default its root)."""
        return open_backup(
            backup,
            self.pdk if pdk is None else pdk,
            account_id=self.account_id,
            expected_cert=cert or self.root_cert,
        )

    def open_with_secret(
        self, backup: KeyBackup, secret: bytes, cert: x509.Certificate | None = None
    ) -> rsa.RSAPrivateKey:
        """`backup` opened as this account's from a passphrase, expecting `cert`'s key."""
        return open_backup_with_secret(
            backup, secret, account_id=self.account_id, expected_cert=cert or self.root_cert
        )


@cache
def account(name: str) -> Account:
    signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    recovery_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_cert = certs.make_root(signing_key)
    recovery_cert = certs.issue(root_cert, signing_key, recovery_key.public_key(), Role.recovery)
    account_id = key_id(signing_key.public_key())
    params = kdf.KdfParams.new_default(scrypt_n_log2=15, pbkdf2_iterations=10000)
    pdk = kdf.derive_key(PASSPHRASE + name.encode(), params)
    return Account(
        account_id=account_id,
        root_cert=root_cert,
        recovery_key=recovery_key,
        recovery_cert=recovery_cert,
        params=params,
        pdk=pdk,
        signing=make_backup("signing", account_id, signing_key, root_cert, pdk, params),
        recovery=make_backup("recovery", account_id, recovery_key, recovery_cert, pdk, params),
    )


def same_key(a: rsa.RSAPrivateKey, b: rsa.RSAPrivateKey) -> bool:
    return a.private_numbers() == b.private_numbers()


def test_round_trip_through_json() -> None:
    alice = account("alice")
    document = loads(dumps(alice.recovery.to_json()))
    assert document["v"] == 1 and document["type"] == "key-backup"
    assert document["role"] == "recovery" and document["account_id"] == alice.account_id
    parsed = KeyBackup.from_json(document)
    assert parsed == alice.recovery
    opened = alice.open(parsed, cert=alice.recovery_cert)
    assert same_key(opened, alice.recovery_key)


def test_open_with_the_passphrase_derives_from_stored_params() -> None:
    alice = account("alice")
    opened = alice.open_with_secret(alice.recovery, PASSPHRASE + b"alice", alice.recovery_cert)
    assert same_key(opened, alice.recovery_key)


def test_pkcs12_profile() -> None:
    alice = account("alice")
    loaded = pkcs12.load_pkcs12(alice.signing.p12, kdf.password_for(alice.pdk))
    assert loaded.key is not None and loaded.cert is not None
    assert loaded.cert.friendly_name == b"signing"
    assert loaded.cert.certificate == alice.root_cert
    assert loaded.additional_certs == []
    assert alice.signing.check == kdf.key_check(alice.pdk, alice.account_id)


def test_pkcs12_algorithms_seen_by_openssl(tmp_path: Path) -> None:
    alice = account("alice")
    path = tmp_path / "backup.p12"
    path.write_bytes(alice.signing.p12)
    password = kdf.password_for(alice.pdk).decode("ascii")
    result = subprocess.run(  # noqa: S603 (fixed binary, arguments built here)
        [OPENSSL, "pkcs12", "-in", str(path), "-passin", f"pass:{password}", "-info", "-noout"],
        capture_output=True,
        text=True,
        check=True,
    )
    info = result.stderr + result.stdout
    assert "MAC: sha256, Iteration 2048" in info
    # Both the certificate bag and the shrouded key bag: no legacy RC2, 3DES or SHA-1 PBE.
    pbes2 = "PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256"
    assert info.count(pbes2) == 2
    assert "Shrouded Keybag: " + pbes2 in info
    assert "pbeWith" not in info and "RC2" not in info and "3DES" not in info


def test_openssl_opens_a_backup_with_the_hex_password(tmp_path: Path) -> None:
    # A required check of the protocol (section 4, "Password form"): never skipped.
    assert shutil.which(OPENSSL) == OPENSSL
    alice = account("alice")
    path = tmp_path / "recovery.p12"
    path.write_bytes(alice.recovery.p12)
    password = kdf.password_for(alice.pdk).decode("ascii")
    assert re.fullmatch(r"[0-9a-f]{64}", password)
    result = subprocess.run(  # noqa: S603 (fixed binary, arguments built here)
        [OPENSSL, "pkcs12", "-in", str(path), "-passin", f"pass:{password}", "-nodes"],
        capture_output=True,
        check=True,
    )
    match = re.search(
        rb"-----BEGIN PRIVATE KEY-----.*?-----END PRIVATE KEY-----", result.stdout, re.DOTALL
    )
    assert match is not None
    key = load_pem_private_key(match.group(0), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    assert key.public_key().public_numbers() == alice.recovery_key.public_key().public_numbers()
    assert b"BEGIN CERTIFICATE" in result.stdout


def test_openssl_refuses_a_wrong_password(tmp_path: Path) -> None:
    alice = account("alice")
    path = tmp_path / "recovery.p12"
    path.write_bytes(alice.recovery.p12)
    wrong = kdf.password_for(account("bob").pdk).decode("ascii")
    result = subprocess.run(  # noqa: S603 (fixed binary, arguments built here)
        [OPENSSL, "pkcs12", "-in", str(path), "-passin", f"pass:{wrong}", "-nodes"],
        capture_output=True,
        check=False,
    )
    assert result.returncode != 0
    assert b"PRIVATE KEY" not in result.stdout


def test_wrong_passphrase() -> None:
    alice = account("alice")
    with pytest.raises(WrongPassphrase):
        alice.open(alice.signing, account("bob").pdk)
    with pytest.raises(WrongPassphrase):
        alice.open_with_secret(alice.signing, PASSPHRASE + b"mallory")


def test_another_accounts_whole_backup_is_refused() -> None:
    alice, bob = account("alice"), account("bob")
    with pytest.raises(BackupMismatch, match="another account"):
        alice.open(bob.signing, bob.pdk)
    with pytest.raises(BackupMismatch, match="another account"):
        alice.open_with_secret(bob.signing, PASSPHRASE + b"bob")


def test_another_accounts_backup_relabelled_as_ours_is_refused() -> None:
    # The store rewrites bob's backup to carry alice's account_id: the check, keyed by bob's
    # PDK over alice's account_id, does not match alice's PDK.
    alice, bob = account("alice"), account("bob")
    relabelled = replace(bob.signing, account_id=alice.account_id)
    with pytest.raises(WrongPassphrase):
        alice.open(relabelled)


def test_another_accounts_p12_under_our_check_is_refused() -> None:
    alice, bob = account("alice"), account("bob")
    swapped = replace(alice.signing, p12=bob.signing.p12)
    with pytest.raises(BackupMismatch, match="does not open"):
        alice.open(swapped)


def test_p12_holding_another_key_under_our_password_is_refused() -> None:
    # A store that knew the PDK could not exist, but the role swap is real: the signing and
    # recovery backups share the PDK, so their p12 fields open with the same password.
    alice = account("alice")
    swapped = replace(alice.signing, p12=alice.recovery.p12)
    with pytest.raises(BackupMismatch, match="does not name"):
        alice.open(swapped)
    with pytest.raises(BackupMismatch, match="does not name"):
        alice.open(alice.recovery)


def test_damaged_p12_is_refused() -> None:
    alice = account("alice")
    p12 = bytearray(alice.signing.p12)
    p12[len(p12) // 2] ^= 0x01
    damaged = replace(alice.signing, p12=bytes(p12))
    with pytest.raises(BackupMismatch):
        alice.open(damaged)
    with pytest.raises(BackupMismatch):
        alice.open(replace(alice.signing, p12=b"junk"))


def test_make_backup_refuses_a_key_that_is_not_the_certificates() -> None:
    alice = account("alice")
    with pytest.raises(ValueError):
        make_backup(
            "signing",
            alice.account_id,
            alice.recovery_key,
            alice.root_cert,
            alice.pdk,
            alice.params,
        )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"v": 2}, UnsupportedVersion),
        ({"v": True}, MalformedObject),
        ({"type": "account"}, MalformedObject),
        ({"role": "device"}, MalformedObject),
        ({"account_id": "ABCDEF0123456789ABCDEF0123456789"}, MalformedObject),
        ({"check": "AAAA"}, MalformedObject),
        ({"p12": "AAAA="}, MalformedObject),
        ({"extra": 1}, MalformedObject),
        ({"kdf": {"alg": "scrypt-pbkdf2-sha256"}}, MalformedObject),
    ],
)
def test_malformed_backup_objects(change: dict[str, Any], error: type[Exception]) -> None:
    document = account("alice").signing.to_json() | change
    with pytest.raises(error):
        KeyBackup.from_json(document)


@pytest.mark.parametrize("field", ["v", "type", "role", "account_id", "kdf", "check", "p12"])
def test_missing_fields(field: str) -> None:
    document = account("alice").signing.to_json()
    del document[field]
    with pytest.raises((MalformedObject, UnsupportedVersion)):
        KeyBackup.from_json(document)


def test_weak_kdf_params_in_a_backup_are_refused() -> None:
    document = account("alice").signing.to_json()
    document["kdf"] = document["kdf"] | {"scrypt_n_log2": 10}
    with pytest.raises(MalformedObject):
        KeyBackup.from_json(document)
