"""The signed recipient set: the keys a device must wrap every clip key to (section 6)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from . import certs, envelope
from .encoding import Fields, b64encode
from .envelope import SignedEnvelope
from .errors import BadSignature, MalformedObject, MissingDataKey, RolledBack, UntrustedKey
from .identifiers import KEY_ID_BYTES, key_id
from .wrap import WrappedKey, wrap_for

OBJECT_TYPE = "recipient-set"
MAX_RECIPIENTS = 64
# An RSA-4096 end-entity certificate is about 1.3 KB of DER; 8 KiB leaves room and bounds work.
MAX_CERT_BYTES = 8192

RecipientRole = Literal["data", "instance"]
_CERT_ROLES: dict[str, certs.Role] = {"data": certs.Role.data, "instance": certs.Role.instance}


@dataclass(frozen=True)
class Recipient:
    """One entry: its role, the key_id of its key, and its certificate (DER)."""

    role: RecipientRole
    key_id: str
    cert_der: bytes

    @classmethod
    def from_cert(cls, role: RecipientRole, cert_der: bytes) -> Recipient:
        """An entry for a certificate, with the key_id computed from the certificate's key."""
        return cls(
            role=role, key_id=key_id(certs.load_cert(cert_der).public_key()), cert_der=cert_der
        )


@dataclass(frozen=True)
class RecipientSet:
    """The content of a recipient set, in the order and shape section 6 requires."""

    account_id: str
    epoch: int
    issued_at: int
    recipients: tuple[Recipient, ...]

    def to_payload(self) -> dict[str, Any]:
        return {
            "v": envelope.PROTOCOL_VERSION,
            "type": OBJECT_TYPE,
            "account_id": self.account_id,
            "epoch": self.epoch,
            "issued_at": self.issued_at,
            "recipients": [
                {"role": r.role, "key_id": r.key_id, "cert": b64encode(r.cert_der)}
                for r in self.recipients
            ],
        }


@dataclass(frozen=True)
class RecipientKey:
    """A verified recipient: its certificate chained to the root, its key ready for wrapping."""

    role: RecipientRole
    key_id: str
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey


@dataclass(frozen=True)
class VerifiedRecipientSet:
    """A set that passed rules 1, 3 and 4; rule 2 (the epoch) is check_epoch's, against state."""

    recipient_set: RecipientSet
    envelope: SignedEnvelope
    keys: tuple[RecipientKey, ...]

    @property
    def payload(self) -> bytes:
        """The exact signed bytes, which a device persists beside the highest epoch."""
        return self.envelope.payload

    @property
    def epoch(self) -> int:
        return self.recipient_set.epoch

    @property
    def data_key_id(self) -> str:
        return next(k.key_id for k in self.keys if k.role == "data")

    def wrap_to_all(self, key_bytes: bytes, context: bytes) -> tuple[WrappedKey, ...]:
        """Wrap one key to every recipient, in the set's order (section 6: every recipient)."""
        return tuple(wrap_for(k.public_key, key_bytes, context) for k in self.keys)


def _check_structure(recipients: tuple[Recipient, ...]) -> None:
    """Sorted by key_id without duplicates, at most 64, exactly one data entry."""
    ids = [r.key_id for r in recipients]
    if len(recipients) > MAX_RECIPIENTS:
        raise MalformedObject(f"recipient-set: more than {MAX_RECIPIENTS} recipients")
    # Strictly increasing key_ids mean sorted and duplicate-free, so one set has one encoding.
    if any(a >= b for a, b in itertools.pairwise(ids)):
        raise MalformedObject("recipient-set: recipients not sorted by unique key_id")
    data_entries = sum(1 for r in recipients if r.role == "data")
    if data_entries == 0:
        raise MissingDataKey("recipient-set: no data key")
    if data_entries > 1:
        raise MalformedObject("recipient-set: more than one data key")


def build_recipient_set(
    account_id: str, epoch: int, issued_at: int, recipients: Iterable[Recipient]
) -> RecipientSet:
    """A set with its recipients sorted by key_id, checked against section 6's structure."""
    if epoch < 1 or issued_at < 0:
        raise ValueError("epoch must be >= 1 and issued_at >= 0")
    ordered = tuple(sorted(recipients, key=lambda r: r.key_id))
    _check_structure(ordered)
    return RecipientSet(account_id, epoch, issued_at, ordered)


def sign_recipient_set(
    recipient_set: RecipientSet, signing_key: rsa.RSAPrivateKey
) -> SignedEnvelope:
    """Sign a set with the account signing key (label `e2ee-nvr/v1/recipient-set`)."""
    if key_id(signing_key.public_key()) != recipient_set.account_id:
        raise ValueError("a recipient set is signed by its own account's signing key")
    _check_structure(recipient_set.recipients)
    return envelope.sign(OBJECT_TYPE, recipient_set.to_payload(), signing_key)


def _parse_recipient(item: object, index: int) -> Recipient:
    fields = Fields(item, where=f"recipient-set.recipients[{index}]")
    role = fields.str("role", max_len=16)
    if role not in _CERT_ROLES:
        raise MalformedObject(f"recipient-set.recipients[{index}].role: {role!r}")
    recipient = Recipient(
        role="data" if role == "data" else "instance",
        key_id=fields.hex("key_id", length_bytes=KEY_ID_BYTES),
        cert_der=fields.bytes("cert", max_len=MAX_CERT_BYTES),
    )
    fields.done()
    return recipient


def _parse(payload: dict[str, Any]) -> RecipientSet:
    fields = Fields(payload, where=OBJECT_TYPE)
    fields.int("v", minimum=envelope.PROTOCOL_VERSION, maximum=envelope.PROTOCOL_VERSION)
    fields.str("type")
    account_id = fields.hex("account_id", length_bytes=KEY_ID_BYTES)
    epoch = fields.int("epoch", minimum=1)
    issued_at = fields.int("issued_at")
    items = fields.list("recipients", max_items=MAX_RECIPIENTS)
    fields.done()
    recipients = tuple(_parse_recipient(item, i) for i, item in enumerate(items))
    return RecipientSet(account_id, epoch, issued_at, recipients)


def _verify_recipient_cert(recipient: Recipient, root_cert: x509.Certificate) -> RecipientKey:
    """Rule 3: the certificate chains to the root for its role and names the listed key_id."""
    cert = certs.load_cert(recipient.cert_der)
    public_key = certs.verify_issued(cert, root_cert, _CERT_ROLES[recipient.role])
    if key_id(public_key) != recipient.key_id:
        # Otherwise the store could list a key_id the device wraps to under another cert's key.
        raise UntrustedKey(f"recipient {recipient.key_id}: key_id differs from its certificate")
    if recipient.role == "data" and isinstance(public_key, rsa.RSAPublicKey):
        return RecipientKey(recipient.role, recipient.key_id, public_key)
    if recipient.role == "instance" and isinstance(public_key, ec.EllipticCurvePublicKey):
        return RecipientKey(recipient.role, recipient.key_id, public_key)
    raise UntrustedKey(f"recipient {recipient.key_id}: key type does not fit {recipient.role}")


def verify_recipient_set(
    signed: SignedEnvelope, root_cert: x509.Certificate, *, pinned_data_key_id: str | None
) -> VerifiedRecipientSet:
    """Apply section 6 rules 1, 3 and 4 against the pinned root (rule 2 is check_epoch).

    `pinned_data_key_id` is the data key pinned at pairing; None only where nothing is pinned
    yet (the set must still carry exactly one data key). The signature is checked over the
    received bytes before they are parsed.
    """
    root_key = certs.verify_root(root_cert)
    account_id = key_id(root_key)
    # Rule 1: envelope.verify refuses a signer other than the root and a bad signature.
    payload = envelope.verify(OBJECT_TYPE, signed, root_key)
    recipient_set = _parse(payload)
    if recipient_set.account_id != account_id:
        raise BadSignature("recipient-set: account_id is not the pinned account")
    _check_structure(recipient_set.recipients)
    # Rule 4 before rule 3: cheap, and the store must not drop or swap the path to old clips.
    data_entry = next(r for r in recipient_set.recipients if r.role == "data")
    if pinned_data_key_id is not None and data_entry.key_id != pinned_data_key_id:
        raise MissingDataKey("recipient-set: data key differs from the one pinned at pairing")
    keys = tuple(_verify_recipient_cert(r, root_cert) for r in recipient_set.recipients)
    return VerifiedRecipientSet(recipient_set=recipient_set, envelope=signed, keys=keys)


def check_epoch(
    new: VerifiedRecipientSet, highest_epoch: int | None, highest_payload: bytes | None
) -> bool:
    """Rule 2: refuse an older set, or another set under the highest epoch (RolledBack).

    Returns True when the set advances the epoch: the caller MUST then persist the new epoch
    and payload before using the set. Equal epoch with identical bytes is the same set again.
    """
    if highest_epoch is None:
        if highest_payload is not None:
            raise ValueError("a stored payload needs its epoch")
        return True
    if new.epoch < highest_epoch:
        raise RolledBack(f"recipient-set epoch {new.epoch} < accepted {highest_epoch}")
    if new.epoch == highest_epoch:
        # Without the stored bytes, equality cannot be shown, so the safe answer is refusal.
        if highest_payload is None or new.payload != highest_payload:
            raise RolledBack(f"recipient-set epoch {new.epoch} reused for other content")
        return False
    return True


@dataclass(frozen=True)
class EpochGuard:
    """The highest accepted epoch and its payload, as a device persists them (rule 2)."""

    highest_epoch: int | None = None
    highest_payload: bytes | None = None

    def admit(self, new: VerifiedRecipientSet) -> EpochGuard:
        """The guard after accepting `new`; raises RolledBack and leaves self unchanged."""
        if check_epoch(new, self.highest_epoch, self.highest_payload):
            return EpochGuard(highest_epoch=new.epoch, highest_payload=new.payload)
        return self
