"""The account document the store keeps (section 11), and its strict JSON form.

Everything in it is public or sealed: certificates, PKCS#12 backups under derived keys the
store never sees, keys wrapped to recipients, and the current signed recipient set. The endpoint
operations that create and change it live in endpoint.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from cryptography import x509

from . import certs
from .backup import KeyBackup
from .encoding import Fields, b64encode
from .envelope import PROTOCOL_VERSION, SignedEnvelope
from .errors import MalformedObject, UntrustedKey
from .identifiers import KEY_ID_RE, key_id
from .wrap import WrappedKey

OBJECT_TYPE = "account"
BACKUP_ROLES = ("signing", "recovery", "data")
MAX_INSTANCES = 63  # a recipient set holds 64 keys: the data key and 63 instances
MAX_CERT_BYTES = 8192


class Enrolled(Protocol):
    """An instance entry of any account version, as the parts they share see it."""

    @property
    def key_id(self) -> str: ...

    def to_json(self) -> dict[str, Any]: ...


_Entry = TypeVar("_Entry", bound=Enrolled)


class AccountCore:
    """What every account version carries: its id, root, recovery key, instances and set."""

    account_id: str
    root_cert_der: bytes
    recovery_cert_der: bytes
    instances: tuple[Enrolled, ...]
    recipient_set: SignedEnvelope

    def root_cert(self) -> x509.Certificate:
        """The root, checked to be a valid self-signed root for this account_id."""
        cert = certs.load_cert(self.root_cert_der)
        if key_id(certs.verify_root(cert)) != self.account_id:
            raise UntrustedKey("account: root certificate is not this account's")
        return cert

    def core_json(self, version: int) -> dict[str, Any]:
        """The members every version shares; each version's to_json adds its own."""
        return {
            "v": version,
            "type": OBJECT_TYPE,
            "account_id": self.account_id,
            "root_cert": b64encode(self.root_cert_der),
            "recovery_cert": b64encode(self.recovery_cert_der),
            "instances": [i.to_json() for i in self.instances],
            "recipient_set": self.recipient_set.to_json(),
        }


def read_instances(fields: Fields, parse: Callable[[object], _Entry]) -> tuple[_Entry, ...]:
    """The `instances` list, each entry read by `parse`; one entry per instance key."""
    instances = tuple(parse(item) for item in fields.list("instances", max_items=MAX_INSTANCES))
    if len({i.key_id for i in instances}) != len(instances):
        raise MalformedObject("account: duplicate instance")
    return instances


@dataclass(frozen=True)
class InstanceEntry:
    """One enrolled endpoint: its certificate and the PDK and RDK wrapped to its key."""

    key_id: str
    cert_der: bytes
    pdk_wrapped: WrappedKey
    rdk_wrapped: WrappedKey

    def to_json(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "cert": b64encode(self.cert_der),
            "pdk_wrapped": self.pdk_wrapped.to_json(),
            "rdk_wrapped": self.rdk_wrapped.to_json(),
        }

    @classmethod
    def from_json(cls, document: object) -> InstanceEntry:
        with Fields(document, where="instance") as fields:
            return cls(
                key_id=fields.str("key_id", pattern=KEY_ID_RE),
                cert_der=fields.bytes("cert", max_len=MAX_CERT_BYTES),
                pdk_wrapped=WrappedKey.from_json(fields.raw("pdk_wrapped")),
                rdk_wrapped=WrappedKey.from_json(fields.raw("rdk_wrapped")),
            )


@dataclass(frozen=True)
class AccountDocument(AccountCore):
    """Section 11: the public half of an account, as the store keeps and serves it."""

    account_id: str
    root_cert_der: bytes
    recovery_cert_der: bytes
    data_cert_der: bytes
    backups: dict[str, KeyBackup]
    rdk_wrapped_to_recovery: WrappedKey
    instances: tuple[InstanceEntry, ...]
    recipient_set: SignedEnvelope

    def instance(self, instance_key_id: str) -> InstanceEntry | None:
        return next((i for i in self.instances if i.key_id == instance_key_id), None)

    def with_instances(
        self, instances: tuple[InstanceEntry, ...], recipient_set: SignedEnvelope
    ) -> AccountDocument:
        return replace(self, instances=instances, recipient_set=recipient_set)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.core_json(PROTOCOL_VERSION),
            "data_cert": b64encode(self.data_cert_der),
            "backups": {role: self.backups[role].to_json() for role in BACKUP_ROLES},
            "rdk_wrapped_to_recovery": self.rdk_wrapped_to_recovery.to_json(),
        }

    @classmethod
    def from_json(cls, document: object) -> AccountDocument:
        with Fields.typed(document, OBJECT_TYPE, PROTOCOL_VERSION) as fields:
            account_id = fields.str("account_id", pattern=KEY_ID_RE)
            with fields.obj("backups") as backups_fields:
                backups = {
                    role: KeyBackup.from_json(backups_fields.raw(role)) for role in BACKUP_ROLES
                }
            for role, backup in backups.items():
                if backup.role != role or backup.account_id != account_id:
                    raise MalformedObject(f"account: backup {role!r} is filed under the wrong name")
            instances = read_instances(fields, InstanceEntry.from_json)
            return cls(
                account_id=account_id,
                root_cert_der=fields.bytes("root_cert", max_len=MAX_CERT_BYTES),
                recovery_cert_der=fields.bytes("recovery_cert", max_len=MAX_CERT_BYTES),
                data_cert_der=fields.bytes("data_cert", max_len=MAX_CERT_BYTES),
                backups=backups,
                rdk_wrapped_to_recovery=WrappedKey.from_json(fields.raw("rdk_wrapped_to_recovery")),
                instances=instances,
                recipient_set=SignedEnvelope.from_json(fields.raw("recipient_set")),
            )
