"""Protocol v2 attacks (issue 10 "Why" 1-4) played against the real Python roles."""

from __future__ import annotations

import dataclasses

import pytest

from e2ee_nvr_protocol import certs, endpoint, endpoint_v2, kdf, recipients
from e2ee_nvr_protocol.account_build_v2 import create_account_v2, migrate_v1
from e2ee_nvr_protocol.account_v2 import AccountDocumentV2, InstanceEntryV2
from e2ee_nvr_protocol.clip import (
    ClipEncryptor,
    ClipEvent,
    decode_events,
    decrypt_blob,
    open_clip_key,
    verify_clip_manifest,
)
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.errors import (
    BackupMismatch,
    NoRecipientKey,
    NotEnrolled,
    Readmitted,
    RevocationWithheld,
    RolledBack,
    UnwrapFailed,
    WrongPassphrase,
)
from e2ee_nvr_protocol.manifest import ClipManifest
from e2ee_nvr_protocol.passphrase import generate_passphrase
from e2ee_nvr_protocol.recipients import Recipient
from e2ee_nvr_protocol.stream_format import ContentKind
from e2ee_nvr_protocol.withholding import check_delivery
from e2ee_nvr_protocol.wrap import WrapPurpose, data_rdk_context, unwrap
from tests.protocol.account_setup import (
    NOW,
    PairedDevice,
    fast_kdf_params,
    new_account,
    pair_v2,
)

FAST = kdf.KdfParams.new_default(scrypt_n_log2=15, pbkdf2_iterations=10_000)
World = tuple[str, AccountDocumentV2, endpoint_v2.EndpointV2]
VIDEO = b"\x00\x00\x00\x18ftypisom" + b"V2-CLIP" * 3000


def record(device: PairedDevice, start_ms: int = NOW * 1000) -> tuple[SignedEnvelope, bytes]:
    encryptor = ClipEncryptor(
        recipient_set=device.trust.current_set(), device_id=device.device_id,
        camera_id="front-door", start_ms=start_ms, chunk_size=1 << 12,
    )  # fmt: skip
    video = encryptor.update(VIDEO) + encryptor.finish_video()
    encryptor.encrypt_events([])
    return encryptor.seal(device.key, end_ms=start_ms + 1000, codecs="avc1.64001f"), video


def manifest_of(device: PairedDevice, signed: SignedEnvelope) -> ClipManifest:
    return verify_clip_manifest(
        signed, certs.load_cert(device.trust.device_cert_der), device.trust.root_cert
    )


@pytest.fixture(scope="module")
def world() -> World:
    passphrase = generate_passphrase()
    document, owner = create_account_v2(passphrase, pdk_params=FAST)
    return passphrase, document, owner


def test_revoked_browser_with_every_secret_cannot_open_a_new_clip(world: World) -> None:
    passphrase, document, owner = world
    document, owner, stolen = endpoint_v2.enrol(document, owner, passphrase)
    device = pair_v2(document, owner, passphrase)
    # The thief copies out everything the stolen browser can reach: its instance key, every
    # RDK its entry wraps, and the data key of every generation it can open.
    entry = document.instance(stolen.instance_key_id)
    assert entry is not None
    stolen_rdks = [
        unwrap(
            stolen.instance_key, w, data_rdk_context(document.account_id, g), WrapPurpose.DATA_RDK
        )
        for g, w in enumerate(entry.rdk_wrapped, start=1)
    ]
    stolen_data_keys = [
        endpoint_v2.open_data_key(document, g, rdk)
        for g, rdk in zip(document.data_keys, stolen_rdks, strict=True)
    ]
    assert "pdk_wrapped" not in entry.to_json()  # no path to the signing key at all
    old_clip, _ = record(device)
    assert open_clip_key(manifest_of(device, old_clip), [stolen.instance_key])

    document, owner = endpoint_v2.revoke(document, owner, passphrase, [stolen.instance_key_id])
    device.trust, _ = device.trust.admit(document.recipient_set)
    new_clip, video = record(device)
    manifest = manifest_of(device, new_clip)
    for key in [stolen.instance_key, *stolen_data_keys]:
        with pytest.raises((NoRecipientKey, UnwrapFailed)):
            open_clip_key(manifest, [key])
    # The remaining endpoint reads both clips; the old one through data generation 1.
    assert (
        decrypt_blob(
            manifest, endpoint_v2.open_clip(document, owner, manifest), ContentKind.VIDEO, video
        )
        == VIDEO
    )
    assert endpoint_v2.open_clip(document, owner, manifest_of(device, old_clip))
    # The stolen browser has no entry and is not in the set: it can neither read nor grant.
    with pytest.raises(NotEnrolled):
        stolen.admit(document.recipient_set)


def test_store_readmitting_a_revoked_instance_is_ignored_and_refused(world: World) -> None:
    """Why 1: the next set comes from the verified set, never from the store's `instances`."""
    passphrase, document, owner = world
    document, owner, victim = endpoint_v2.enrol(document, owner, passphrase)
    document, owner = endpoint_v2.revoke(document, owner, passphrase, [victim.instance_key_id])
    # A hostile store puts the revoked browser's entry back before the owner's next enrol.
    victim_cert = next(
        r.cert_der
        for r in victim.held.recipient_set.recipients
        if r.key_id == victim.instance_key_id
    )
    forged_entry = InstanceEntryV2(victim.instance_key_id, victim_cert, ())
    tampered = dataclasses.replace(document, instances=(*document.instances, forged_entry))
    after, owner, _new = endpoint_v2.enrol(tampered, owner, passphrase)
    held = owner.held
    assert victim.instance_key_id not in held.instance_key_ids
    assert victim.instance_key_id in held.revoked
    assert victim.instance_key_id not in {i.key_id for i in after.instances}
    # A set the root signs that lists it again is refused by any verifier.
    signing = endpoint_v2.unlock(after, passphrase).signing
    readmit = dataclasses.replace(
        recipients.next_recipient_set(held, NOW), recipients=held.recipient_set.recipients
    )
    payload = readmit.to_payload()
    payload["recipients"].append(Recipient.from_cert("instance", victim_cert).to_json(2))
    payload["recipients"].sort(key=lambda r: r["key_id"])
    from e2ee_nvr_protocol import envelope

    signed = envelope.sign("recipient-set", payload, signing)
    with pytest.raises(Readmitted):
        owner.admit(signed)
    # Dropping a key id from `revoked` is refused as well, at any later epoch.
    dropped = dataclasses.replace(recipients.next_recipient_set(held, NOW), revoked=())
    with pytest.raises(Readmitted):
        owner.admit(recipients.sign_recipient_set(dropped, signing))


def test_grant_with_an_old_set_or_without_the_endpoint_is_refused(world: World) -> None:
    """Why 2: the grant's set is the endpoint's H, so an old set never reaches a new camera."""
    passphrase, document, owner = world
    old = document
    document, owner, other = endpoint_v2.enrol(document, owner, passphrase)
    document, owner = endpoint_v2.revoke(document, owner, passphrase, [other.instance_key_id])
    with pytest.raises(RolledBack):
        owner.grant_set(old)  # the store serves the set from before the revocation
    with pytest.raises(NotEnrolled):
        other.grant_set(document)
    device = pair_v2(document, owner, passphrase)
    with pytest.raises(RolledBack):
        device.trust.admit(old.recipient_set)


def test_withheld_revocation_and_forked_sets_are_visible(world: World) -> None:
    """Why 3: a manifest at an old epoch or to a revoked key is RevocationWithheld."""
    passphrase, document, owner = world
    device = pair_v2(document, owner, passphrase)
    document, owner, other = endpoint_v2.enrol(document, owner, passphrase)
    device.trust, _ = device.trust.admit(document.recipient_set)
    in_order, _ = record(device, start_ms=owner.held.recipient_set.issued_at * 1000)
    check_delivery(owner.held, manifest_of(device, in_order))
    document, owner = endpoint_v2.revoke(document, owner, passphrase, [other.instance_key_id])
    # The store never hands the new set to the agent: its next clips still go to `other`.
    late = (owner.held.recipient_set.issued_at + 3600) * 1000
    withheld, _ = record(device, start_ms=late)
    with pytest.raises(RevocationWithheld):
        check_delivery(owner.held, manifest_of(device, withheld))
    # Two different sets under one epoch, or a set from another history, are RolledBack.
    signing = endpoint_v2.unlock(document, passphrase).signing
    twin = recipients.next_recipient_set(owner.held, NOW + 7)
    forked = dataclasses.replace(twin, prev_sha256=bytes(32))
    first = recipients.sign_recipient_set(twin, signing)
    device.trust, _ = device.trust.admit(document.recipient_set)
    device.trust, _ = device.trust.admit(first)
    with pytest.raises(RolledBack):
        device.trust.admit(
            recipients.sign_recipient_set(dataclasses.replace(twin, issued_at=NOW + 8), signing)
        )
    with pytest.raises(RolledBack):
        owner.admit(recipients.sign_recipient_set(forked, signing))


def test_swapped_backup_is_backup_mismatch_not_wrong_passphrase(world: World) -> None:
    passphrase, document, _owner = world
    other, _ = create_account_v2(generate_passphrase(), pdk_params=FAST)
    swapped = dataclasses.replace(
        document,
        signing_backup=dataclasses.replace(other.signing_backup, account_id=document.account_id),
    )
    with pytest.raises(BackupMismatch):
        endpoint_v2.unlock(swapped, passphrase)
    with pytest.raises(WrongPassphrase):
        endpoint_v2.unlock(document, generate_passphrase())


def test_v1_account_migrates_and_its_old_clips_still_open() -> None:
    from tests.protocol.account_setup import pair_device

    account = new_account()
    document, second = endpoint.enrol_with_passphrase(account.document, account.passphrase)
    account.document = document
    device = pair_device(account)
    device.trust, _ = device.trust.admit(document.recipient_set)
    old_clip, old_video = record(device)
    v2_document, owner = migrate_v1(
        document, account.first, account.passphrase, pdk_params=fast_kdf_params()[0]
    )
    v2_document = AccountDocumentV2.from_json(v2_document.to_json())
    # The agent accepts the v2 set without re-pairing; its data key moves to generation 2.
    device.trust, verified = device.trust.admit(v2_document.recipient_set)
    assert verified.version == 2 and device.trust.data_key_id == v2_document.newest.key_id
    with pytest.raises(RolledBack):
        device.trust.admit(document.recipient_set)
    new_clip, _ = record(device)
    # Old clip: the second browser (not the migrating one) reads it through generation 1.
    second_v2 = endpoint_v2.EndpointV2(
        second.account_id, second.root_cert, second.instance_key, verified
    )
    old_manifest = manifest_of(device, old_clip)
    old_key = endpoint_v2.open_clip(
        v2_document,
        dataclasses.replace(second_v2),
        dataclasses.replace(
            old_manifest,
            wrapped_keys=tuple(
                w for w in old_manifest.wrapped_keys if w.key_id != second.instance_key_id
            ),
        ),
    )
    assert decrypt_blob(old_manifest, old_key, ContentKind.VIDEO, old_video) == VIDEO
    assert endpoint_v2.open_clip(v2_document, owner, manifest_of(device, new_clip))
    # The v1 PDK, which every v1 browser could unwrap, opens nothing in the v2 document.
    v1_pdk = endpoint.derive_pdk(document, account.passphrase)
    with pytest.raises(WrongPassphrase):
        kdf.verify_passphrase_check(v1_pdk, v2_document.account_id, v2_document.passphrase.check)


def test_event_details_are_padded_and_always_present(world: World) -> None:
    passphrase, document, owner = world
    device = pair_v2(document, owner, passphrase)
    sizes = set()
    for count in (0, 1, 2):  # all fit the 256-byte bucket: same size whatever the count
        encryptor = ClipEncryptor(
            recipient_set=device.trust.current_set(), device_id=device.device_id,
            camera_id="front-door", start_ms=NOW * 1000,
        )  # fmt: skip
        encryptor.update(VIDEO)
        encryptor.finish_video()
        events = [ClipEvent("motion", NOW * 1000 + i, None, "onvif") for i in range(count)]
        blob = encryptor.encrypt_events(events)
        manifest = manifest_of(
            device, encryptor.seal(device.key, end_ms=NOW * 1000 + 5, codecs="avc1.64001f")
        )
        assert manifest.events is not None
        sizes.add(manifest.events.stream.ciphertext_size)
        key = endpoint_v2.open_clip(document, owner, manifest)
        assert decode_events(decrypt_blob(manifest, key, ContentKind.EVENTS, blob)) == tuple(events)
    assert len(sizes) == 1


def test_v1_swapped_signing_backup_is_backup_mismatch() -> None:
    """Issue 11: another account's signing backup, relabelled as ours, is not a wrong passphrase."""
    account = new_account()
    other = new_account()
    foreign = dataclasses.replace(
        other.document.backups["signing"],
        account_id=account.document.account_id,
        kdf=account.document.backups["signing"].kdf,
    )
    swapped = dataclasses.replace(
        account.document, backups={**account.document.backups, "signing": foreign}
    )
    with pytest.raises(BackupMismatch):
        endpoint.derive_pdk(swapped, account.passphrase)
    with pytest.raises(WrongPassphrase):
        endpoint.derive_pdk(account.document, generate_passphrase())


def test_fresh_browser_enrols_itself_and_an_old_set_gets_it_nowhere(world: World) -> None:
    passphrase, document, owner = world
    device = pair_v2(document, owner, passphrase)
    old = document
    document, owner, other = endpoint_v2.enrol(document, owner, passphrase)
    document, owner = endpoint_v2.revoke(document, owner, passphrase, [other.instance_key_id])
    device.trust, _ = device.trust.admit(document.recipient_set)
    joined, newcomer = endpoint_v2.enrol_self(document, passphrase)
    device.trust, verified = device.trust.admit(joined.recipient_set)
    assert newcomer.instance_key_id in verified.instance_key_ids
    # Fed the set from before the revocation, the newcomer signs a set agents refuse.
    stale, _ = endpoint_v2.enrol_self(old, passphrase)
    with pytest.raises(RolledBack):
        device.trust.admit(stale.recipient_set)
