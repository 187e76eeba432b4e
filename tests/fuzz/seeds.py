"""Real objects to start the fuzzers from: every seed is what an honest party would send.

Coverage-guided fuzzing finds deep paths only from valid inputs, so each target gets the
genuine article (a v1 and a v2 account, a paired device, a sealed clip, an export archive)
made once per process with the protocol package itself and the cheapest KDF section 4 allows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from e2ee_nvr_protocol import certs, endpoint, kdf, pairing, primitives
from e2ee_nvr_protocol.account import AccountDocument
from e2ee_nvr_protocol.account_build_v2 import create_account_v2
from e2ee_nvr_protocol.account_v2 import AccountDocumentV2
from e2ee_nvr_protocol.archive import AccountExport, write_archive
from e2ee_nvr_protocol.clip import (
    ClipEncryptor,
    ClipEvent,
    open_clip_key,
    pad_events,
    verify_clip_manifest,
)
from e2ee_nvr_protocol.encoding import dumps
from e2ee_nvr_protocol.envelope import MacedEnvelope
from e2ee_nvr_protocol.passphrase import generate_passphrase
from e2ee_nvr_protocol.recipients import VerifiedRecipientSet

NOW = 1_764_450_000
FAST = kdf.KdfParams.new_default(scrypt_n_log2=15, pbkdf2_iterations=10_000)
VIDEO = b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 40


@dataclass(frozen=True)
class World:
    """Everything the targets verify against, and the honest bytes they start from."""

    root_cert: x509.Certificate
    device_cert: x509.Certificate
    device_key: rsa.RSAPrivateKey
    held_set: VerifiedRecipientSet
    document_v1: AccountDocument
    document_v2: AccountDocumentV2
    pairing_code: str
    request_bytes: bytes
    request_payload: bytes
    request_expires_at: int
    grant_bytes: bytes
    clip_key: bytes
    clip_id: bytes
    manifest_bytes: bytes
    video_ciphertext: bytes
    events_plaintext: bytes
    archive_bytes: bytes


def _pair(document: AccountDocument, first: endpoint.Endpoint) -> dict[str, object]:
    device_key = primitives.rsa_generate()
    code = pairing.new_pairing_code()
    request_envelope, request = pairing.make_pairing_request(
        code, device_key, "fuzz box", [pairing.PairingCamera("front-door", "Front door")], NOW
    )
    opened = pairing.open_pairing_request(request_envelope, code, NOW)
    keys = endpoint.unlock_with_instance(document, first)
    held = endpoint.verify_current_set(document, first)
    grant, device_cert = pairing.make_pairing_grant(
        request_envelope, opened, code, first.root_cert, keys.signing,
        document.recipient_set, held.data_key_id,
    )  # fmt: skip
    return {
        "device_key": device_key, "device_cert": device_cert, "held": held, "code": code,
        "request": request_envelope, "expires_at": request.expires_at, "grant": grant,
    }  # fmt: skip


@cache
def world() -> World:
    """Built once per process (a few seconds: four RSA keys and two fast KDF runs)."""
    passphrase = generate_passphrase()
    document, first = endpoint.create_account(passphrase, kdf_params=(FAST, FAST))
    document_v2, _owner = create_account_v2(generate_passphrase(), pdk_params=FAST)
    paired = _pair(document, first)
    held = paired["held"]
    device_key = paired["device_key"]
    assert isinstance(held, VerifiedRecipientSet) and isinstance(device_key, rsa.RSAPrivateKey)
    encryptor = ClipEncryptor(
        recipient_set=held, device_id=key_id_of(device_key), camera_id="front-door",
        start_ms=NOW * 1000, chunk_size=1 << 10,
    )  # fmt: skip
    video = encryptor.update(VIDEO) + encryptor.finish_video()
    clip_events = [ClipEvent("motion", NOW * 1000, NOW * 1000 + 500, "onvif")]
    encryptor.encrypt_events(clip_events)
    manifest = encryptor.seal(device_key, end_ms=NOW * 1000 + 1000, codecs="avc1.64001f")
    device_cert = paired["device_cert"]
    assert isinstance(device_cert, x509.Certificate)
    verified = verify_clip_manifest(manifest, device_cert, first.root_cert)
    clip_key = open_clip_key(verified, [first.instance_key])
    request, grant = paired["request"], paired["grant"]
    assert isinstance(request, MacedEnvelope) and isinstance(grant, MacedEnvelope)
    archive = io.BytesIO()
    write_archive(archive, AccountExport(document, (certs.cert_der(device_cert),)), [])
    return World(
        root_cert=first.root_cert, device_cert=device_cert, device_key=device_key,
        held_set=held, document_v1=document, document_v2=document_v2,
        pairing_code=str(paired["code"]), request_bytes=dumps(request.to_json()),
        request_payload=request.payload, request_expires_at=int(str(paired["expires_at"])),
        grant_bytes=dumps(grant.to_json()), clip_key=clip_key,
        clip_id=encryptor.clip_id_bytes, manifest_bytes=dumps(manifest.to_json()),
        video_ciphertext=video, events_plaintext=pad_events(clip_events),
        archive_bytes=archive.getvalue(),
    )  # fmt: skip


def key_id_of(key: rsa.RSAPrivateKey) -> str:
    from e2ee_nvr_protocol.identifiers import key_id

    return key_id(key.public_key())
