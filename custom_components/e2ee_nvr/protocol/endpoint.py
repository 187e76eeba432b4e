"""The endpoint role (section 11): create an account, enrol, revoke, unlock keys, open clips.

The browser implements the same operations in TypeScript; this one serves the tests, the
vector generator and the offline recovery tool. An `Endpoint` holds what an enrolled browser
holds: the pinned root and its instance private key. Everything else comes from the store's
account document, and is checked before use, because the store is not trusted.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from . import certs, kdf, primitives, recipients
from .account import AccountDocument, InstanceEntry
from .backup import make_backup, open_backup
from .envelope import SignedEnvelope
from .errors import BackupMismatch, BadSignature, UntrustedKey, WrongPassphrase
from .identifiers import key_id
from .passphrase import canonical_passphrase
from .wrap import WrapPurpose, unwrap, wrap_context, wrap_to_p256, wrap_to_rsa

RDK_SECRET_BYTES = 32


@dataclass(frozen=True)
class Endpoint:
    """What one enrolled endpoint keeps locally: the pinned root and its instance key."""

    account_id: str
    root_cert: x509.Certificate
    instance_key: ec.EllipticCurvePrivateKey

    @property
    def instance_key_id(self) -> str:
        return key_id(self.instance_key.public_key())


@dataclass(frozen=True)
class AccountKeys:
    """Private keys recovered from backups; held only while an operation needs them."""

    signing: rsa.RSAPrivateKey
    recovery: rsa.RSAPrivateKey
    rdk: bytes


def _account_context(purpose: WrapPurpose, account_id: str) -> bytes:
    return wrap_context(purpose, account_id.encode("ascii"))


def _now() -> int:
    return int(time.time())


def _instance_entry(
    account_id: str,
    root_cert: x509.Certificate,
    signing_key: rsa.RSAPrivateKey,
    instance_public: ec.EllipticCurvePublicKey,
    pdk: bytes,
    rdk: bytes,
) -> InstanceEntry:
    cert = certs.issue(root_cert, signing_key, instance_public, certs.Role.instance)
    return InstanceEntry(
        key_id=key_id(instance_public),
        cert_der=certs.cert_der(cert),
        pdk_wrapped=wrap_to_p256(
            instance_public, pdk, _account_context(WrapPurpose.PDK, account_id)
        ),
        rdk_wrapped=wrap_to_p256(
            instance_public, rdk, _account_context(WrapPurpose.RDK, account_id)
        ),
    )


def _signed_set(
    account_id: str,
    signing_key: rsa.RSAPrivateKey,
    epoch: int,
    data_cert_der: bytes,
    instances: Iterable[InstanceEntry],
) -> SignedEnvelope:
    members = [recipients.Recipient.from_cert("data", data_cert_der)]
    members += [recipients.Recipient.from_cert("instance", i.cert_der) for i in instances]
    recipient_set = recipients.build_recipient_set(account_id, epoch, _now(), members)
    return recipients.sign_recipient_set(recipient_set, signing_key)


def create_account(
    passphrase: str, *, kdf_params: tuple[kdf.KdfParams, kdf.KdfParams] | None = None
) -> tuple[AccountDocument, Endpoint]:
    """Make every account key, the three backups and recipient set epoch 1 (section 11).

    `kdf_params` (PDK, RDK) lets tests use the cheapest parameters the bounds allow.
    """
    pdk_params, rdk_params = kdf_params or (
        kdf.KdfParams.new_default(),
        kdf.KdfParams.new_default(),
    )
    signing_key = primitives.rsa_generate()
    recovery_key = primitives.rsa_generate()
    data_key = primitives.rsa_generate()
    instance_key = primitives.p256_generate()
    account_id = key_id(signing_key.public_key())
    root_cert = certs.make_root(signing_key)
    recovery_cert = certs.issue(
        root_cert, signing_key, recovery_key.public_key(), certs.Role.recovery
    )
    data_cert = certs.issue(root_cert, signing_key, data_key.public_key(), certs.Role.data)

    pdk = kdf.derive_key(canonical_passphrase(passphrase).encode("utf-8"), pdk_params)
    # The random secret behind the RDK is discarded once derived: only wraps of the RDK remain.
    rdk = kdf.derive_key(secrets.token_bytes(RDK_SECRET_BYTES), rdk_params)
    backups = {
        "signing": make_backup("signing", account_id, signing_key, root_cert, pdk, pdk_params),
        "recovery": make_backup(
            "recovery", account_id, recovery_key, recovery_cert, pdk, pdk_params
        ),
        "data": make_backup("data", account_id, data_key, data_cert, rdk, rdk_params),
    }
    instance = _instance_entry(
        account_id, root_cert, signing_key, instance_key.public_key(), pdk, rdk
    )
    data_cert_der = certs.cert_der(data_cert)
    document = AccountDocument(
        account_id=account_id,
        root_cert_der=certs.cert_der(root_cert),
        recovery_cert_der=certs.cert_der(recovery_cert),
        data_cert_der=data_cert_der,
        backups=backups,
        rdk_wrapped_to_recovery=wrap_to_rsa(
            recovery_key.public_key(), rdk, _account_context(WrapPurpose.RDK, account_id)
        ),
        instances=(instance,),
        recipient_set=_signed_set(account_id, signing_key, 1, data_cert_der, [instance]),
    )
    return document, Endpoint(account_id, root_cert, instance_key)


def _open_with_pdk(document: AccountDocument, pdk: bytes) -> AccountKeys:
    root_cert = document.root_cert()
    signing = open_backup(
        document.backups["signing"], pdk, account_id=document.account_id, expected_cert=root_cert
    )
    recovery = open_backup(
        document.backups["recovery"],
        pdk,
        account_id=document.account_id,
        expected_cert=certs.load_cert(document.recovery_cert_der),
    )
    if not isinstance(signing, rsa.RSAPrivateKey) or not isinstance(recovery, rsa.RSAPrivateKey):
        raise BackupMismatch("account: backups hold keys of the wrong type")
    rdk = unwrap(
        recovery,
        document.rdk_wrapped_to_recovery,
        _account_context(WrapPurpose.RDK, document.account_id),
        WrapPurpose.RDK,
    )
    return AccountKeys(signing=signing, recovery=recovery, rdk=rdk)


def derive_pdk(document: AccountDocument, passphrase: str) -> bytes:
    """The PDK from a typed passphrase: InvalidPassphrase for typos, WrongPassphrase if not ours."""
    backup = document.backups["signing"]
    pdk = kdf.derive_key(canonical_passphrase(passphrase).encode("utf-8"), backup.kdf)
    try:
        kdf.verify_key_check(pdk, document.account_id, backup.check)
    except WrongPassphrase:
        # Section 11.4: the same PDK matching the recovery backup's check shows the signing
        # backup was swapped, which must not read as (nor count as) a wrong passphrase.
        recovery = document.backups["recovery"]
        if recovery.kdf == backup.kdf and kdf.key_check(pdk, document.account_id) == (
            recovery.check
        ):
            raise BackupMismatch("the signing backup is not this account's") from None
        raise
    return pdk


def unlock_with_passphrase(document: AccountDocument, passphrase: str) -> AccountKeys:
    """Open the signing and recovery backups and the RDK with the passphrase alone."""
    return _open_with_pdk(document, derive_pdk(document, passphrase))


def enrol_with_passphrase(
    document: AccountDocument, passphrase: str, *, expected_account_id: str | None = None
) -> tuple[AccountDocument, Endpoint]:
    """Enrol a new endpoint: new instance key, certificate, wraps, recipient set epoch + 1.

    The new endpoint pins the root it is shown; the passphrase is what authenticates it, since
    only the real account's backups open with it and match the root's key.
    """
    root_cert = document.root_cert()
    if expected_account_id is not None and document.account_id != expected_account_id:
        raise UntrustedKey("account: not the expected account")
    pdk = derive_pdk(document, passphrase)
    keys = _open_with_pdk(document, pdk)
    current = recipients.verify_recipient_set(
        document.recipient_set, root_cert, pinned_data_key_id=_data_key_id(document)
    )
    instance_key = primitives.p256_generate()
    entry = _instance_entry(
        document.account_id, root_cert, keys.signing, instance_key.public_key(), pdk, keys.rdk
    )
    instances = (*document.instances, entry)
    signed = _signed_set(
        document.account_id, keys.signing, current.epoch + 1, document.data_cert_der, instances
    )
    endpoint = Endpoint(document.account_id, root_cert, instance_key)
    return document.with_instances(instances, signed), endpoint


def _data_key_id(document: AccountDocument) -> str:
    return key_id(certs.load_cert(document.data_cert_der).public_key())


def _own_entry(document: AccountDocument, endpoint: Endpoint) -> InstanceEntry:
    if document.account_id != endpoint.account_id:
        raise UntrustedKey("account: not the account this endpoint is enrolled in")
    entry = document.instance(endpoint.instance_key_id)
    if entry is None:
        raise UntrustedKey("account: this endpoint is not enrolled (revoked?)")
    return entry


def unlock_with_instance(document: AccountDocument, endpoint: Endpoint) -> AccountKeys:
    """Open the account's keys with the instance key: no passphrase on an enrolled endpoint."""
    entry = _own_entry(document, endpoint)
    if certs.load_cert(document.root_cert_der) != endpoint.root_cert:
        raise UntrustedKey("account: root differs from the one pinned at enrolment")
    pdk = unwrap(
        endpoint.instance_key,
        entry.pdk_wrapped,
        _account_context(WrapPurpose.PDK, endpoint.account_id),
        WrapPurpose.PDK,
    )
    return _open_with_pdk(document, pdk)


def open_data_key(document: AccountDocument, rdk: bytes) -> rsa.RSAPrivateKey:
    """The account data key, which every clip is also wrapped to (older clips' only path)."""
    data_key = open_backup(
        document.backups["data"],
        rdk,
        account_id=document.account_id,
        expected_cert=certs.load_cert(document.data_cert_der),
    )
    if not isinstance(data_key, rsa.RSAPrivateKey):
        raise BackupMismatch("account: data backup holds a key of the wrong type")
    return data_key


def revoke_instance(
    document: AccountDocument, endpoint: Endpoint, revoked_key_id: str
) -> AccountDocument:
    """Sign a recipient set epoch + 1 without the revoked instance, and drop its entry."""
    keys = unlock_with_instance(document, endpoint)
    current = recipients.verify_recipient_set(
        document.recipient_set, endpoint.root_cert, pinned_data_key_id=_data_key_id(document)
    )
    instances = tuple(i for i in document.instances if i.key_id != revoked_key_id)
    if len(instances) == len(document.instances):
        raise ValueError(f"no enrolled instance {revoked_key_id}")
    signed = _signed_set(
        document.account_id, keys.signing, current.epoch + 1, document.data_cert_der, instances
    )
    return document.with_instances(instances, signed)


def verify_current_set(
    document: AccountDocument, endpoint: Endpoint
) -> recipients.VerifiedRecipientSet:
    """The store's current recipient set, checked against this endpoint's pinned root."""
    if document.account_id != endpoint.account_id:
        raise BadSignature("recipient-set: another account")
    return recipients.verify_recipient_set(
        document.recipient_set, endpoint.root_cert, pinned_data_key_id=_data_key_id(document)
    )
