"""The v2 endpoint role (section 11.2-11.3): authority with the passphrase, reading without.

An `EndpointV2` is what a browser keeps: the pinned root, its instance key and H, the highest
recipient set it has verified (section 6.5). Every signing operation takes the passphrase,
builds the next set from H (never from the store's `instances`), and rebuilds every instance
entry from that set. Revoking rotates the data key, so nothing the revoked endpoint held opens
a clip recorded after the agents accept the new set.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from . import certs, kdf, primitives, recipients
from .account_v2 import AccountDocumentV2, DataGeneration, InstanceEntryV2, PassphraseCheck
from .backup_v2 import open_backup_v2
from .clip import open_clip_key
from .envelope import SignedEnvelope
from .errors import BackupMismatch, NoRecipientKey, NotEnrolled, UntrustedKey
from .identifiers import key_id
from .manifest import ClipManifest
from .passphrase import canonical_passphrase
from .recipients import HeldSet, Recipient, VerifiedRecipientSet
from .wrap import WrapPurpose, data_rdk_context, unwrap, wrap_context, wrap_to_p256

RDK_BYTES = 32


@dataclass(frozen=True)
class EndpointV2:
    """Pinned root, instance key, and H (section 6.5)."""

    account_id: str
    root_cert: x509.Certificate
    instance_key: ec.EllipticCurvePrivateKey
    held: VerifiedRecipientSet

    @property
    def instance_key_id(self) -> str:
        return key_id(self.instance_key.public_key())

    def admit(self, signed: SignedEnvelope) -> EndpointV2:
        """Verify a set from the store against the root and H; NotEnrolled if it drops us."""
        verified = recipients.verify_recipient_set(
            signed, self.root_cert, pinned_data_key_id=self.held.data_key_id
        )
        if not recipients.check_succession(verified, HeldSet.of(self.held)):
            return self
        recipients.check_own_membership(verified, self.instance_key_id)
        return replace(self, held=verified)

    def grant_set(self, document: AccountDocumentV2) -> VerifiedRecipientSet:
        """Section 8.4: the set a grant carries is H after admitting the store's, and lists us."""
        current = self.admit(document.recipient_set).held
        recipients.check_own_membership(current, self.instance_key_id)
        return current


@dataclass(frozen=True)
class Unlocked:
    """Keys opened with the passphrase: held for one operation, never persisted."""

    signing: rsa.RSAPrivateKey
    recovery: rsa.RSAPrivateKey
    rdks: tuple[bytes, ...]  # RDK_1..RDK_n


def _now() -> int:
    return int(time.time())


def derive_pdk(document: AccountDocumentV2, passphrase: str) -> bytes:
    """InvalidPassphrase for typos, WrongPassphrase only from the passphrase check."""
    pdk = kdf.derive_key(canonical_passphrase(passphrase).encode("utf-8"), document.passphrase.kdf)
    kdf.verify_passphrase_check(pdk, document.account_id, document.passphrase.check)
    return pdk


def _rsa(key: object, what: str) -> rsa.RSAPrivateKey:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise BackupMismatch(f"{what} is not an RSA key")
    return key


def unlock(document: AccountDocumentV2, passphrase: str) -> Unlocked:
    """Section 11.1: passphrase -> PDK -> signing, recovery -> RDK_g of every generation."""
    root = document.root_cert()
    pdk = derive_pdk(document, passphrase)
    account = document.account_id
    signing = open_backup_v2(
        document.signing_backup, pdk, account_id=account, role="signing", generation=0,
        expected_cert=root,
    )  # fmt: skip
    recovery_cert = certs.load_cert(document.recovery_cert_der)
    certs.verify_issued(recovery_cert, root, certs.Role.recovery)
    recovery = open_backup_v2(
        document.recovery_backup, pdk, account_id=account, role="recovery", generation=0,
        expected_cert=recovery_cert,
    )  # fmt: skip
    rdks = tuple(
        unwrap(
            recovery,
            g.rdk_wrapped_to_recovery,
            data_rdk_context(account, g.generation),
            WrapPurpose.DATA_RDK,
        )
        for g in document.data_keys
    )
    for generation, rdk in zip(document.data_keys, rdks, strict=True):
        open_data_key(document, generation, rdk)  # proves each RDK against its backup
    return Unlocked(
        signing=_rsa(signing, "signing"), recovery=_rsa(recovery, "recovery"), rdks=rdks
    )


def open_data_key(
    document: AccountDocumentV2, generation: DataGeneration, rdk: bytes
) -> rsa.RSAPrivateKey:
    """Open data backup g with RDK_g itself (section 4: no KDF runs here)."""
    data_cert = certs.load_cert(generation.cert_der)
    certs.verify_issued(data_cert, document.root_cert(), certs.Role.data)
    return open_backup_v2(
        generation.backup, rdk, account_id=document.account_id, role="data",
        generation=generation.generation, expected_cert=data_cert,
    )  # fmt: skip


def instance_entries(
    account_id: str, verified: VerifiedRecipientSet, rdks: tuple[bytes, ...]
) -> tuple[InstanceEntryV2, ...]:
    """Fresh entries for exactly the set's instance recipients, wrapping every RDK_g."""
    entries = []
    for recipient in verified.recipient_set.recipients:
        if recipient.role != "instance":
            continue
        public = certs.load_cert(recipient.cert_der).public_key()
        if not isinstance(public, ec.EllipticCurvePublicKey):
            raise UntrustedKey("instance recipient is not a P-256 key")
        wraps = tuple(
            wrap_to_p256(public, rdk, data_rdk_context(account_id, g))
            for g, rdk in enumerate(rdks, start=1)
        )
        entries.append(InstanceEntryV2(recipient.key_id, recipient.cert_der, wraps))
    return tuple(entries)


def new_generation(
    account_id: str,
    root_cert: x509.Certificate,
    signing: rsa.RSAPrivateKey,
    recovery_public: rsa.RSAPublicKey,
    generation: int,
    data_key: rsa.RSAPrivateKey | None = None,
    rdk: bytes | None = None,
    cert: x509.Certificate | None = None,
) -> tuple[DataGeneration, bytes]:
    """Data generation g: a fresh key (or a migrated one), its RDK, backup and recovery wrap."""
    from .backup_v2 import make_backup_v2
    from .wrap import wrap_to_rsa

    key = data_key or primitives.rsa_generate()
    rdk = rdk or secrets.token_bytes(RDK_BYTES)
    # Migration keeps the v1 data certificate as generation 1's (the store checks it).
    cert = cert or certs.issue(root_cert, signing, key.public_key(), certs.Role.data)
    entry = DataGeneration(
        generation=generation,
        cert_der=certs.cert_der(cert),
        backup=make_backup_v2("data", generation, account_id, key, cert, rdk),
        rdk_wrapped_to_recovery=wrap_to_rsa(
            recovery_public, rdk, data_rdk_context(account_id, generation)
        ),
    )
    return entry, rdk


def _sign_and_rebuild(
    document: AccountDocumentV2,
    endpoint: EndpointV2,
    keys: Unlocked,
    next_set: recipients.RecipientSet,
    data_keys: tuple[DataGeneration, ...],
) -> tuple[AccountDocumentV2, VerifiedRecipientSet]:
    signed = recipients.sign_recipient_set(next_set, keys.signing)
    verified = recipients.verify_recipient_set(signed, endpoint.root_cert, pinned_data_key_id=None)
    recipients.check_succession(verified, HeldSet.of(endpoint.held))
    new_document = replace(
        document,
        data_keys=data_keys,
        instances=instance_entries(document.account_id, verified, keys.rdks),
        recipient_set=signed,
    )
    return new_document, verified


def enrol(
    document: AccountDocumentV2, endpoint: EndpointV2, passphrase: str
) -> tuple[AccountDocumentV2, EndpointV2, EndpointV2]:
    """Enrol a new endpoint from `endpoint` (H); returns the document, the enroller, the new one.

    A fresh browser enrolling itself uses `enrol_self`.
    """
    endpoint = endpoint.admit(document.recipient_set)
    keys = unlock(document, passphrase)
    instance_key = primitives.p256_generate()
    cert = certs.issue(
        endpoint.root_cert, keys.signing, instance_key.public_key(), certs.Role.instance
    )
    added = Recipient.from_cert("instance", certs.cert_der(cert))
    next_set = recipients.next_recipient_set(endpoint.held, _now(), add=[added])
    new_document, verified = _sign_and_rebuild(
        document, endpoint, keys, next_set, document.data_keys
    )
    enroller = replace(endpoint, held=verified)
    return (
        new_document,
        enroller,
        EndpointV2(document.account_id, endpoint.root_cert, instance_key, verified),
    )


def enrol_self(
    document: AccountDocumentV2, passphrase: str, *, expected_account_id: str | None = None
) -> tuple[AccountDocumentV2, EndpointV2]:
    """A fresh browser enrols itself with the passphrase (section 11.3): it has no H yet.

    The passphrase proves the root (the backups open to keys it certifies); the store's set is
    C, verified under that root. A store serving an old C gains nothing: the result is below
    what agents hold, so they refuse it (RolledBack) and say so.
    """
    root = document.root_cert()
    if expected_account_id is not None and document.account_id != expected_account_id:
        raise UntrustedKey("account: not the expected account")
    keys = unlock(document, passphrase)
    current = recipients.verify_recipient_set(document.recipient_set, root, pinned_data_key_id=None)
    instance_key = primitives.p256_generate()
    stub = EndpointV2(document.account_id, root, instance_key, current)
    cert = certs.issue(root, keys.signing, instance_key.public_key(), certs.Role.instance)
    added = Recipient.from_cert("instance", certs.cert_der(cert))
    next_set = recipients.next_recipient_set(current, _now(), add=[added])
    new_document, verified = _sign_and_rebuild(document, stub, keys, next_set, document.data_keys)
    return new_document, replace(stub, held=verified)


def revoke(
    document: AccountDocumentV2, endpoint: EndpointV2, passphrase: str, revoked: Iterable[str]
) -> tuple[AccountDocumentV2, EndpointV2]:
    """Revoke instances (none: a plain rotation) and rotate the data key (section 11.3)."""
    endpoint = endpoint.admit(document.recipient_set)
    removed = tuple(revoked)
    if endpoint.instance_key_id in removed:
        raise ValueError("an endpoint revokes others; another endpoint revokes it")
    missing = set(removed) - set(endpoint.held.instance_key_ids)
    if missing:
        raise NotEnrolled(f"not instances of the signed set: {sorted(missing)}")
    keys = unlock(document, passphrase)
    recovery_public = keys.recovery.public_key()
    generation, rdk = new_generation(
        document.account_id, endpoint.root_cert, keys.signing, recovery_public,
        len(document.data_keys) + 1,
    )  # fmt: skip
    keys = replace(keys, rdks=(*keys.rdks, rdk))
    data = Recipient.from_cert("data", generation.cert_der)
    next_set = recipients.next_recipient_set(endpoint.held, _now(), remove=removed, data=data)
    new_document, verified = _sign_and_rebuild(
        document, endpoint, keys, next_set, (*document.data_keys, generation)
    )
    return new_document, replace(endpoint, held=verified)


def open_clip(document: AccountDocumentV2, endpoint: EndpointV2, manifest: ClipManifest) -> bytes:
    """Section 11.3 "read a clip": instance wrap, else the data generation the clip names."""
    wrapped_ids = {w.key_id for w in manifest.wrapped_keys}
    if endpoint.instance_key_id in wrapped_ids:
        return open_clip_key(manifest, [endpoint.instance_key])
    entry = document.instance(endpoint.instance_key_id)
    if entry is None:
        raise NotEnrolled("this endpoint has no entry in the account (revoked?)")
    for generation in document.data_keys:
        if generation.key_id in wrapped_ids:
            rdk = unwrap(
                endpoint.instance_key,
                entry.rdk_wrapped[generation.generation - 1],
                data_rdk_context(document.account_id, generation.generation),
                WrapPurpose.DATA_RDK,
            )
            return open_clip_key(manifest, [open_data_key(document, generation, rdk)])
    raise NoRecipientKey("the clip is wrapped to no key this endpoint can reach")


def passphrase_check(pdk_params: kdf.KdfParams, pdk: bytes, account_id: str) -> PassphraseCheck:
    return PassphraseCheck(kdf=pdk_params, check=kdf.passphrase_check(pdk, account_id))


def clip_context(clip_id: bytes) -> bytes:
    return wrap_context(WrapPurpose.CLIP_KEY, clip_id)
