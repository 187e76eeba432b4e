"""The signed recipient set: the keys a device must wrap clip keys to (section 6).

Version 2 adds the hash chain (`prev_sha256`), the cumulative `revoked` list and per-recipient
camera scopes; version 1 sets are still read until a verifier holds a v2 set (section 6.4).
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from . import certs, envelope
from .encoding import Fields, b64encode, hex_id
from .envelope import TRUST_CORE_VERSION, SignedEnvelope
from .errors import (
    BadSignature,
    MalformedObject,
    MissingDataKey,
    NotEnrolled,
    Readmitted,
    RolledBack,
    UntrustedKey,
)
from .identifiers import KEY_ID_BYTES, key_id
from .wrap import WrappedKey, wrap_for

OBJECT_TYPE = "recipient-set"
MAX_RECIPIENTS = 64
# An RSA-4096 end-entity certificate is about 1.3 KB of DER; 8 KiB leaves room and bounds work.
MAX_CERT_BYTES = 8192
MAX_CAMERAS = 256
MAX_REVOKED = 4096
SHA256_BYTES = 32
ALL_CAMERAS = "*"
# camera_ref = device_id "/" camera_id (section 1.3): camera ids are unique per device only.
CAMERA_REF_RE = re.compile(r"[0-9a-f]{32}/[a-z0-9_-]{1,32}")
Cameras = str | tuple[str, ...]

RecipientRole = Literal["data", "instance"]
_CERT_ROLES: dict[str, certs.Role] = {"data": certs.Role.data, "instance": certs.Role.instance}


@dataclass(frozen=True)
class Recipient:
    """One entry: its role, the key_id of its key, and its certificate (DER)."""

    role: RecipientRole
    key_id: str
    cert_der: bytes
    cameras: Cameras = ALL_CAMERAS

    @classmethod
    def from_cert(
        cls, role: RecipientRole, cert_der: bytes, cameras: Cameras = ALL_CAMERAS
    ) -> Recipient:
        """An entry for a certificate, with the key_id computed from the certificate's key."""
        return cls(
            role=role,
            key_id=key_id(certs.load_cert(cert_der).public_key()),
            cert_der=cert_der,
            cameras=cameras,
        )

    def receives(self, camera_ref: str) -> bool:
        """Section 6.4: "*" or a list naming the camera."""
        return self.cameras == ALL_CAMERAS or camera_ref in self.cameras

    def to_json(self, version: int) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "role": self.role,
            "key_id": self.key_id,
            "cert": b64encode(self.cert_der),
        }
        if version == TRUST_CORE_VERSION:
            entry["cameras"] = ALL_CAMERAS if self.cameras == ALL_CAMERAS else list(self.cameras)
        return entry


@dataclass(frozen=True)
class RecipientSet:
    """The content of a recipient set, in the order and shape section 6 requires."""

    account_id: str
    epoch: int
    issued_at: int
    recipients: tuple[Recipient, ...]
    version: int = envelope.PROTOCOL_VERSION
    prev_sha256: bytes | None = None
    revoked: tuple[str, ...] = ()

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "v": self.version,
            "type": OBJECT_TYPE,
            "account_id": self.account_id,
            "epoch": self.epoch,
            "issued_at": self.issued_at,
            "recipients": [r.to_json(self.version) for r in self.recipients],
        }
        if self.version == TRUST_CORE_VERSION:
            payload["prev_sha256"] = (
                None if self.prev_sha256 is None else b64encode(self.prev_sha256)
            )
            payload["revoked"] = list(self.revoked)
        return payload


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
    def version(self) -> int:
        return self.recipient_set.version

    @property
    def payload_sha256(self) -> bytes:
        return hashlib.sha256(self.envelope.payload).digest()

    @property
    def revoked(self) -> tuple[str, ...]:
        return self.recipient_set.revoked

    @property
    def data_key_id(self) -> str:
        return next(k.key_id for k in self.keys if k.role == "data")

    @property
    def instance_key_ids(self) -> tuple[str, ...]:
        return tuple(k.key_id for k in self.keys if k.role == "instance")

    def key_ids_for(self, camera_ref: str) -> tuple[str, ...]:
        """The recipients a clip of `camera_ref` is wrapped to (section 6.4), in set order."""
        return tuple(r.key_id for r in self.recipient_set.recipients if r.receives(camera_ref))

    def wrap_to_all(self, key_bytes: bytes, context: bytes) -> tuple[WrappedKey, ...]:
        """Wrap one key to every recipient, in the set's order (v1 sets: every recipient)."""
        return tuple(wrap_for(k.public_key, key_bytes, context) for k in self.keys)

    def wrap_for_camera(
        self, camera_ref: str, key_bytes: bytes, context: bytes
    ) -> tuple[WrappedKey, ...]:
        """Wrap one key to the recipients scoped to `camera_ref` only (section 6.4)."""
        wanted = set(self.key_ids_for(camera_ref))
        return tuple(
            wrap_for(k.public_key, key_bytes, context) for k in self.keys if k.key_id in wanted
        )


def _strictly_increasing(items: Iterable[str]) -> bool:
    return all(a < b for a, b in itertools.pairwise(items))


def _check_v2_structure(recipient_set: RecipientSet) -> None:
    """Section 6.1's v2 rules: chain field, scopes, revoked list, no revoked recipient."""
    if (recipient_set.epoch == 1) != (recipient_set.prev_sha256 is None):
        raise MalformedObject("recipient-set: prev_sha256 is null exactly at epoch 1")
    if len(recipient_set.revoked) > MAX_REVOKED or not _strictly_increasing(recipient_set.revoked):
        raise MalformedObject("recipient-set: revoked not sorted, unique and bounded")
    for r in recipient_set.recipients:
        if r.cameras == ALL_CAMERAS:
            continue
        if r.role == "data":
            raise MalformedObject("recipient-set: the data key receives every camera")
        if isinstance(r.cameras, str) or not 1 <= len(r.cameras) <= MAX_CAMERAS:
            raise MalformedObject("recipient-set: cameras is '*' or 1 to 256 camera refs")
        if not _strictly_increasing(r.cameras) or not all(
            CAMERA_REF_RE.fullmatch(c) for c in r.cameras
        ):
            raise MalformedObject("recipient-set: camera refs malformed or not sorted")
    listed_revoked = {r.key_id for r in recipient_set.recipients} & set(recipient_set.revoked)
    if listed_revoked:
        raise Readmitted(f"recipient-set: revoked keys listed as recipients: {listed_revoked}")


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
    """A v1 set with its recipients sorted by key_id (tests and migration inputs only)."""
    if epoch < 1 or issued_at < 0:
        raise ValueError("epoch must be >= 1 and issued_at >= 0")
    ordered = tuple(sorted(recipients, key=lambda r: r.key_id))
    _check_structure(ordered)
    return RecipientSet(account_id, epoch, issued_at, ordered)


def build_recipient_set_v2(
    account_id: str,
    epoch: int,
    issued_at: int,
    recipients: Iterable[Recipient],
    *,
    prev_sha256: bytes | None,
    revoked: Iterable[str],
) -> RecipientSet:
    """A v2 set, sorted and checked against section 6.1 (a revoked recipient is Readmitted)."""
    if epoch < 1 or issued_at < 0:
        raise ValueError("epoch must be >= 1 and issued_at >= 0")
    ordered = tuple(sorted(recipients, key=lambda r: r.key_id))
    _check_structure(ordered)
    recipient_set = RecipientSet(
        account_id,
        epoch,
        issued_at,
        ordered,
        version=TRUST_CORE_VERSION,
        prev_sha256=prev_sha256,
        revoked=tuple(sorted(set(revoked))),
    )
    _check_v2_structure(recipient_set)
    return recipient_set


def next_recipient_set(
    current: VerifiedRecipientSet,
    issued_at: int,
    *,
    add: Iterable[Recipient] = (),
    remove: Iterable[str] = (),
    data: Recipient | None = None,
) -> RecipientSet:
    """Section 6.3: the next v2 set, derived from the verified current set and nothing else.

    `remove` names instance key ids to revoke; `data` replaces the data key (a rotation), and
    the retired data key joins `revoked` so no later set can wrap to it again.
    """
    removed = set(remove)
    kept = [r for r in current.recipient_set.recipients if r.key_id not in removed]
    if len(kept) != len(current.recipient_set.recipients) - len(removed):
        raise ValueError("can only remove keys the current set lists")
    if any(r.role == "data" for r in current.recipient_set.recipients if r.key_id in removed):
        raise ValueError("the data key leaves a set only by rotation")
    revoked = set(current.revoked) | removed
    if data is not None:
        revoked.add(current.data_key_id)
        kept = [r for r in kept if r.role != "data"] + [data]
    # v1 entries carry no scope; in v2 they keep "*" (every v1 recipient received every camera).
    return build_recipient_set_v2(
        current.recipient_set.account_id,
        current.epoch + 1,
        issued_at,
        [*kept, *add],
        prev_sha256=current.payload_sha256,
        revoked=revoked,
    )


def sign_recipient_set(
    recipient_set: RecipientSet, signing_key: rsa.RSAPrivateKey
) -> SignedEnvelope:
    """Sign a set with the account signing key (label `e2ee-nvr/v1/recipient-set`)."""
    if key_id(signing_key.public_key()) != recipient_set.account_id:
        raise ValueError("a recipient set is signed by its own account's signing key")
    _check_structure(recipient_set.recipients)
    return envelope.sign(OBJECT_TYPE, recipient_set.to_payload(), signing_key)


def _parse_cameras(raw: object, where: str) -> Cameras:
    if raw == ALL_CAMERAS:
        return ALL_CAMERAS
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        raise MalformedObject(f"{where}.cameras: expected '*' or a list of camera refs")
    return tuple(raw)


def _parse_recipient(item: object, index: int, version: int) -> Recipient:
    where = f"recipient-set.recipients[{index}]"
    fields = Fields(item, where=where)
    role = fields.str("role", max_len=16)
    if role not in _CERT_ROLES:
        raise MalformedObject(f"{where}.role: {role!r}")
    recipient = Recipient(
        role="data" if role == "data" else "instance",
        key_id=fields.hex("key_id", length_bytes=KEY_ID_BYTES),
        cert_der=fields.bytes("cert", max_len=MAX_CERT_BYTES),
        cameras=(
            _parse_cameras(fields.raw("cameras"), where)
            if version == TRUST_CORE_VERSION
            else ALL_CAMERAS
        ),
    )
    fields.done()
    return recipient


def _parse(payload: dict[str, Any]) -> RecipientSet:
    fields = Fields(payload, where=OBJECT_TYPE)
    version = fields.int("v", minimum=envelope.PROTOCOL_VERSION, maximum=TRUST_CORE_VERSION)
    fields.str("type")
    account_id = fields.hex("account_id", length_bytes=KEY_ID_BYTES)
    epoch = fields.int("epoch", minimum=1)
    issued_at = fields.int("issued_at")
    items = fields.list("recipients", max_items=MAX_RECIPIENTS)
    prev_sha256: bytes | None = None
    revoked: tuple[str, ...] = ()
    if version == TRUST_CORE_VERSION:
        prev_raw = fields.raw("prev_sha256")
        if prev_raw is not None:
            prev_sha256 = fields.bytes("prev_sha256", length=SHA256_BYTES)
        revoked_raw = fields.list("revoked", max_items=MAX_REVOKED)
        revoked = tuple(
            hex_id(r, field="recipient-set.revoked", length_bytes=KEY_ID_BYTES) for r in revoked_raw
        )
    fields.done()
    recipients = tuple(_parse_recipient(item, i, version) for i, item in enumerate(items))
    return RecipientSet(account_id, epoch, issued_at, recipients, version, prev_sha256, revoked)


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
    payload = envelope.verify(
        OBJECT_TYPE, signed, root_key, versions=(envelope.PROTOCOL_VERSION, TRUST_CORE_VERSION)
    )
    recipient_set = _parse(payload)
    if recipient_set.account_id != account_id:
        raise BadSignature("recipient-set: account_id is not the pinned account")
    _check_structure(recipient_set.recipients)
    if recipient_set.version == TRUST_CORE_VERSION:
        _check_v2_structure(recipient_set)
    # v1 only: the data key pinned at pairing. A v2 set may rotate it (section 6.2 rule 6);
    # the new key is trusted because it chains to the root in a set the root signed.
    data_entry = next(r for r in recipient_set.recipients if r.role == "data")
    if (
        recipient_set.version == envelope.PROTOCOL_VERSION
        and pinned_data_key_id is not None
        and data_entry.key_id != pinned_data_key_id
    ):
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


@dataclass(frozen=True)
class HeldSet:
    """What a verifier keeps of the highest set it accepted (section 6.2's H)."""

    epoch: int
    payload_sha256: bytes
    version: int
    revoked: tuple[str, ...]

    @classmethod
    def of(cls, verified: VerifiedRecipientSet) -> HeldSet:
        return cls(verified.epoch, verified.payload_sha256, verified.version, verified.revoked)


def check_succession(new: VerifiedRecipientSet, held: HeldSet | None) -> bool:
    """Section 6.2 rules 3 and 4 against the held set; True when `new` advances it.

    The caller MUST persist the new set before using it when this returns True; False means
    `new` is the held set again (same epoch, same bytes).
    """
    if held is None:
        return True
    if new.epoch < held.epoch:
        raise RolledBack(f"recipient-set epoch {new.epoch} < accepted {held.epoch}")
    if new.epoch == held.epoch:
        if new.payload_sha256 != held.payload_sha256:
            raise RolledBack(f"recipient-set epoch {new.epoch} reused for other content")
        return False
    if held.version == TRUST_CORE_VERSION and new.version != TRUST_CORE_VERSION:
        raise RolledBack("a version-1 recipient set after a version-2 one")
    if (
        new.version == TRUST_CORE_VERSION
        and new.epoch == held.epoch + 1
        and new.recipient_set.prev_sha256 != held.payload_sha256
    ):
        # Signed from another predecessor: two histories, and this verifier holds the other.
        raise RolledBack(f"recipient-set epoch {new.epoch} does not follow the held set")
    dropped = set(held.revoked) - set(new.revoked)
    if dropped:
        raise Readmitted(f"recipient-set drops revoked keys {sorted(dropped)}")
    return True


def check_own_membership(verified: VerifiedRecipientSet, instance_key_id: str) -> None:
    """Section 6.5: an endpoint not listed in a verified set must not grant, sign or read."""
    if instance_key_id not in verified.instance_key_ids:
        raise NotEnrolled("this endpoint's instance key is not in the recipient set (revoked?)")
