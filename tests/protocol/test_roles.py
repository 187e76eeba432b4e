"""All three roles together: account, enrolment, pairing, clips, revocation (sections 6-11)."""

from __future__ import annotations

import dataclasses

import pytest
from cryptography import x509

from e2ee_nvr_protocol import endpoint, primitives
from e2ee_nvr_protocol.account import AccountDocument
from e2ee_nvr_protocol.certs import load_cert
from e2ee_nvr_protocol.clip import (
    ClipEncryptor,
    ClipEvent,
    decode_events,
    decrypt_blob,
    decryptor_for,
    open_clip_key,
    verify_clip_manifest,
)
from e2ee_nvr_protocol.device import DeviceTrust
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.errors import (
    BackupMismatch,
    BadSignature,
    HeaderMismatch,
    InvalidPassphrase,
    NoRecipientKey,
    RolledBack,
    UntrustedKey,
    WrongPassphrase,
)
from e2ee_nvr_protocol.manifest import ClipManifest
from e2ee_nvr_protocol.stream_format import ContentKind
from tests.protocol.account_setup import NOW, AccountFixture, PairedDevice, pair_device

VIDEO = b"\x00\x00\x00\x18ftypisom" + b"E2EE-NVR-TEST-MARKER" * 5000


def record_clip(device: PairedDevice, video: bytes = VIDEO) -> tuple[SignedEnvelope, bytes, bytes]:
    """Encrypt one clip as the agent does: video in pieces, thumbnail, events, then seal."""
    encryptor = ClipEncryptor(
        recipient_set=device.trust.current_set(),
        device_id=device.device_id,
        camera_id="front-door",
        start_ms=NOW * 1000,
        chunk_size=1 << 12,
    )
    ciphertext = b"".join(encryptor.update(video[i : i + 999]) for i in range(0, len(video), 999))
    ciphertext += encryptor.finish_video()
    thumbnail = encryptor.encrypt_thumbnail(b"\xff\xd8 jpeg bytes \xff\xd9")
    encryptor.encrypt_events([ClipEvent("motion", NOW * 1000 + 100, None, "onvif")])
    signed = encryptor.seal(
        device.key, end_ms=NOW * 1000 + 30_000, codecs="avc1.64001f", visible_events=["motion"]
    )
    return signed, ciphertext, thumbnail


def verify_from(
    signed: SignedEnvelope, device: PairedDevice, root: x509.Certificate
) -> ClipManifest:
    """The manifest verified as `device`'s (the certificate it was paired with) under `root`."""
    return verify_clip_manifest(signed, load_cert(device.trust.device_cert_der), root)


def play(
    signed: SignedEnvelope,
    ciphertext: bytes,
    device: PairedDevice,
    held: list[object],
    root: x509.Certificate,
) -> bytes:
    manifest = verify_from(signed, device, root)
    clip_key = open_clip_key(manifest, held)
    decryptor = decryptor_for(manifest, clip_key, ContentKind.VIDEO)
    return decryptor.update(ciphertext) + decryptor.finalize()


def test_clip_opens_with_instance_key_and_with_data_key(
    account: AccountFixture, device: PairedDevice
) -> None:
    signed, ciphertext, thumbnail = record_clip(device)
    root = account.first.root_cert
    assert play(signed, ciphertext, device, [account.first.instance_key], root) == VIDEO
    keys = endpoint.unlock_with_instance(account.document, account.first)
    data_key = endpoint.open_data_key(account.document, keys.rdk)
    assert play(signed, ciphertext, device, [data_key], root) == VIDEO
    manifest = verify_from(signed, device, root)
    clip_key = open_clip_key(manifest, [data_key])
    assert decrypt_blob(manifest, clip_key, ContentKind.THUMBNAIL, thumbnail).startswith(
        b"\xff\xd8"
    )
    assert manifest.visible_events == ("motion",)
    assert VIDEO[:64] not in ciphertext and b"E2EE-NVR-TEST-MARKER" not in ciphertext


def test_second_endpoint_reads_old_clips_and_revocation_cuts_new_ones(
    account: AccountFixture,
) -> None:
    device = pair_device(account)
    old_clip, old_ciphertext, _ = record_clip(device)

    document, second = endpoint.enrol_with_passphrase(
        account.document, "  " + account.passphrase.upper().replace(" ", " - ") + " "
    )
    assert second.account_id == account.first.account_id
    trust, current = device.trust.admit(document.recipient_set)
    assert current.epoch == 2 and second.instance_key_id in {k.key_id for k in current.keys}

    # The old clip predates the second endpoint: it is read through the account data key.
    with pytest.raises(NoRecipientKey):
        play(old_clip, old_ciphertext, device, [second.instance_key], second.root_cert)
    keys = endpoint.unlock_with_instance(document, second)
    data_key = endpoint.open_data_key(document, keys.rdk)
    assert play(old_clip, old_ciphertext, device, [data_key], second.root_cert) == VIDEO

    # A clip made under epoch 2 is wrapped to the second endpoint directly.
    device2 = PairedDevice(device.key, trust)
    new_clip, new_ciphertext, _ = record_clip(device2)
    assert play(new_clip, new_ciphertext, device2, [second.instance_key], second.root_cert) == VIDEO

    # Revoked: the device takes epoch 3, and the next clip is not wrapped to the second endpoint.
    revoked = endpoint.revoke_instance(document, account.first, second.instance_key_id)
    trust3, current3 = trust.admit(revoked.recipient_set)
    assert current3.epoch == 3
    device3 = PairedDevice(device.key, trust3)
    after, after_ciphertext, _ = record_clip(device3)
    with pytest.raises(NoRecipientKey):
        play(after, after_ciphertext, device3, [second.instance_key], second.root_cert)
    with pytest.raises(UntrustedKey):
        endpoint.unlock_with_instance(revoked, second)
    # Replaying the epoch-2 set (which still names the revoked endpoint) is refused.
    with pytest.raises(RolledBack):
        trust3.admit(document.recipient_set)


def test_wrong_passphrase_and_typo_are_told_apart(account: AccountFixture) -> None:
    words = account.passphrase.split()
    other_words = [*words[1:], words[0]]
    with pytest.raises(WrongPassphrase):
        endpoint.enrol_with_passphrase(account.document, " ".join(other_words))
    with pytest.raises(InvalidPassphrase, match="word 3"):
        endpoint.enrol_with_passphrase(
            account.document, " ".join([*words[:2], "xyzzy", *words[3:]])
        )


def test_backup_swapped_with_another_accounts_is_refused(
    account: AccountFixture, other_account: AccountFixture
) -> None:
    swapped = dict(account.document.backups)
    swapped["signing"] = dataclasses.replace(
        account.document.backups["signing"], p12=other_account.document.backups["signing"].p12
    )
    tampered = dataclasses.replace(account.document, backups=swapped)
    with pytest.raises(BackupMismatch):
        endpoint.unlock_with_passphrase(tampered, account.passphrase)


def test_manifest_signed_by_another_camera_is_refused(
    account: AccountFixture, device: PairedDevice
) -> None:
    impostor = pair_device(account)
    signed, _, _ = record_clip(impostor)
    # The store claims the clip came from `device`: the signature does not match that key.
    with pytest.raises(BadSignature):
        verify_from(signed, device, account.first.root_cert)


def test_device_from_another_account_is_not_trusted(
    account: AccountFixture, other_account: AccountFixture
) -> None:
    foreign = pair_device(other_account)
    signed, _, _ = record_clip(foreign)
    with pytest.raises(UntrustedKey):
        verify_from(signed, foreign, account.first.root_cert)


def test_account_document_round_trips_through_json(account: AccountFixture) -> None:
    assert AccountDocument.from_json(account.document.to_json()) == account.document


def test_device_trust_round_trips_and_rejects_a_foreign_key(device: PairedDevice) -> None:
    restored = DeviceTrust.from_json(device.trust.to_json())
    assert restored == device.trust
    restored.check_device_key(device.key)
    with pytest.raises(UntrustedKey):
        restored.check_device_key(primitives.rsa_generate())


def test_events_decode(account: AccountFixture, device: PairedDevice) -> None:
    encryptor = ClipEncryptor(
        recipient_set=device.trust.current_set(),
        device_id=device.device_id,
        camera_id="front-door",
        start_ms=1,
    )
    encryptor.update(b"x")
    encryptor.finish_video()
    events_ct = encryptor.encrypt_events([ClipEvent("person", 5, 9, "onvif")])
    signed = encryptor.seal(device.key, end_ms=2, codecs="avc1.64001f")
    manifest = verify_from(signed, device, account.first.root_cert)
    clip_key = open_clip_key(manifest, [account.first.instance_key])
    events = decode_events(decrypt_blob(manifest, clip_key, ContentKind.EVENTS, events_ct))
    assert events == (ClipEvent("person", 5, 9, "onvif"),)


def test_manifest_swapped_between_clips_is_refused(
    account: AccountFixture, device: PairedDevice
) -> None:
    first, first_ciphertext, _ = record_clip(device)
    second, second_ciphertext, _ = record_clip(device, VIDEO[::-1])
    root = account.first.root_cert
    held: list[object] = [account.first.instance_key]
    # The store serves clip B's (valid, signed) manifest with clip A's ciphertext, and back.
    with pytest.raises(HeaderMismatch):
        play(second, first_ciphertext, device, held, root)
    with pytest.raises(HeaderMismatch):
        play(first, second_ciphertext, device, held, root)
    assert play(second, second_ciphertext, device, held, root) == VIDEO[::-1]
