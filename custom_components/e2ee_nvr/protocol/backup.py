"""Account key backups: PKCS#12 under a derived key, with a key check (protocol section 11)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12

from .encoding import Fields, b64encode
from .envelope import PROTOCOL_VERSION
from .errors import BackupMismatch, MalformedObject
from .identifiers import KEY_ID_RE, key_id
from .kdf import KdfParams, derive_key, key_check, password_for, verify_key_check

BackupRole = Literal["signing", "recovery", "data"]
BACKUP_ROLES: Final[tuple[BackupRole, ...]] = get_args(BackupRole)
BACKUP_TYPE: Final = "key-backup"
# The password is a 256-bit derived key, so PBES2 iterations add no strength; 2048 keeps
# opening fast and matches the MAC iteration count the library uses.
PKCS12_KDF_ROUNDS: Final = 2048
MAX_P12_BYTES: Final = 64 * 1024
CHECK_BYTES: Final = 32


@dataclass(frozen=True)
class KeyBackup:
    """One private key and its certificate in PKCS#12, plus what it takes to open it."""

    role: BackupRole
    account_id: str
    kdf: KdfParams
    check: bytes
    p12: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "v": PROTOCOL_VERSION,
            "type": BACKUP_TYPE,
            "role": self.role,
            "account_id": self.account_id,
            "kdf": self.kdf.to_json(),
            "check": b64encode(self.check),
            "p12": b64encode(self.p12),
        }

    @classmethod
    def from_json(cls, document: object) -> KeyBackup:
        """Parse a key-backup object exhaustively (version first, then type, then fields)."""
        with Fields.typed(document, BACKUP_TYPE, PROTOCOL_VERSION) as fields:
            return cls(
                role=_as_role(fields.str("role", max_len=16)),
                account_id=fields.str("account_id", pattern=KEY_ID_RE),
                kdf=KdfParams.from_json(fields.raw("kdf")),
                check=fields.bytes("check", length=CHECK_BYTES),
                p12=fields.bytes("p12", max_len=MAX_P12_BYTES),
            )


def _as_role(role: str) -> BackupRole:
    for known in BACKUP_ROLES:
        if role == known:
            return known
    raise MalformedObject(f"{BACKUP_TYPE}.role: unknown role {role!r}")


def make_backup(
    role: BackupRole,
    account_id: str,
    private_key: rsa.RSAPrivateKey,
    cert: x509.Certificate,
    derived_key: bytes,
    kdf: KdfParams,
) -> KeyBackup:
    """Write the PKCS#12 profile of section 11 under hex(derived_key), with its key check."""
    if role not in BACKUP_ROLES:
        raise ValueError(f"unknown backup role {role!r}")
    if key_id(private_key.public_key()) != key_id(cert.public_key()):
        raise ValueError("the private key does not belong to the certificate")
    # PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC for key and certificate, and an
    # HMAC-SHA256 MAC: readable by OpenSSL 3 (`openssl pkcs12 -passin pass:<hex>`) and by
    # WebCrypto-based PKCS#12 code, with no legacy RC2/3DES/SHA-1 anywhere.
    encryption = (
        PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(PKCS12_KDF_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password_for(derived_key))
    )
    p12 = pkcs12.serialize_key_and_certificates(
        name=role.encode("ascii"),
        key=private_key,
        cert=cert,
        cas=None,
        encryption_algorithm=encryption,
    )
    return KeyBackup(
        role=role,
        account_id=account_id,
        kdf=kdf,
        check=key_check(derived_key, account_id),
        p12=p12,
    )


def open_backup(
    backup: KeyBackup,
    derived_key: bytes,
    *,
    account_id: str,
    expected_cert: x509.Certificate,
) -> rsa.RSAPrivateKey:
    """Open a backup with its derived key and require the key the account names for its role.

    account_id is the verified root's; expected_cert is the certificate the account document
    names for the backup's role (the root itself for "signing"). The key check comes before
    PKCS#12 so a wrong passphrase (WrongPassphrase) is told apart from a swapped or damaged
    backup (BackupMismatch).
    """
    _check_account(backup, account_id)
    verify_key_check(derived_key, account_id, backup.check)
    return open_p12(backup.role, backup.p12, derived_key, expected_cert)


def open_p12(
    role: str, p12: bytes, derived_key: bytes, expected_cert: x509.Certificate
) -> rsa.RSAPrivateKey:
    """Open the PKCS#12 under hex(key); the key inside must be the certificate's (else
    BackupMismatch)."""
    try:
        private_key, _, _ = pkcs12.load_key_and_certificates(p12, password_for(derived_key))
    except (ValueError, TypeError, UnsupportedAlgorithm) as err:
        raise BackupMismatch(f"{role} backup does not open with this account's key") from err
    # The store holds the backups: it could hand over another account's PKCS#12 under a
    # matching check, so the key inside must be the one this account's certificate names.
    if not isinstance(private_key, rsa.RSAPrivateKey) or key_id(private_key.public_key()) != (
        key_id(expected_cert.public_key())
    ):
        raise BackupMismatch(f"{role} backup holds a key the account does not name")
    return private_key


def open_backup_with_secret(
    backup: KeyBackup,
    secret: bytes,
    *,
    account_id: str,
    expected_cert: x509.Certificate,
) -> rsa.RSAPrivateKey:
    """Derive the key from a passphrase (canonical UTF-8) or RDK secret, then open the backup."""
    # Refuse another account's backup before spending the KDF's time and memory on it.
    _check_account(backup, account_id)
    derived_key = derive_key(secret, backup.kdf)
    return open_backup(backup, derived_key, account_id=account_id, expected_cert=expected_cert)


def _check_account(backup: KeyBackup, account_id: str) -> None:
    if backup.account_id != account_id:
        raise BackupMismatch(f"{backup.role} backup belongs to another account")
