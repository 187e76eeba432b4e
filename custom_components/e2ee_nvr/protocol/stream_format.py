"""The `aes128gcm-stream` format: content keys, header, sizes and single chunks (section 9)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from . import primitives
from .errors import ChunkAuthFailed, HeaderMismatch, MalformedObject, UnsupportedVersion

MAGIC = b"E2EENVR1"
HEADER_BYTES = 32
SUITE_AES128GCM_STREAM = 1
CLIP_KEY_BYTES = 16
CONTENT_KEY_BYTES = 16
CLIP_ID_BYTES = 16
TAG_BYTES = primitives.GCM_TAG_BYTES
MIN_CHUNK_SIZE = 1 << 6
MAX_CHUNK_SIZE = 1 << 24
DEFAULT_CHUNK_SIZE = 1 << 18
# n < 2^32: the counter fits the nonce many times over, but a bound keeps both ends in agreement.
MAX_CHUNK_COUNT = (1 << 32) - 1
_CONTENT_KEY_INFO = b"e2ee-nvr/v1/clip/"
_COUNTER_BYTES = 11


class ContentKind(enum.Enum):
    """The three streams of one clip; each gets its own key and its own header code."""

    VIDEO = "video"
    THUMBNAIL = "thumbnail"
    EVENTS = "events"

    @property
    def code(self) -> int:
        return _KIND_CODES[self]

    @classmethod
    def from_code(cls, code: int) -> ContentKind:
        for kind, kind_code in _KIND_CODES.items():
            if kind_code == code:
                return kind
        raise MalformedObject(f"stream header: unknown kind {code}")


_KIND_CODES = {ContentKind.VIDEO: 1, ContentKind.THUMBNAIL: 2, ContentKind.EVENTS: 3}


def content_key(clip_key: bytes, clip_id: bytes, kind: ContentKind) -> bytes:
    """HKDF the per-kind AES-128 key from the clip key, so no two streams share (key, nonce)."""
    if len(clip_key) != CLIP_KEY_BYTES or len(clip_id) != CLIP_ID_BYTES:
        raise ValueError("clip key and clip id must be 16 bytes each")
    info = _CONTENT_KEY_INFO + kind.value.encode("ascii")
    return primitives.hkdf_sha256(clip_key, salt=clip_id, info=info, length=CONTENT_KEY_BYTES)


def is_valid_chunk_size(chunk_size: int) -> bool:
    """A power of two from 2^6 to 2^24."""
    power_of_two = chunk_size > 0 and chunk_size & (chunk_size - 1) == 0
    return power_of_two and MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE


def chunk_count_for(plaintext_size: int, chunk_size: int) -> int:
    """n = max(1, ceil(P / chunk_size)): an empty plaintext is still one (empty, last) chunk."""
    return max(1, -(-plaintext_size // chunk_size))


def ciphertext_size_for(plaintext_size: int, chunk_size: int) -> int:
    """32 + P + 16n, the length of the whole object."""
    return HEADER_BYTES + plaintext_size + TAG_BYTES * chunk_count_for(plaintext_size, chunk_size)


def chunk_nonce(index: int, *, last: bool) -> bytes:
    # age's STREAM nonce: an 88-bit counter stops reordering, the final byte marks the last
    # chunk so a stream cut at a chunk boundary cannot pass as complete.
    return index.to_bytes(_COUNTER_BYTES, "big") + (b"\x01" if last else b"\x00")


@dataclass(frozen=True)
class StreamHeader:
    """The 32-byte header; its exact bytes are every chunk's associated data."""

    kind: ContentKind
    chunk_size: int
    clip_id: bytes

    def __post_init__(self) -> None:
        if not is_valid_chunk_size(self.chunk_size) or len(self.clip_id) != CLIP_ID_BYTES:
            raise ValueError("chunk size must be a power of two in [2^6, 2^24], clip id 16 bytes")

    def encode(self) -> bytes:
        return b"".join(
            (
                MAGIC,
                bytes((self.kind.code, SUITE_AES128GCM_STREAM, 0, 0)),
                self.chunk_size.to_bytes(4, "big"),
                self.clip_id,
            )
        )

    @classmethod
    def parse(cls, raw: bytes) -> StreamHeader:
        """Parse and validate header bytes; encode() of the result gives back the same bytes."""
        if len(raw) != HEADER_BYTES or raw[:8] != MAGIC:
            raise MalformedObject("stream header: wrong length or magic")
        if raw[9] != SUITE_AES128GCM_STREAM:
            raise UnsupportedVersion(f"stream header: suite {raw[9]}")
        if raw[10:12] != b"\x00\x00":
            raise MalformedObject("stream header: reserved bytes are not zero")
        kind = ContentKind.from_code(raw[8])
        chunk_size = int.from_bytes(raw[12:16], "big")
        if not is_valid_chunk_size(chunk_size):
            raise MalformedObject(f"stream header: chunk size {chunk_size} out of range")
        return cls(kind=kind, chunk_size=chunk_size, clip_id=bytes(raw[16:32]))


def check_header(
    header: StreamHeader, *, clip_id: bytes, kind: ContentKind, chunk_size: int | None = None
) -> None:
    """Refuse a header that names another clip, kind or chunk size than the reader expects.

    The reader derives its key from what it expects (the verified manifest), never from the
    header, so a store that serves a clip's thumbnail in place of its video is refused here
    by name rather than decrypted as video.
    """
    if header.clip_id != clip_id or header.kind is not kind:
        raise HeaderMismatch("stream header names another clip or content kind")
    if chunk_size is not None and header.chunk_size != chunk_size:
        raise HeaderMismatch(f"stream header chunk size {header.chunk_size}, expected {chunk_size}")


@dataclass(frozen=True)
class StreamSummary:
    """What the manifest records about one stream object (section 10 blob fields)."""

    chunk_size: int
    chunk_count: int
    plaintext_size: int
    ciphertext_size: int
    ciphertext_sha256: bytes


class StreamCounters:
    """Running sizes of the whole object as it passes, header included.

    The SHA-256 of the same bytes is kept by the stream itself (one update per block it
    emits or receives, so the hash can overlap the cipher) and passed to `summary`.
    """

    __slots__ = ("chunk_count", "chunk_size", "ciphertext_size", "plaintext_size")

    def __init__(self, chunk_size: int) -> None:
        self.chunk_size = chunk_size
        self.chunk_count = 0
        self.plaintext_size = 0
        self.ciphertext_size = 0

    def add_header(self, header_length: int) -> None:
        self.ciphertext_size += header_length

    def add_chunk(self, plaintext_length: int, ciphertext_length: int) -> None:
        self.chunk_count += 1
        self.plaintext_size += plaintext_length
        self.ciphertext_size += ciphertext_length

    def summary(self, ciphertext_sha256: bytes) -> StreamSummary:
        return StreamSummary(
            chunk_size=self.chunk_size,
            chunk_count=self.chunk_count,
            plaintext_size=self.plaintext_size,
            ciphertext_size=self.ciphertext_size,
            ciphertext_sha256=ciphertext_sha256,
        )


def open_chunk(key: bytes, header_bytes: bytes, index: int, ciphertext: bytes, last: bool) -> bytes:
    try:
        return primitives.aes_gcm_decrypt(
            key, chunk_nonce(index, last=last), ciphertext, header_bytes
        )
    except primitives.PrimitiveFailure as err:
        raise ChunkAuthFailed(f"chunk {index} does not authenticate") from err


def chunk_range(
    index: int, chunk_size: int, chunk_count: int, ciphertext_size: int
) -> tuple[int, int]:
    """Byte range [start, end) of chunk `index` in an object described by a manifest."""
    if not 0 < chunk_count <= MAX_CHUNK_COUNT or not is_valid_chunk_size(chunk_size):
        raise MalformedObject("chunk count or chunk size out of range")
    unit = chunk_size + TAG_BYTES
    # The last chunk holds 1..chunk_size bytes (0 only when it is the only chunk).
    smallest_last = TAG_BYTES if chunk_count == 1 else TAG_BYTES + 1
    low = HEADER_BYTES + (chunk_count - 1) * unit + smallest_last
    if not low <= ciphertext_size <= HEADER_BYTES + chunk_count * unit:
        raise MalformedObject("ciphertext size does not fit chunk count and chunk size")
    if not 0 <= index < chunk_count:
        raise ValueError(f"chunk index {index} outside [0, {chunk_count})")
    start = HEADER_BYTES + index * unit
    return start, min(start + unit, ciphertext_size)


def decrypt_chunk(
    clip_key: bytes,
    header_bytes: bytes,
    index: int,
    chunk_ciphertext: bytes,
    chunk_count: int,
    *,
    clip_id: bytes,
    kind: ContentKind,
) -> bytes:
    """Open one chunk for a range read; chunk_count (from the manifest) sets the last flag."""
    header = StreamHeader.parse(header_bytes)
    check_header(header, clip_id=clip_id, kind=kind)
    if not 0 <= index < chunk_count <= MAX_CHUNK_COUNT:
        raise ValueError(f"chunk index {index} outside [0, {chunk_count})")
    last = index == chunk_count - 1
    key = content_key(clip_key, clip_id, kind)
    plaintext = open_chunk(key, header_bytes, index, chunk_ciphertext, last)
    # Only a holder of the clip key can make these, but a reader still refuses the shapes
    # section 9.2 rules out rather than trust their length.
    if not last and len(plaintext) != header.chunk_size:
        raise MalformedObject(f"chunk {index} is not a full chunk")
    if last and index > 0 and not plaintext:
        raise MalformedObject("empty last chunk in a stream of several chunks")
    return plaintext
