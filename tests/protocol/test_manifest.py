"""Tests of the signed clip manifest (protocol section 10) and its link to the streams."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from e2ee_nvr_protocol import envelope, primitives
from e2ee_nvr_protocol.encoding import dumps
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.errors import (
    BadSignature,
    HeaderMismatch,
    MalformedObject,
    UnsupportedVersion,
)
from e2ee_nvr_protocol.identifiers import key_id, new_clip_id
from e2ee_nvr_protocol.manifest import (
    BlobRef,
    ClipManifest,
    build_manifest,
    check_stream_against_manifest,
    parse_manifest,
    sign_manifest,
    verify_manifest,
)
from e2ee_nvr_protocol.stream import ContentKind, StreamDecryptor, StreamEncryptor
from e2ee_nvr_protocol.wrap import (
    WrappedKey,
    WrapPurpose,
    unwrap,
    wrap_context,
    wrap_for,
)

ACCOUNT_ID = "ab" * 16


@dataclasses.dataclass(frozen=True)
class Clip:
    clip_id: str
    clip_key: bytes
    video: bytes
    thumbnail: bytes
    payload: dict[str, Any]


@pytest.fixture(scope="module")
def device_key() -> rsa.RSAPrivateKey:
    return primitives.rsa_generate()


@pytest.fixture(scope="module")
def data_key() -> rsa.RSAPrivateKey:
    return primitives.rsa_generate()


def _encrypt(
    clip_key: bytes, clip_id: str, kind: ContentKind, plaintext: bytes
) -> tuple[bytes, BlobRef]:
    encryptor = StreamEncryptor(clip_key, bytes.fromhex(clip_id), kind, chunk_size=1024)
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    mime = {ContentKind.VIDEO: "video/mp4", ContentKind.THUMBNAIL: "image/jpeg"}[kind]
    codecs = "avc1.64001f,mp4a.40.2" if kind is ContentKind.VIDEO else None
    return ciphertext, BlobRef(mime, encryptor.summary, codecs)


@pytest.fixture(scope="module")
def clip(device_key: rsa.RSAPrivateKey, data_key: rsa.RSAPrivateKey) -> Clip:
    clip_id = new_clip_id()
    clip_key = os.urandom(16)
    video, video_ref = _encrypt(clip_key, clip_id, ContentKind.VIDEO, os.urandom(5000))
    thumbnail, thumbnail_ref = _encrypt(clip_key, clip_id, ContentKind.THUMBNAIL, b"\xff\xd8jpeg")
    context = wrap_context(WrapPurpose.CLIP_KEY, bytes.fromhex(clip_id))
    instance_key = primitives.p256_generate()
    wraps = [
        wrap_for(data_key.public_key(), clip_key, context),
        wrap_for(instance_key.public_key(), clip_key, context),
    ]
    payload = build_manifest(
        clip_id=clip_id,
        account_id=ACCOUNT_ID,
        device_id=key_id(device_key.public_key()),
        camera_id="front-door",
        start_ms=1764450000000,
        end_ms=1764450030000,
        recipient_epoch=7,
        visible_events=["motion"],
        video=video_ref,
        thumbnail=thumbnail_ref,
        events=None,
        wrapped_keys=wraps,
    )
    return Clip(clip_id, clip_key, video, thumbnail, payload)


def _verify(signed: SignedEnvelope, device_key: rsa.RSAPrivateKey) -> ClipManifest:
    return verify_manifest(
        signed,
        device_key.public_key(),
        account_id=ACCOUNT_ID,
        device_id=key_id(device_key.public_key()),
    )


def test_sign_verify_round_trip_and_read_the_clip(
    clip: Clip, device_key: rsa.RSAPrivateKey, data_key: rsa.RSAPrivateKey
) -> None:
    signed = sign_manifest(clip.payload, device_key)
    # Travel as JSON, as the store relays it.
    signed = SignedEnvelope.from_json(json.loads(json.dumps(signed.to_json())))
    manifest = _verify(signed, device_key)
    assert manifest.clip_id == clip.clip_id
    assert manifest.camera_id == "front-door"
    assert manifest.visible_events == ("motion",)
    assert manifest.events is None
    assert manifest.video.codecs == "avc1.64001f,mp4a.40.2"
    assert len(manifest.wrapped_keys) == 2

    context = wrap_context(WrapPurpose.CLIP_KEY, manifest.clip_id_bytes)
    data_wrap = next(w for w in manifest.wrapped_keys if w.key_id == key_id(data_key.public_key()))
    clip_key = unwrap(data_key, data_wrap, context, WrapPurpose.CLIP_KEY)
    header = check_stream_against_manifest(
        clip.video[:32], manifest.video, manifest.clip_id, ContentKind.VIDEO
    )
    assert header.chunk_size == 1024
    decryptor = StreamDecryptor(
        clip_key, manifest.clip_id_bytes, ContentKind.VIDEO, expected=manifest.video.stream
    )
    assert len(decryptor.update(clip.video) + decryptor.finalize()) == 5000


def test_manifest_signed_by_another_device_is_refused(
    clip: Clip, device_key: rsa.RSAPrivateKey
) -> None:
    other_device = primitives.rsa_generate()
    forged = sign_manifest(clip.payload, other_device)
    with pytest.raises(BadSignature):
        _verify(forged, device_key)
    # Even relabelled with the expected signer, the signature does not verify.
    relabelled = dataclasses.replace(forged, signer=key_id(device_key.public_key()))
    with pytest.raises(BadSignature):
        _verify(relabelled, device_key)


def test_tampered_payload_is_refused(clip: Clip, device_key: rsa.RSAPrivateKey) -> None:
    signed = sign_manifest(clip.payload, device_key)
    tampered = signed.payload.replace(b'"front-door"', b'"back-door!"')
    assert tampered != signed.payload
    with pytest.raises(BadSignature):
        _verify(dataclasses.replace(signed, payload=tampered), device_key)


def test_signature_for_another_type_is_refused(clip: Clip, device_key: rsa.RSAPrivateKey) -> None:
    raw = dumps(clip.payload)
    signature = primitives.rsa_pss_sign(device_key, envelope.label_bytes("recipient-set") + raw)
    signed = SignedEnvelope(raw, signature, key_id(device_key.public_key()))
    with pytest.raises(BadSignature):
        _verify(signed, device_key)


def test_wrong_account_or_device_is_refused(clip: Clip, device_key: rsa.RSAPrivateKey) -> None:
    signed = sign_manifest(clip.payload, device_key)
    public = device_key.public_key()
    with pytest.raises(BadSignature):
        verify_manifest(signed, public, account_id="cd" * 16, device_id=key_id(public))
    with pytest.raises(BadSignature):
        verify_manifest(signed, public, account_id=ACCOUNT_ID, device_id="cd" * 16)
    claims_other_device = dict(clip.payload, device_id="cd" * 16)
    signed = envelope.sign("clip-manifest", claims_other_device, device_key)
    with pytest.raises(BadSignature):
        _verify(signed, device_key)


def _mutate(payload: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> bytes:
    copy = json.loads(json.dumps(payload))
    change(copy)
    return dumps(copy)


def _set_video(field: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda document: document["video"].__setitem__(field, value)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.__setitem__("extra", 1),
        lambda d: d["video"].__setitem__("extra", 1),
        lambda d: d.pop("recipient_epoch"),
        lambda d: d.__setitem__("type", "recipient-set"),
        lambda d: d.__setitem__("camera_id", "Front Door"),
        lambda d: d.__setitem__("camera_id", "x" * 33),
        lambda d: d.__setitem__("clip_id", "AB" * 16),
        lambda d: d.__setitem__("recipient_epoch", 0),
        lambda d: d.__setitem__("end_ms", d["start_ms"] - 1),
        lambda d: d.__setitem__("visible_events", ["Motion"]),
        lambda d: d.__setitem__("visible_events", ["x" * 33]),
        lambda d: d.__setitem__("visible_events", [f"e_{chr(97 + i)}" for i in range(17)]),
        lambda d: d.__setitem__("visible_events", ["motion", "motion"]),
        lambda d: d.__setitem__("visible_events", [1]),
        lambda d: d.__setitem__("wrapped_keys", []),
        lambda d: d["wrapped_keys"].append(d["wrapped_keys"][0]),
        lambda d: d["wrapped_keys"][1].pop("epk"),
        _set_video("ciphertext_size", 1),
        _set_video("plaintext_size", 4999),
        _set_video("chunk_count", 6),
        _set_video("chunk_size", 1000),
        _set_video("chunk_size", 1 << 25),
        _set_video("codecs", "x" * 129),
        _set_video("codecs", 'avc1"; evil'),
        _set_video("codecs", ""),
        _set_video("mime", "text/html"),
        _set_video("ciphertext_sha256", "AAAA"),
        lambda d: d["thumbnail"].__setitem__("codecs", "avc1"),
        lambda d: d["thumbnail"].__setitem__("mime", "video/mp4"),
        lambda d: d.__setitem__("events", d["thumbnail"]),
    ],
)
def test_malformed_manifests_are_refused(
    clip: Clip, change: Callable[[dict[str, Any]], None]
) -> None:
    parse_manifest(dumps(clip.payload))  # the unchanged payload parses
    with pytest.raises(MalformedObject):
        parse_manifest(_mutate(clip.payload, change))


def test_other_version_and_algorithm_are_unsupported(clip: Clip) -> None:
    with pytest.raises(UnsupportedVersion):
        parse_manifest(_mutate(clip.payload, lambda d: d.__setitem__("v", 2)))
    with pytest.raises(UnsupportedVersion):
        parse_manifest(
            _mutate(clip.payload, lambda d: d["wrapped_keys"][0].__setitem__("alg", "rsa-v15"))
        )


def test_builder_refuses_what_a_verifier_would(clip: Clip) -> None:
    manifest = parse_manifest(dumps(clip.payload))
    bad_stream = dataclasses.replace(manifest.video.stream, chunk_count=99)
    bad_video = dataclasses.replace(manifest.video, stream=bad_stream)
    with pytest.raises(MalformedObject):
        build_manifest(
            clip_id=manifest.clip_id,
            account_id=ACCOUNT_ID,
            device_id=manifest.device_id,
            camera_id="cam",
            start_ms=0,
            end_ms=0,
            recipient_epoch=1,
            visible_events=[],
            video=bad_video,
            thumbnail=None,
            events=None,
            wrapped_keys=list(manifest.wrapped_keys),
        )


def test_header_disagreeing_with_manifest_is_header_mismatch(clip: Clip) -> None:
    manifest = parse_manifest(dumps(clip.payload))
    video_header, thumbnail_header = clip.video[:32], clip.thumbnail[:32]
    check_stream_against_manifest(
        thumbnail_header, manifest.thumbnail or manifest.video, clip.clip_id, ContentKind.THUMBNAIL
    )
    with pytest.raises(HeaderMismatch):  # the thumbnail served as the video
        check_stream_against_manifest(
            thumbnail_header, manifest.video, clip.clip_id, ContentKind.VIDEO
        )
    with pytest.raises(HeaderMismatch):  # another clip's stream
        check_stream_against_manifest(video_header, manifest.video, "00" * 16, ContentKind.VIDEO)
    with pytest.raises(HeaderMismatch):  # another chunk size
        check_stream_against_manifest(
            video_header,
            dataclasses.replace(
                manifest.video, stream=dataclasses.replace(manifest.video.stream, chunk_size=2048)
            ),
            clip.clip_id,
            ContentKind.VIDEO,
        )
    with pytest.raises(HeaderMismatch):  # the video entry used for the thumbnail kind
        check_stream_against_manifest(
            video_header, manifest.video, clip.clip_id, ContentKind.THUMBNAIL
        )
    with pytest.raises(MalformedObject):
        check_stream_against_manifest(b"X" * 32, manifest.video, clip.clip_id, ContentKind.VIDEO)


def test_wrapped_keys_survive_the_manifest(clip: Clip) -> None:
    manifest = parse_manifest(dumps(clip.payload))
    for wrapped in manifest.wrapped_keys:
        assert isinstance(wrapped, WrappedKey)
        assert WrappedKey.from_json(wrapped.to_json()) == wrapped
