"""Version-2 key backups: PKCS#12 under a known-good key, with a check bound to its slot.

Section 4 and 11.1: a v2 backup carries no KDF parameters. Signing and recovery open with the
account's PDK (already proven by the passphrase check), data generation g with RDK_g itself
(already proven by its authenticated unwrap). So every failure here is BackupMismatch, never
WrongPassphrase: a store that swaps a backup cannot make a correct passphrase look wrong.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any, Final

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from .backup import (
    BACKUP_TYPE,
    CHECK_BYTES,
    MAX_P12_BYTES,
    BackupRole,
    _as_role,
    make_backup,
    open_p12,
)
from .encoding import Fields, b64encode
from .envelope import TRUST_CORE_VERSION
from .errors import BackupMismatch
from .identifiers import KEY_ID_RE
from .kdf import KdfParams, key_check_v2

MAX_GENERATION: Final = 64
# make_backup writes v1's check and stores params; v2 replaces both, so any valid params do.
_UNUSED_PARAMS: Final = KdfParams.new_default()


@dataclass(frozen=True)
class KeyBackupV2:
    """One private key in PKCS#12, filed under (role, generation) with its slot-bound check."""

    role: BackupRole
    generation: int
    account_id: str
    check: bytes
    p12: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "v": TRUST_CORE_VERSION,
            "type": BACKUP_TYPE,
            "role": self.role,
            "generation": self.generation,
            "account_id": self.account_id,
            "check": b64encode(self.check),
            "p12": b64encode(self.p12),
        }

    @classmethod
    def from_json(cls, document: object) -> KeyBackupV2:
        with Fields.typed(document, BACKUP_TYPE, TRUST_CORE_VERSION) as fields:
            return cls(
                role=_as_role(fields.str("role", max_len=16)),
                generation=fields.int("generation", maximum=MAX_GENERATION),
                account_id=fields.str("account_id", pattern=KEY_ID_RE),
                check=fields.bytes("check", length=CHECK_BYTES),
                p12=fields.bytes("p12", max_len=MAX_P12_BYTES),
            )


def make_backup_v2(
    role: BackupRole,
    generation: int,
    account_id: str,
    private_key: rsa.RSAPrivateKey,
    cert: x509.Certificate,
    key: bytes,
) -> KeyBackupV2:
    """PKCS#12 (section 11's profile) under hex(key), with the v2 check for its slot."""
    if (role == "data") != (generation >= 1):
        raise ValueError("data backups have generation >= 1, signing and recovery 0")
    v1 = make_backup(role, account_id, private_key, cert, key, _UNUSED_PARAMS)
    return KeyBackupV2(
        role=role,
        generation=generation,
        account_id=account_id,
        check=key_check_v2(key, account_id, role, generation),
        p12=v1.p12,
    )


def open_backup_v2(
    backup: KeyBackupV2,
    key: bytes,
    *,
    account_id: str,
    role: BackupRole,
    generation: int,
    expected_cert: x509.Certificate,
) -> rsa.RSAPrivateKey:
    """Open the backup filed in slot (role, generation) with a key already proven good."""
    if (backup.account_id, backup.role, backup.generation) != (account_id, role, generation):
        raise BackupMismatch(f"{role} backup {generation} is filed in the wrong slot")
    expected = key_check_v2(key, account_id, role, generation)
    if not hmac.compare_digest(expected, backup.check):
        raise BackupMismatch(f"{role} backup {generation} is not this account's")
    return open_p12(role, backup.p12, key, expected_cert)
