"""The account directory: the account document (v1 or v2) and its instance names.

Everything kept here is public or sealed (certificates, PKCS#12 backups under keys HA never
sees, wrapped keys, the signed recipient set). What a document and a change must satisfy is in
account_rules.py: the store checks every one against the stored root and current set.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .account_rules import (
    AccountStateError,
    AnyAccount,
    Change,
    check_update,
    parse_account,
    verify_document,
)
from .json_file import read_json, remove_file, write_json_atomic
from .protocol.recipients import VerifiedRecipientSet

FILE_NAME = "account.json"
MAX_INSTANCE_NAME = 64
# A browser reports itself at most this often: each report rewrites account.json atomically.
SEEN_MIN_INTERVAL = 60
__all__ = ["AccountState", "AccountStateError", "AccountStore", "Change", "InstanceMeta"]


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

    document: AnyAccount
    recipient_set: VerifiedRecipientSet
    instance_meta: dict[str, InstanceMeta] = field(default_factory=dict)

    @property
    def data_key_id(self) -> str:
        return self.recipient_set.data_key_id


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
        document = parse_account(stored["account"])
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
        document = parse_account(document_json)
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
        """Replace the document with a successor signed by the same account (section 13)."""
        current = self._require()
        document = parse_account(document_json)
        verified = verify_document(document)
        check_update(current.document, current.recipient_set, document, verified, change)
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
