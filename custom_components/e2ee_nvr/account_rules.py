"""What the store accepts as an account document, and as a change to one (protocol 11, 13, 17).

HA cannot open anything in the document, but it checks every one it is given against the
stored root, so that a mistaken or hostile panel cannot roll trust back: the recipient set
follows its predecessor (epoch, hash chain, cumulative revoked list), the instance entries are
exactly the set's instance recipients, and the data-key history only grows.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Literal

from .protocol import certs
from .protocol.account import AccountDocument
from .protocol.account_v2 import AccountDocumentV2
from .protocol.archive import parse_any_account
from .protocol.errors import MissingDataKey
from .protocol.identifiers import key_id
from .protocol.recipients import (
    HeldSet,
    VerifiedRecipientSet,
    check_succession,
    verify_recipient_set,
)

AnyAccount = AccountDocument | AccountDocumentV2
Change = Literal["enrol", "revoke", "publish", "rotate", "migrate"]
# Creation fixes these fields for an account's life: a swapped backup or data key would lock
# out or expose old clips. A v2 account's data keys are not here: their history may grow.
_V1_FIXED = attrgetter("recovery_cert_der", "data_cert_der", "backups", "rdk_wrapped_to_recovery")
_V2_FIXED = attrgetter("recovery_cert_der", "passphrase", "signing_backup", "recovery_backup")


class AccountStateError(Exception):
    """The request does not fit the account's state (none yet, one already, or wrong change)."""


def parse_account(document_json: object) -> AnyAccount:
    """A v2 document, or a v1 one (accounts made before protocol v2)."""
    return parse_any_account(document_json)


def verify_document(document: AnyAccount) -> VerifiedRecipientSet:
    """Root self-signed, every certificate chained, set verified, instances = set's instances."""
    root = document.root_cert()
    certs.verify_issued(certs.load_cert(document.recovery_cert_der), root, certs.Role.recovery)
    if isinstance(document, AccountDocumentV2):
        for generation in document.data_keys:
            certs.verify_issued(certs.load_cert(generation.cert_der), root, certs.Role.data)
        verified = verify_recipient_set(document.recipient_set, root, pinned_data_key_id=None)
        if verified.version != 2 or verified.data_key_id != document.newest.key_id:
            # New clips go to the newest generation only (section 11.1).
            raise MissingDataKey("the set's data key is not the newest data generation")
    else:
        data_key = certs.verify_issued(
            certs.load_cert(document.data_cert_der), root, certs.Role.data
        )
        verified = verify_recipient_set(
            document.recipient_set, root, pinned_data_key_id=key_id(data_key)
        )
    listed = {
        r.key_id: r.cert_der for r in verified.recipient_set.recipients if r.role == "instance"
    }
    entries = {i.key_id: i.cert_der for i in document.instances}
    # The panel finds its own wraps here; they must be exactly the set's instance recipients,
    # or the panel would list browsers that cameras do not encrypt to, or the reverse.
    if listed != entries:
        raise AccountStateError("instances differ from the recipient set's instance keys")
    return verified


def check_update(
    old: AnyAccount,
    old_set: VerifiedRecipientSet,
    new: AnyAccount,
    new_set: VerifiedRecipientSet,
    change: Change,
) -> None:
    """The new document may replace the old one: same account, a successor set, and the change
    it says it is (AccountStateError or the protocol's RolledBack/Readmitted otherwise)."""
    if new.account_id != old.account_id or new.root_cert_der != old.root_cert_der:
        raise AccountStateError("another account")
    if not check_succession(new_set, HeldSet.of(old_set)):
        raise AccountStateError("the recipient set is the current one; its epoch must grow")
    if isinstance(new, AccountDocument):
        if not isinstance(old, AccountDocument):
            raise AccountStateError("a version-2 account never goes back to version 1")
        _check_v1_fixed(old, new)
    elif isinstance(old, AccountDocument):
        if change != "migrate":
            raise AccountStateError("a version-1 account becomes version 2 only by migration")
        if new.data_keys[0].cert_der != old.data_cert_der:
            raise AccountStateError("migration keeps the v1 data key as generation 1")
    else:
        _check_v2_fixed(old, new, change)
    _check_instances(old, new, change)


def _check_v1_fixed(old: AccountDocument, new: AccountDocument) -> None:
    if _V1_FIXED(new) != _V1_FIXED(old):
        raise AccountStateError("only instances and the recipient set may change")


def _check_v2_fixed(old: AccountDocumentV2, new: AccountDocumentV2, change: Change) -> None:
    if _V2_FIXED(new) != _V2_FIXED(old):
        raise AccountStateError("the passphrase, signing and recovery backups do not change")
    # The key history only grows: every old generation stays, and a rotation adds exactly one.
    grown = len(new.data_keys) - len(old.data_keys)
    if new.data_keys[: len(old.data_keys)] != old.data_keys:
        raise AccountStateError("data-key generations may not change or disappear")
    rotates = change in ("revoke", "rotate")
    if grown != (1 if rotates else 0):
        raise AccountStateError(f"a {change} adds {1 if rotates else 0} data generation(s)")


def _check_instances(old: AnyAccount, new: AnyAccount, change: Change) -> None:
    before = {i.key_id for i in old.instances}
    after = {i.key_id for i in new.instances}
    if change == "enrol" and not (before < after and len(after) == len(before) + 1):
        raise AccountStateError("an enrolment adds exactly one instance")
    if change == "revoke" and not (after < before and len(after) == len(before) - 1):
        raise AccountStateError("a revocation removes exactly one instance")
    if change in ("publish", "rotate") and before != after:
        raise AccountStateError(f"a {change} keeps the instances as they are")
    if change == "migrate" and not after <= before:
        raise AccountStateError("migration may drop instances, never add one")
    # v1 wraps are the PDK and RDK, fixed for the account's life.
    if (
        isinstance(new, AccountDocument)
        and isinstance(old, AccountDocument)
        and any(old.instance(k) != new.instance(k) for k in before & after)
    ):
        raise AccountStateError("an existing instance's wrapped keys may not change")
