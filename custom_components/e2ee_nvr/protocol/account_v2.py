"""The version-2 account document (section 11.1): data-key generations, no PDK wraps.

Everything in it is public or sealed. Instance entries carry the RDK of every data-key
generation (reading) and nothing that reaches the signing key: authority needs the passphrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import certs
from .account import MAX_CERT_BYTES, OBJECT_TYPE, AccountCore, read_instances
from .backup_v2 import MAX_GENERATION, KeyBackupV2
from .encoding import Fields, b64encode
from .envelope import TRUST_CORE_VERSION, SignedEnvelope
from .errors import MalformedObject
from .identifiers import KEY_ID_RE, key_id
from .kdf import KdfParams
from .wrap import WrappedKey

CHECK_BYTES = 32


@dataclass(frozen=True)
class DataGeneration:
    """Data key generation g: its certificate, backup under RDK_g, RDK_g for the recovery key."""

    generation: int
    cert_der: bytes
    backup: KeyBackupV2
    rdk_wrapped_to_recovery: WrappedKey

    @property
    def key_id(self) -> str:
        return key_id(certs.load_cert(self.cert_der).public_key())

    def to_json(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "cert": b64encode(self.cert_der),
            "backup": self.backup.to_json(),
            "rdk_wrapped_to_recovery": self.rdk_wrapped_to_recovery.to_json(),
        }

    @classmethod
    def from_json(cls, document: object, expected_generation: int) -> DataGeneration:
        with Fields(document, where=f"data_keys[{expected_generation}]") as fields:
            entry = cls(
                generation=fields.int("generation", minimum=1, maximum=MAX_GENERATION),
                cert_der=fields.bytes("cert", max_len=MAX_CERT_BYTES),
                backup=KeyBackupV2.from_json(fields.raw("backup")),
                rdk_wrapped_to_recovery=WrappedKey.from_json(fields.raw("rdk_wrapped_to_recovery")),
            )
        if entry.generation != expected_generation:
            raise MalformedObject("account: data_keys are not generations 1..n in order")
        if (entry.backup.role, entry.backup.generation) != ("data", expected_generation):
            raise MalformedObject("account: a data backup is filed under the wrong generation")
        return entry


@dataclass(frozen=True)
class InstanceEntryV2:
    """One enrolled endpoint: its certificate and RDK_1..RDK_n wrapped to its key."""

    key_id: str
    cert_der: bytes
    rdk_wrapped: tuple[WrappedKey, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "cert": b64encode(self.cert_der),
            "rdk_wrapped": [w.to_json() for w in self.rdk_wrapped],
        }

    @classmethod
    def from_json(cls, document: object, generations: int) -> InstanceEntryV2:
        with Fields(document, where="instance") as fields:
            entry = cls(
                key_id=fields.str("key_id", pattern=KEY_ID_RE),
                cert_der=fields.bytes("cert", max_len=MAX_CERT_BYTES),
                rdk_wrapped=tuple(
                    WrappedKey.from_json(w)
                    for w in fields.list("rdk_wrapped", max_items=MAX_GENERATION)
                ),
            )
        if len(entry.rdk_wrapped) != generations or any(
            w.key_id != entry.key_id for w in entry.rdk_wrapped
        ):
            raise MalformedObject("account: an instance needs one RDK wrap per generation")
        return entry


@dataclass(frozen=True)
class PassphraseCheck:
    """The account's PDK parameters and the one check that may say WrongPassphrase."""

    kdf: KdfParams
    check: bytes

    def to_json(self) -> dict[str, Any]:
        return {"kdf": self.kdf.to_json(), "check": b64encode(self.check)}

    @classmethod
    def from_json(cls, document: object) -> PassphraseCheck:
        with Fields(document, where="passphrase") as fields:
            return cls(
                kdf=KdfParams.from_json(fields.raw("kdf")),
                check=fields.bytes("check", length=CHECK_BYTES),
            )


@dataclass(frozen=True)
class AccountDocumentV2(AccountCore):
    """Section 11.1: the public half of a v2 account, as the store keeps and serves it."""

    account_id: str
    root_cert_der: bytes
    recovery_cert_der: bytes
    passphrase: PassphraseCheck
    signing_backup: KeyBackupV2
    recovery_backup: KeyBackupV2
    data_keys: tuple[DataGeneration, ...]
    instances: tuple[InstanceEntryV2, ...]
    recipient_set: SignedEnvelope

    @property
    def newest(self) -> DataGeneration:
        return self.data_keys[-1]

    def generation_of(self, data_key_id: str) -> DataGeneration | None:
        return next((g for g in self.data_keys if g.key_id == data_key_id), None)

    def instance(self, instance_key_id: str) -> InstanceEntryV2 | None:
        return next((i for i in self.instances if i.key_id == instance_key_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.core_json(TRUST_CORE_VERSION),
            "passphrase": self.passphrase.to_json(),
            "backups": {
                "signing": self.signing_backup.to_json(),
                "recovery": self.recovery_backup.to_json(),
            },
            "data_keys": [g.to_json() for g in self.data_keys],
        }

    @classmethod
    def from_json(cls, document: object) -> AccountDocumentV2:
        with Fields.typed(document, OBJECT_TYPE, TRUST_CORE_VERSION) as fields:
            account_id = fields.str("account_id", pattern=KEY_ID_RE)
            with fields.obj("backups") as backups:
                signing = KeyBackupV2.from_json(backups.raw("signing"))
                recovery = KeyBackupV2.from_json(backups.raw("recovery"))
            raw_generations = fields.list("data_keys", max_items=MAX_GENERATION)
            if not raw_generations:
                raise MalformedObject("account: no data key")
            data_keys = tuple(
                DataGeneration.from_json(item, i + 1) for i, item in enumerate(raw_generations)
            )
            instances = read_instances(
                fields, lambda item: InstanceEntryV2.from_json(item, len(data_keys))
            )
            return cls(
                account_id=account_id,
                root_cert_der=fields.bytes("root_cert", max_len=MAX_CERT_BYTES),
                recovery_cert_der=fields.bytes("recovery_cert", max_len=MAX_CERT_BYTES),
                passphrase=PassphraseCheck.from_json(fields.raw("passphrase")),
                signing_backup=signing,
                recovery_backup=recovery,
                data_keys=data_keys,
                instances=instances,
                recipient_set=SignedEnvelope.from_json(fields.raw("recipient_set")),
            )
