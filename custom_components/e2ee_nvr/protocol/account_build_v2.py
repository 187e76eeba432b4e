"""Building a v2 account from nothing (create) or from a v1 account (migration, section 17)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from cryptography.hazmat.primitives.asymmetric import rsa

from . import certs, kdf, primitives, recipients
from .account import AccountDocument
from .account_v2 import AccountDocumentV2
from .backup_v2 import make_backup_v2
from .endpoint import Endpoint, unlock_with_passphrase
from .endpoint import open_data_key as open_v1_data_key
from .endpoint_v2 import (
    EndpointV2,
    derive_pdk,
    instance_entries,
    new_generation,
    passphrase_check,
)
from .errors import BackupMismatch, NotEnrolled
from .identifiers import key_id
from .passphrase import canonical_passphrase
from .recipients import HeldSet, Recipient


def _pdk(passphrase: str, params: kdf.KdfParams) -> bytes:
    return kdf.derive_key(canonical_passphrase(passphrase).encode("utf-8"), params)


def create_account_v2(
    passphrase: str, *, pdk_params: kdf.KdfParams | None = None
) -> tuple[AccountDocumentV2, EndpointV2]:
    """Section 11.3 "create": keys, generation 1, backups, set epoch 1 (prev null, revoked [])."""
    params = pdk_params or kdf.KdfParams.new_default()
    signing = primitives.rsa_generate()
    recovery = primitives.rsa_generate()
    instance_key = primitives.p256_generate()
    account_id = key_id(signing.public_key())
    root = certs.make_root(signing)
    recovery_cert = certs.issue(root, signing, recovery.public_key(), certs.Role.recovery)
    pdk = _pdk(passphrase, params)
    generation, rdk = new_generation(account_id, root, signing, recovery.public_key(), 1)
    instance_cert = certs.issue(root, signing, instance_key.public_key(), certs.Role.instance)
    first = recipients.build_recipient_set_v2(
        account_id,
        1,
        int(time.time()),
        [
            Recipient.from_cert("data", generation.cert_der),
            Recipient.from_cert("instance", certs.cert_der(instance_cert)),
        ],
        prev_sha256=None,
        revoked=(),
    )
    signed = recipients.sign_recipient_set(first, signing)
    verified = recipients.verify_recipient_set(signed, root, pinned_data_key_id=None)
    document = AccountDocumentV2(
        account_id=account_id,
        root_cert_der=certs.cert_der(root),
        recovery_cert_der=certs.cert_der(recovery_cert),
        passphrase=passphrase_check(params, pdk, account_id),
        signing_backup=make_backup_v2("signing", 0, account_id, signing, root, pdk),
        recovery_backup=make_backup_v2("recovery", 0, account_id, recovery, recovery_cert, pdk),
        data_keys=(generation,),
        instances=instance_entries(account_id, verified, (rdk,)),
        recipient_set=signed,
    )
    return document, EndpointV2(account_id, root, instance_key, verified)


def migrate_v1(
    document: AccountDocument,
    endpoint: Endpoint,
    passphrase: str,
    *,
    drop: Iterable[str] = (),
    pdk_params: kdf.KdfParams | None = None,
) -> tuple[AccountDocumentV2, EndpointV2]:
    """Section 17: upgrade a v1 account in place; its agents accept the result unre-paired."""
    root = document.root_cert()
    if (
        document.account_id != endpoint.account_id
        or certs.load_cert(document.root_cert_der) != endpoint.root_cert
    ):
        raise BackupMismatch("migration: not the account this endpoint pinned")
    current = recipients.verify_recipient_set(
        document.recipient_set,
        root,
        pinned_data_key_id=key_id(certs.load_cert(document.data_cert_der).public_key()),
    )
    recipients.check_own_membership(current, endpoint.instance_key_id)
    # Step 1: open the v1 account; RDK_1 is proven by opening the v1 data backup.
    v1_keys = unlock_with_passphrase(document, passphrase)
    v1_data = open_v1_data_key(document, v1_keys.rdk)
    # Step 2: fresh salts, so the v1 PDK every v1 browser could unwrap opens nothing here.
    params = pdk_params or kdf.KdfParams.new_default()
    pdk = _pdk(passphrase, params)
    account_id = document.account_id
    # Step 3: a new recovery key; the old one sat under the v1 PDK.
    recovery = primitives.rsa_generate()
    recovery_cert = certs.issue(root, v1_keys.signing, recovery.public_key(), certs.Role.recovery)
    # Step 4-5: generation 1 = the v1 data key under the v1 RDK; generation 2 = a rotation.
    gen1, rdk1 = new_generation(
        account_id,
        root,
        v1_keys.signing,
        recovery.public_key(),
        1,
        v1_data,
        v1_keys.rdk,
        certs.load_cert(document.data_cert_der),
    )
    gen2, rdk2 = new_generation(account_id, root, v1_keys.signing, recovery.public_key(), 2)
    dropped = set(drop)
    if endpoint.instance_key_id in dropped or not dropped <= set(current.instance_key_ids):
        raise NotEnrolled("migration drops only other instances of the signed set")
    # Step 6: the v2 set, derived from the v1 set only (v1 recipients become "*").
    next_set = recipients.next_recipient_set(
        current,
        int(time.time()),
        remove=dropped,
        data=Recipient.from_cert("data", gen2.cert_der),
    )
    signed = recipients.sign_recipient_set(next_set, v1_keys.signing)
    verified = recipients.verify_recipient_set(signed, root, pinned_data_key_id=None)
    recipients.check_succession(verified, HeldSet.of(current))
    migrated = AccountDocumentV2(
        account_id=account_id,
        root_cert_der=document.root_cert_der,
        recovery_cert_der=certs.cert_der(recovery_cert),
        passphrase=passphrase_check(params, pdk, account_id),
        signing_backup=make_backup_v2("signing", 0, account_id, v1_keys.signing, root, pdk),
        recovery_backup=make_backup_v2("recovery", 0, account_id, recovery, recovery_cert, pdk),
        data_keys=(gen1, gen2),
        instances=instance_entries(account_id, verified, (rdk1, rdk2)),
        recipient_set=signed,
    )
    derive_pdk(migrated, passphrase)  # the new document opens with the same passphrase
    return migrated, EndpointV2(account_id, root, endpoint.instance_key, verified)


def signing_key_of(document: AccountDocumentV2, passphrase: str) -> rsa.RSAPrivateKey:
    """The signing key for one operation (pairing issues a device certificate with it)."""
    from .endpoint_v2 import unlock

    return unlock(document, passphrase).signing


__all__ = ["create_account_v2", "migrate_v1", "signing_key_of"]
