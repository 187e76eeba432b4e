"""The clip manifest a device signs for every clip, and its checks (protocol section 10)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from . import envelope, primitives
from .encoding import Fields, b64encode, dumps
from .envelope import SignedEnvelope
from .errors import BadSignature, HeaderMismatch, MalformedObject, UntrustedKey
from .identifiers import CAMERA_ID_RE, CLIP_ID_BYTES, KEY_ID_BYTES, key_id
from .stream_format import (
    MAX_CHUNK_COUNT,
    ContentKind,
    StreamHeader,
    StreamSummary,
    check_header,
    chunk_count_for,
    ciphertext_size_for,
    is_valid_chunk_size,
)
from .wrap import WrapAlg, WrappedKey, WrapPurpose

MANIFEST_TYPE = "clip-manifest"
# One fixed MIME type per kind: the endpoint hands `mime; codecs=...` to Media Source
# Extensions, so the store-visible but device-signed strings are kept to known values.
MIME_BY_KIND = {
    ContentKind.VIDEO: "video/mp4",
    ContentKind.THUMBNAIL: "image/jpeg",
    ContentKind.EVENTS: "application/json",
}
# RFC 6381 codec ids (avc1.64001f, hvc1.1.6.L93.B0, mp4a.40.2, ec-3), comma-separated. No
# quotes, spaces or semicolons, so the string cannot break out of a MIME type parameter.
CODECS_RE = re.compile(r"[A-Za-z0-9.-]+(?:,[A-Za-z0-9.-]+)*")
MAX_CODECS_CHARS = 128
EVENT_KIND_RE = re.compile(r"[a-z_]{1,32}")
MAX_VISIBLE_EVENTS = 16
# A recipient set has at most 64 entries, and the manifest holds one wrap per recipient.
MAX_WRAPPED_KEYS = 64
_ECIES_CLIP_KEY_CT_BYTES = WrapPurpose.CLIP_KEY.key_bytes + primitives.GCM_TAG_BYTES


@dataclass(frozen=True)
class BlobRef:
    """One stream object of a clip as the manifest describes it; `codecs` is video only.

    `stream` is what a StreamEncryptor reports and what a StreamDecryptor must find (pass it as
    its `expected`): the manifest adds only the MIME type and codecs to it.
    """

    mime: str
    stream: StreamSummary
    codecs: str | None = None

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "mime": self.mime,
            "chunk_size": self.stream.chunk_size,
            "chunk_count": self.stream.chunk_count,
            "plaintext_size": self.stream.plaintext_size,
            "ciphertext_size": self.stream.ciphertext_size,
            "ciphertext_sha256": b64encode(self.stream.ciphertext_sha256),
        }
        if self.codecs is not None:
            document["codecs"] = self.codecs
        return document


@dataclass(frozen=True)
class ClipManifest:
    """A parsed, consistent manifest. Identifiers are hex as in JSON; see clip_id_bytes."""

    clip_id: str
    account_id: str
    device_id: str
    camera_id: str
    start_ms: int
    end_ms: int
    recipient_epoch: int
    visible_events: tuple[str, ...]
    video: BlobRef
    thumbnail: BlobRef | None
    events: BlobRef | None
    wrapped_keys: tuple[WrappedKey, ...]

    @property
    def clip_id_bytes(self) -> bytes:
        """The raw clip id: the stream header field, HKDF salt and wrap context subject."""
        return bytes.fromhex(self.clip_id)

    def blob(self, kind: ContentKind) -> BlobRef | None:
        return {
            ContentKind.VIDEO: self.video,
            ContentKind.THUMBNAIL: self.thumbnail,
            ContentKind.EVENTS: self.events,
        }[kind]


def build_manifest(
    *,
    clip_id: str,
    account_id: str,
    device_id: str,
    camera_id: str,
    start_ms: int,
    end_ms: int,
    recipient_epoch: int,
    visible_events: Sequence[str],
    video: BlobRef,
    thumbnail: BlobRef | None,
    events: BlobRef | None,
    wrapped_keys: Sequence[WrappedKey],
) -> dict[str, Any]:
    """The manifest payload, checked by the same parser a verifier runs before it is signed.

    A device never signs what a verifier would refuse, so a producer bug surfaces as a
    MalformedObject here rather than as unplayable clips later.
    """
    payload: dict[str, Any] = {
        "v": envelope.PROTOCOL_VERSION,
        "type": MANIFEST_TYPE,
        "clip_id": clip_id,
        "account_id": account_id,
        "device_id": device_id,
        "camera_id": camera_id,
        "start_ms": start_ms,
        "end_ms": end_ms,
        "recipient_epoch": recipient_epoch,
        "visible_events": list(visible_events),
        "video": video.to_json(),
        "thumbnail": None if thumbnail is None else thumbnail.to_json(),
        "events": None if events is None else events.to_json(),
        "wrapped_keys": [wrapped.to_json() for wrapped in wrapped_keys],
    }
    parse_manifest(dumps(payload))
    return payload


def sign_manifest(payload: dict[str, Any], device_key: rsa.RSAPrivateKey) -> SignedEnvelope:
    """Sign under the clip-manifest label, so the signature passes for nothing else."""
    return envelope.sign(MANIFEST_TYPE, payload, device_key)


def _parse_blob(fields: Fields, kind: ContentKind) -> BlobRef:
    mime = fields.str("mime", max_len=64)
    if mime != MIME_BY_KIND[kind]:
        raise MalformedObject(f"manifest.{kind.value}.mime: expected {MIME_BY_KIND[kind]}")
    codecs = None
    if kind is ContentKind.VIDEO:
        codecs = fields.str("codecs", max_len=MAX_CODECS_CHARS, pattern=CODECS_RE)
    stream = StreamSummary(
        chunk_size=fields.int("chunk_size"),
        chunk_count=fields.int("chunk_count", minimum=1, maximum=MAX_CHUNK_COUNT),
        plaintext_size=fields.int("plaintext_size"),
        ciphertext_size=fields.int("ciphertext_size"),
        ciphertext_sha256=fields.bytes("ciphertext_sha256", length=32),
    )
    fields.done()
    # The sizes must be the ones section 9.2 gives, so that chunk ranges computed from the
    # manifest are the ranges the stream has, and the last flag lands on the last chunk.
    if not is_valid_chunk_size(stream.chunk_size):
        raise MalformedObject(f"manifest.{kind.value}.chunk_size out of range")
    if stream.chunk_count != chunk_count_for(stream.plaintext_size, stream.chunk_size):
        raise MalformedObject(f"manifest.{kind.value}.chunk_count disagrees with the sizes")
    if stream.ciphertext_size != ciphertext_size_for(stream.plaintext_size, stream.chunk_size):
        raise MalformedObject(f"manifest.{kind.value}.ciphertext_size disagrees with the sizes")
    return BlobRef(mime=mime, stream=stream, codecs=codecs)


def _parse_visible_events(raw: list[Any]) -> tuple[str, ...]:
    if not all(isinstance(kind, str) and EVENT_KIND_RE.fullmatch(kind) for kind in raw):
        raise MalformedObject("manifest.visible_events: each must match [a-z_]{1,32}")
    if len(set(raw)) != len(raw):
        raise MalformedObject("manifest.visible_events: duplicate entries")
    return tuple(raw)


def _parse_wrapped_keys(raw: list[Any]) -> tuple[WrappedKey, ...]:
    wrapped_keys = tuple(WrappedKey.from_json(item) for item in raw)
    if not wrapped_keys:
        # Every recipient set holds the data key, so a manifest without a wrap is unreadable.
        raise MalformedObject("manifest.wrapped_keys: empty")
    if len({wrapped.key_id for wrapped in wrapped_keys}) != len(wrapped_keys):
        raise MalformedObject("manifest.wrapped_keys: two wraps for one key_id")
    for wrapped in wrapped_keys:
        if wrapped.alg is WrapAlg.ECIES_P256 and len(wrapped.ct) != _ECIES_CLIP_KEY_CT_BYTES:
            raise MalformedObject("manifest.wrapped_keys: ECIES ct is not a wrapped clip key")
    return wrapped_keys


def parse_manifest(raw_payload: bytes) -> ClipManifest:
    """Parse payload bytes exhaustively (call only after the signature verified)."""
    fields = Fields(envelope.parse_payload(MANIFEST_TYPE, raw_payload), where="manifest")
    fields.int("v")
    fields.str("type")
    thumbnail_fields = fields.optional_obj("thumbnail")
    events_fields = fields.optional_obj("events")
    manifest = ClipManifest(
        clip_id=fields.hex("clip_id", length_bytes=CLIP_ID_BYTES),
        account_id=fields.hex("account_id", length_bytes=KEY_ID_BYTES),
        device_id=fields.hex("device_id", length_bytes=KEY_ID_BYTES),
        camera_id=fields.str("camera_id", max_len=32, pattern=CAMERA_ID_RE),
        start_ms=fields.int("start_ms"),
        end_ms=fields.int("end_ms"),
        recipient_epoch=fields.int("recipient_epoch", minimum=1),
        visible_events=_parse_visible_events(
            fields.list("visible_events", max_items=MAX_VISIBLE_EVENTS)
        ),
        video=_parse_blob(fields.obj("video"), ContentKind.VIDEO),
        thumbnail=None
        if thumbnail_fields is None
        else _parse_blob(thumbnail_fields, ContentKind.THUMBNAIL),
        events=None if events_fields is None else _parse_blob(events_fields, ContentKind.EVENTS),
        wrapped_keys=_parse_wrapped_keys(fields.list("wrapped_keys", max_items=MAX_WRAPPED_KEYS)),
    )
    fields.done()
    if manifest.end_ms < manifest.start_ms:
        raise MalformedObject("manifest: end_ms before start_ms")
    return manifest


def verify_manifest(
    signed: SignedEnvelope,
    device_public_key: rsa.RSAPublicKey,
    *,
    account_id: str,
    device_id: str,
) -> ClipManifest:
    """Verify the device's signature over the received bytes, then parse, then check ids.

    The caller passes the key of a device certificate it has checked against its pinned root
    (section 5). account_id is checked here, before the caller unwraps anything.
    """
    try:
        primitives.rsa_check_public(device_public_key)
    except primitives.PrimitiveFailure as err:
        raise UntrustedKey("device key outside suite 1") from err
    if key_id(device_public_key) != device_id:
        raise BadSignature("manifest: the key given is not the expected device's")
    envelope.verify(MANIFEST_TYPE, signed, device_public_key)
    manifest = parse_manifest(signed.payload)
    # Refused as BadSignature: a valid signature by this device over another account's or
    # device's claims is not a signature on this clip for this account.
    if manifest.device_id != device_id or signed.signer != device_id:
        raise BadSignature("manifest: device_id differs from the signing device")
    if manifest.account_id != account_id:
        raise BadSignature("manifest: account_id differs from the pinned account")
    return manifest


def check_stream_against_manifest(
    header_bytes: bytes, blob_ref: BlobRef, clip_id: str, kind: ContentKind
) -> StreamHeader:
    """Refuse a stream header that disagrees with the manifest entry for its kind.

    The store runs this on upload, before it stores anything; a reader runs it before a range
    read. A header that does not parse is MalformedObject or UnsupportedVersion.
    """
    header = StreamHeader.parse(header_bytes)
    if blob_ref.mime != MIME_BY_KIND[kind]:
        raise HeaderMismatch(f"manifest entry is not a {kind.value} entry")
    check_header(
        header, clip_id=bytes.fromhex(clip_id), kind=kind, chunk_size=blob_ref.stream.chunk_size
    )
    return header
