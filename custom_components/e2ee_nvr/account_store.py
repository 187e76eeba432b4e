"""The account directory: the account document, its instance names, and epoch checks.

Everything kept here is public or sealed (certificates, PKCS#12 backups under keys HA never
sees, wrapped keys, the signed recipient set). HA still checks every document it is given
against the stored root, so a mistaken or hostile panel cannot roll trust back: the recipient
set's epoch only grows, and the root, data key and backups never change after creation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .json_file import read_json, remove_file, write_json_atomic
from .protocol import certs
from .protocol.account import AccountDocument
from .protocol.identifiers import key_id
from .protocol.recipients import VerifiedRecipientSet, check_epoch, verify_recipient_set

FILE_NAME = "account.json"
MAX_INSTANCE_NAME = 64
# A browser reports itself at most this often: each report rewrites account.json atomically.
SEEN_MIN_INTERVAL = 60
Change = Literal["enrol", "revoke", "publish"]


class AccountStateError(Exception):
    """The request does not fit the account's state (none yet, one already, or wrong change)."""


@dataclass
class InstanceMeta:
    """Store metadata of an enrolled endpoint; never inside a certificate."""

    name: str
    enrolled_at: int
    last_seen: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "enrolled_at": self.enrolled_at, "last_seen": self.last_seen}


@dataclass
class AccountState:
    """A verified account document and what the store knows about its instances."""

    document: AccountDocument
    recipient_set: VerifiedRecipientSet
    instance_meta: dict[str, InstanceMeta] = field(default_factory=dict)

    @property
    def data_key_id(self) -> str:
        return self.recipient_set.data_key_id


def verify_document(document: AccountDocument) -> VerifiedRecipientSet:
    """Root self-signed, recovery and data certificates chained, set verified and consistent."""
    root = document.root_cert()
    certs.verify_issued(certs.load_cert(document.recovery_cert_der), root, certs.Role.recovery)
    data_key = certs.verify_issued(certs.load_cert(document.data_cert_der), root, certs.Role.data)
    verified = verify_recipient_set(
        document.recipient_set, root, pinned_data_key_id=key_id(data_key)
    )
    listed = {
        r.key_id: r.cert_der for r in verified.recipient_set.recipients if r.role == "instance"
    }
    entries = {i.key_id: i.cert_der for i in document.instances}
    # The instance entries (wrapped PDK/RDK) must be exactly the set's instance recipients:
    # otherwise the panel would list browsers that cameras do not encrypt to, or the reverse.
    if listed != entries:
        raise AccountStateError("instances differ from the recipient set's instance keys")
    return verified


class AccountStore:
    """The account document on disk (one atomic JSON file); synchronous, run in an executor."""

    def __init__(self, folder: Path) -> None:
        self._path = folder / FILE_NAME
        self.state: AccountState | None = None

    def load(self) -> None:
        stored = read_json(self._path)
        if stored is None:
            self.state = None
            return
        document = AccountDocument.from_json(stored["account"])
        meta = {k: InstanceMeta(**v) for k, v in stored.get("instance_meta", {}).items()}
        self.state = AccountState(document, verify_document(document), meta)

    def _save(self, state: AccountState) -> None:
        write_json_atomic(
            self._path,
            {
                "account": state.document.to_json(),
                "instance_meta": {k: v.to_json() for k, v in state.instance_meta.items()},
            },
        )
        self.state = state

    def create(self, document_json: object, instance_name: str) -> AccountState:
        """Accept a whole new account in one step, or nothing."""
        if self.state is not None:
            raise AccountStateError("an account exists already; turn E2EE off first")
        document = AccountDocument.from_json(document_json)
        verified = verify_document(document)
        now = int(time.time())
        meta = {
            i.key_id: InstanceMeta(instance_name[:MAX_INSTANCE_NAME], now)
            for i in document.instances
        }
        state = AccountState(document, verified, meta)
        self._save(state)
        return state

    def update(
        self, document_json: object, change: Change, instance_name: str = ""
    ) -> AccountState:
        """Replace the document with a newer one signed by the same account (epoch grows)."""
        current = self._require()
        document = AccountDocument.from_json(document_json)
        old = current.document
        # Creation fixes these for the account's life: a panel may only change instances and
        # the recipient set. A swapped backup or data key would lock out or expose old clips.
        fixed = ("account_id", "root_cert_der", "recovery_cert_der", "data_cert_der")
        if any(getattr(document, name) != getattr(old, name) for name in fixed) or (
            document.backups != old.backups
            or document.rdk_wrapped_to_recovery != old.rdk_wrapped_to_recovery
        ):
            raise AccountStateError("only instances and the recipient set may change")
        verified = verify_document(document)
        if not check_epoch(verified, current.recipient_set.epoch, current.recipient_set.payload):
            raise AccountStateError("the recipient set is the current one; its epoch must grow")
        _check_change(old, document, change)
        meta = {k: v for k, v in current.instance_meta.items() if document.instance(k)}
        for entry in document.instances:
            if entry.key_id not in meta:
                meta[entry.key_id] = InstanceMeta(
                    instance_name[:MAX_INSTANCE_NAME], int(time.time())
                )
        state = AccountState(document, verified, meta)
        self._save(state)
        return state

    def mark_seen(self, instance_key_id: str, now: int) -> bool:
        """Record that an instance opened the panel; False if the store does not list it.

        Skips the write when the stored time is under SEEN_MIN_INTERVAL old.
        """
        state = self.state
        if state is None or state.document.instance(instance_key_id) is None:
            return False
        meta = state.instance_meta.setdefault(instance_key_id, InstanceMeta("", now))
        if meta.last_seen is not None and 0 <= now - meta.last_seen < SEEN_MIN_INTERVAL:
            return True
        meta.last_seen = now
        self._save(state)
        return True

    def destroy(self) -> None:
        """Forget the account: its backups, wraps and recipient set."""
        remove_file(self._path)
        self.state = None

    def _require(self) -> AccountState:
        if self.state is None:
            raise AccountStateError("no account: turn E2EE on first")
        return self.state


def _check_change(old: AccountDocument, new: AccountDocument, change: Change) -> None:
    before = {i.key_id for i in old.instances}
    after = {i.key_id for i in new.instances}
    if change == "enrol" and not (before < after and len(after) == len(before) + 1):
        raise AccountStateError("an enrolment adds exactly one instance")
    if change == "revoke" and not (after < before and len(after) == len(before) - 1):
        raise AccountStateError("a revocation removes exactly one instance")
    if change == "publish" and before != after:
        raise AccountStateError("publishing a set keeps the instances as they are")
    kept = before & after
    if any(old.instance(k) != new.instance(k) for k in kept):
        raise AccountStateError("an existing instance's wrapped keys may not change")
