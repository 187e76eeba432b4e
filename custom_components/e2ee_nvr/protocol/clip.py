"""A whole clip: the device seals video, thumbnail and events; an endpoint opens them.

This joins the stream format (section 9), wrapping (section 7) and the manifest (section 10).
The clip key lives only inside a ClipEncryptor until `seal` wraps it to the recipient set the
clip started under; after that the device cannot read its own clip.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from . import certs
from .encoding import Fields, dumps, loads
from .envelope import PROTOCOL_VERSION, SignedEnvelope
from .errors import MalformedObject
from .identifiers import key_id, new_clip_id
from .manifest import (
    EVENT_KIND_RE,
    MIME_BY_KIND,
    BlobRef,
    ClipManifest,
    build_manifest,
    sign_manifest,
)
from .manifest import verify_manifest as _verify_manifest
from .recipients import VerifiedRecipientSet
from .stream import StreamDecryptor, StreamEncryptor
from .stream_format import CLIP_KEY_BYTES, DEFAULT_CHUNK_SIZE, ContentKind
from .wrap import WrapPurpose, unwrap_any, wrap_context

EVENTS_TYPE = "clip-events"
MAX_EVENTS = 256
# Section 9.3: padded event details hide the count and the names' lengths from the store.
EVENT_BUCKETS = (256, 1024, 4096, 16384)
EVENTS_LENGTH_BYTES = 4


@dataclass(frozen=True)
class ClipEvent:
    """One detection inside a clip (section 9.3); kept encrypted under the clip key."""

    kind: str
    start_ms: int
    end_ms: int | None
    source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "source": self.source,
        }


def encode_events(events: Sequence[ClipEvent]) -> bytes:
    """The unpadded clip-events JSON (what v1 agents wrote; the J of the padded form)."""
    return dumps(
        {"v": PROTOCOL_VERSION, "type": EVENTS_TYPE, "events": [e.to_json() for e in events]}
    )


def pad_events(events: Sequence[ClipEvent]) -> bytes:
    """Section 9.3: u32(L) || J || zeros up to the smallest bucket; drop events that overflow."""
    kept = list(events[:MAX_EVENTS])
    while True:
        document = encode_events(kept)
        need = EVENTS_LENGTH_BYTES + len(document)
        bucket = next((b for b in EVENT_BUCKETS if b >= need), None)
        if bucket is not None:
            return (
                len(document).to_bytes(EVENTS_LENGTH_BYTES, "big") + document + bytes(bucket - need)
            )
        kept.pop()


def decode_events(plaintext: bytes) -> tuple[ClipEvent, ...]:
    """Padded event details (v2 agents) or, starting with `{`, a v1 agent's unpadded JSON."""
    if plaintext[:1] == b"{":
        return _decode_events_json(plaintext)
    if len(plaintext) not in EVENT_BUCKETS:
        raise MalformedObject(f"{EVENTS_TYPE}: padded size {len(plaintext)} is not a bucket")
    length = int.from_bytes(plaintext[:EVENTS_LENGTH_BYTES], "big")
    end = EVENTS_LENGTH_BYTES + length
    if end > len(plaintext):
        raise MalformedObject(f"{EVENTS_TYPE}: length prefix exceeds the bucket")
    # Non-zero padding would be a side channel the producer controls: refuse it.
    if any(plaintext[end:]):
        raise MalformedObject(f"{EVENTS_TYPE}: non-zero padding")
    return _decode_events_json(plaintext[EVENTS_LENGTH_BYTES:end])


def _decode_events_json(plaintext: bytes) -> tuple[ClipEvent, ...]:
    fields = Fields(loads(plaintext), where=EVENTS_TYPE)
    fields.version_and_type(EVENTS_TYPE, PROTOCOL_VERSION)
    events = []
    for item in fields.list("events", max_items=MAX_EVENTS):
        entry = Fields(item, where="event")
        end_raw = entry.raw("end_ms")
        events.append(
            ClipEvent(
                kind=entry.str("kind", max_len=32, pattern=EVENT_KIND_RE),
                start_ms=entry.int("start_ms"),
                end_ms=None if end_raw is None else entry.int("end_ms"),
                source=entry.str("source", max_len=64),
            )
        )
        entry.done()
    fields.done()
    return tuple(events)


class ClipEncryptor:
    """Device side: encrypt one clip's video as it arrives, then seal it with a manifest."""

    def __init__(
        self,
        *,
        recipient_set: VerifiedRecipientSet,
        device_id: str,
        camera_id: str,
        start_ms: int,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        self.clip_id = new_clip_id()
        self.camera_id = camera_id
        self.start_ms = start_ms
        # The set is fixed when the clip starts (section 6): a revocation mid-clip applies from
        # the next clip, and the manifest names exactly which epoch this one went to.
        self._recipient_set = recipient_set
        self._device_id = device_id
        self._clip_key: bytes | None = secrets.token_bytes(CLIP_KEY_BYTES)
        self._video = StreamEncryptor(
            self._key(), self.clip_id_bytes, ContentKind.VIDEO, chunk_size
        )
        self._thumbnail: BlobRef | None = None
        self._events: BlobRef | None = None

    @property
    def clip_id_bytes(self) -> bytes:
        return bytes.fromhex(self.clip_id)

    @property
    def video_plaintext_size(self) -> int:
        return self._video.plaintext_size

    def _key(self) -> bytes:
        if self._clip_key is None:
            raise RuntimeError("clip already sealed: its key is gone")
        return self._clip_key

    def update(self, data: bytes | bytearray | memoryview) -> bytes:
        """Video plaintext in, ciphertext out (may be empty until a chunk fills)."""
        return self._video.update(data)

    def finish_video(self) -> bytes:
        return self._video.finalize()

    def _encrypt_small(self, kind: ContentKind, plaintext: bytes) -> tuple[bytes, BlobRef]:
        encryptor = StreamEncryptor(self._key(), self.clip_id_bytes, kind)
        ciphertext = encryptor.update(plaintext) + encryptor.finalize()
        return ciphertext, BlobRef(MIME_BY_KIND[kind], encryptor.summary)

    def encrypt_thumbnail(self, jpeg: bytes) -> bytes:
        ciphertext, self._thumbnail = self._encrypt_small(ContentKind.THUMBNAIL, jpeg)
        return ciphertext

    def encrypt_events(self, events: Sequence[ClipEvent]) -> bytes:
        ciphertext, self._events = self._encrypt_small(ContentKind.EVENTS, pad_events(events))
        return ciphertext

    def seal(
        self,
        device_key: rsa.RSAPrivateKey,
        *,
        end_ms: int,
        codecs: str,
        visible_events: Sequence[str] = (),
    ) -> SignedEnvelope:
        """Wrap the clip key to every recipient, sign the manifest, and forget the key."""
        if key_id(device_key.public_key()) != self._device_id:
            raise ValueError("seal with the device key the clip was started for")
        context = wrap_context(WrapPurpose.CLIP_KEY, self.clip_id_bytes)
        # Section 6.4: only recipients scoped to this camera (a v1 set scopes everyone to "*").
        wrapped = self._recipient_set.wrap_for_camera(
            f"{self._device_id}/{self.camera_id}", self._key(), context
        )
        payload = build_manifest(
            clip_id=self.clip_id,
            account_id=self._recipient_set.recipient_set.account_id,
            device_id=self._device_id,
            camera_id=self.camera_id,
            start_ms=self.start_ms,
            end_ms=end_ms,
            recipient_epoch=self._recipient_set.epoch,
            visible_events=visible_events,
            video=BlobRef(MIME_BY_KIND[ContentKind.VIDEO], self._video.summary, codecs),
            thumbnail=self._thumbnail,
            events=self._events,
            wrapped_keys=wrapped,
        )
        signed = sign_manifest(payload, device_key)
        self._clip_key = None
        return signed


def verify_clip_manifest(
    signed: SignedEnvelope, device_cert: x509.Certificate, root_cert: x509.Certificate
) -> ClipManifest:
    """Endpoint and store: the device certificate must chain to the pinned root (section 10)."""
    device_public = certs.verify_issued(device_cert, root_cert, certs.Role.device)
    if not isinstance(device_public, rsa.RSAPublicKey):
        raise MalformedObject("device certificate does not carry an RSA key")
    account_id = key_id(certs.verify_root(root_cert))
    return _verify_manifest(
        signed, device_public, account_id=account_id, device_id=key_id(device_public)
    )


def open_clip_key(manifest: ClipManifest, held_keys: Sequence[Any]) -> bytes:
    """Unwrap the clip key with any held key (instance key, or the account data key)."""
    context = wrap_context(WrapPurpose.CLIP_KEY, manifest.clip_id_bytes)
    return unwrap_any(held_keys, manifest.wrapped_keys, context, WrapPurpose.CLIP_KEY)


def decryptor_for(manifest: ClipManifest, clip_key: bytes, kind: ContentKind) -> StreamDecryptor:
    """A streaming decryptor that also checks sizes and hash against the manifest."""
    blob = manifest.blob(kind)
    if blob is None:
        raise MalformedObject(f"clip has no {kind.value} stream")
    return StreamDecryptor(clip_key, manifest.clip_id_bytes, kind, expected=blob.stream)


def decrypt_blob(
    manifest: ClipManifest, clip_key: bytes, kind: ContentKind, ciphertext: bytes
) -> bytes:
    """Decrypt a whole small object (thumbnail, events) held in memory."""
    decryptor = decryptor_for(manifest, clip_key, kind)
    return decryptor.update(ciphertext) + decryptor.finalize()
