"""Streaming encryption and decryption of clip content in bounded memory (section 9.2).

The format itself (keys, header, sizes, one chunk) is in stream_format; this module holds the
push-style writer and reader and their file helpers, and re-exports the format's names so
callers import one module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from . import primitives
from .errors import (
    ChunkAuthFailed,
    HeaderMismatch,
    MalformedObject,
    ProtocolError,
    TrailingData,
    Truncated,
)
from .overlapped_hash import OverlappedSha256
from .stream_format import (
    CLIP_ID_BYTES,
    CLIP_KEY_BYTES,
    DEFAULT_CHUNK_SIZE,
    HEADER_BYTES,
    MAX_CHUNK_COUNT,
    MAX_CHUNK_SIZE,
    MIN_CHUNK_SIZE,
    TAG_BYTES,
    ContentKind,
    StreamCounters,
    StreamHeader,
    StreamSummary,
    check_header,
    chunk_count_for,
    chunk_nonce,
    chunk_range,
    ciphertext_size_for,
    content_key,
    decrypt_chunk,
    is_valid_chunk_size,
    open_chunk,
)

__all__ = [
    "CLIP_ID_BYTES",
    "CLIP_KEY_BYTES",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_READ_SIZE",
    "HEADER_BYTES",
    "MAX_CHUNK_COUNT",
    "MAX_CHUNK_SIZE",
    "MIN_CHUNK_SIZE",
    "TAG_BYTES",
    "ByteSink",
    "ByteSource",
    "ContentKind",
    "StreamDecryptor",
    "StreamEncryptor",
    "StreamHeader",
    "StreamSummary",
    "check_header",
    "chunk_count_for",
    "chunk_range",
    "ciphertext_size_for",
    "content_key",
    "decrypt_blocks",
    "decrypt_chunk",
    "decrypt_file",
    "encrypt_blocks",
    "encrypt_file",
    "is_valid_chunk_size",
]

DEFAULT_READ_SIZE = 1 << 20


class _Finalized:
    """The summary both directions give once `finalize` has seen the whole object."""

    _summary: StreamSummary | None = None

    @property
    def summary(self) -> StreamSummary:
        if self._summary is None:
            raise RuntimeError("stream not finalized")
        return self._summary


class StreamEncryptor(_Finalized):
    """Push-style writer: holds at most one chunk of plaintext, emits ciphertext as it can.

    Everything `update` and `finalize` return, concatenated, is the whole object; the header
    leads the first non-empty output. Chunk i leaves only once a byte after it is seen (or at
    `finalize`), because only then is it known whether it carries the last flag.
    """

    def __init__(
        self,
        clip_key: bytes,
        clip_id: bytes,
        kind: ContentKind,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        self._header_fields = StreamHeader(kind=kind, chunk_size=chunk_size, clip_id=clip_id)
        self._header = self._header_fields.encode()
        self._key = content_key(clip_key, clip_id, kind)
        self._chunk_size = chunk_size
        self._pending = bytearray()
        self._counters = StreamCounters(chunk_size)
        self._hasher = OverlappedSha256()
        self._header_emitted = False

    @property
    def header(self) -> bytes:
        """The header bytes (already part of the output; do not write them a second time)."""
        return self._header

    @property
    def plaintext_size(self) -> int:
        return self._counters.plaintext_size

    @property
    def chunk_count(self) -> int:
        return self._counters.chunk_count

    @property
    def ciphertext_size(self) -> int:
        return self._counters.ciphertext_size

    def update(self, data: bytes | bytearray | memoryview) -> bytes:
        """Absorb plaintext; return the ciphertext that can be emitted now (maybe empty)."""
        if self._summary is not None:
            raise RuntimeError("stream already finalized")
        output = self._start()
        view = memoryview(data).cast("B")
        size = self._chunk_size
        if self._pending:
            room = size - len(self._pending)
            self._pending += view[:room]
            view = view[room:]
            if not view:
                return self._emit(output)
            # A full pending chunk with more plaintext behind it: certainly not the last one.
            output.append(self._seal(bytes(self._pending), last=False))
            self._pending.clear()
        while len(view) > size:
            output.append(self._seal(bytes(view[:size]), last=False))
            view = view[size:]
        self._pending += view
        return self._emit(output)

    def finalize(self) -> bytes:
        """Seal the held plaintext as the last chunk (empty only if the whole stream is)."""
        if self._summary is not None:
            raise RuntimeError("stream already finalized")
        output = self._start()
        output.append(self._seal(bytes(self._pending), last=True))
        self._pending.clear()
        emitted = self._emit(output)
        self._summary = self._counters.summary(self._hasher.digest())
        return emitted

    def _start(self) -> list[bytes]:
        if self._header_emitted:
            return []
        self._header_emitted = True
        self._counters.add_header(len(self._header))
        return [self._header]

    def _emit(self, output: list[bytes]) -> bytes:
        # One hash update per call, on the joined bytes the caller receives: the hash of
        # this block overlaps the encryption of the next (see overlapped_hash).
        emitted = b"".join(output)
        if emitted:
            self._hasher.update(emitted)
        return emitted

    def _seal(self, plaintext: bytes, *, last: bool) -> bytes:
        index = self._counters.chunk_count
        if index >= MAX_CHUNK_COUNT:
            raise OverflowError("a stream holds fewer than 2^32 chunks")
        nonce = chunk_nonce(index, last=last)
        ciphertext = primitives.aes_gcm_encrypt(self._key, nonce, plaintext, self._header)
        self._counters.add_chunk(len(plaintext), len(ciphertext))
        return ciphertext


class StreamDecryptor(_Finalized):
    """Push-style reader that releases a chunk's plaintext only after its tag verifies.

    The key comes from the clip id and kind the caller expects, and the header must name
    them. With `expected` (from a verified manifest) the chunk size, sizes and hash must match
    too. After any refusal the decryptor is dead, and output it already released is void.
    """

    def __init__(
        self,
        clip_key: bytes,
        clip_id: bytes,
        kind: ContentKind,
        *,
        expected: StreamSummary | None = None,
    ) -> None:
        self._key = content_key(clip_key, clip_id, kind)
        self._clip_id = bytes(clip_id)
        self._kind = kind
        self._expected = expected
        self._header = b""
        self._unit = 0  # chunk_size + tag, known once the header is read
        self._pending = bytearray()
        self._received = 0
        self._hasher = OverlappedSha256()
        self._counters: StreamCounters | None = None
        self._failed = False

    def update(self, data: bytes | bytearray | memoryview) -> bytes:
        """Absorb ciphertext; return plaintext of every chunk that has authenticated."""
        self._require_open()
        # The hash covers every byte received, in order; bytes are immutable, so the worker
        # may read them later. Any other buffer is copied: its owner could reuse it at once.
        block = data if type(data) is bytes else bytes(memoryview(data).cast("B"))
        try:
            return self._absorb(block)
        except ProtocolError:
            self._fail()
            raise

    def finalize(self) -> bytes:
        """Open the held bytes as the last chunk; refuse a stream that never reached it."""
        self._require_open()
        try:
            if self._counters is None:
                raise Truncated("stream ends inside its header")
            if len(self._pending) < TAG_BYTES:
                raise Truncated("stream ends without a chunk carrying the last flag")
            plaintext = self._open(bytes(self._pending), last=True)
            summary = self._counters.summary(self._hasher.digest())
            if self._expected is not None and summary != self._expected:
                raise HeaderMismatch("stream sizes or hash disagree with its manifest")
        except ProtocolError:
            self._fail()
            raise
        self._pending.clear()
        self._summary = summary
        return plaintext

    def _fail(self) -> None:
        # A dead decryptor keeps no hashing thread behind it.
        self._failed = True
        self._hasher.close()

    def _require_open(self) -> None:
        if self._failed:
            raise RuntimeError("stream decryption already failed")
        if self._summary is not None:
            raise RuntimeError("stream already finalized")

    def _absorb(self, block: bytes) -> bytes:
        self._received += len(block)
        if self._expected is not None and self._received > self._expected.ciphertext_size:
            raise TrailingData("stream is longer than its manifest says")
        self._hasher.update(block)
        view = memoryview(block)
        if self._counters is None:
            view = self._absorb_header(view)
            if self._counters is None:
                return b""
        output: list[bytes] = []
        if self._pending:
            room = self._unit - len(self._pending)
            self._pending += view[:room]
            view = view[room:]
            if not view:
                return b""
            # A full chunk with bytes behind it must be a non-last chunk.
            output.append(self._open(bytes(self._pending), last=False))
            self._pending.clear()
        while len(view) > self._unit:
            output.append(self._open(bytes(view[: self._unit]), last=False))
            view = view[self._unit :]
        self._pending += view
        return b"".join(output)

    def _absorb_header(self, view: memoryview) -> memoryview:
        need = HEADER_BYTES - len(self._pending)
        self._pending += view[:need]
        if len(self._pending) < HEADER_BYTES:
            return view[len(view) :]
        header_bytes = bytes(self._pending)
        header = StreamHeader.parse(header_bytes)
        expected_chunk_size = None if self._expected is None else self._expected.chunk_size
        check_header(header, clip_id=self._clip_id, kind=self._kind, chunk_size=expected_chunk_size)
        self._pending.clear()
        self._header = header_bytes
        self._unit = header.chunk_size + TAG_BYTES
        self._counters = StreamCounters(header.chunk_size)
        self._counters.add_header(len(header_bytes))
        return view[need:]

    def _open(self, ciphertext: bytes, *, last: bool) -> bytes:
        assert self._counters is not None  # noqa: S101 (only called once the header is read)
        index = self._counters.chunk_count
        if index >= MAX_CHUNK_COUNT:
            raise MalformedObject("stream has 2^32 chunks or more")
        try:
            plaintext = open_chunk(self._key, self._header, index, ciphertext, last)
        except ChunkAuthFailed as err:
            raise self._name_failure(index, ciphertext, last=last) from err
        if last and index > 0 and not plaintext:
            raise MalformedObject("empty last chunk in a stream of several chunks")
        self._counters.add_chunk(len(plaintext), len(ciphertext))
        return plaintext

    def _name_failure(self, index: int, ciphertext: bytes, *, last: bool) -> ProtocolError:
        # The same bytes authenticating with the other flag tell a cut or an append apart from
        # tampering; only chunks made under this key and header can pass either way.
        try:
            open_chunk(self._key, self._header, index, ciphertext, not last)
        except ChunkAuthFailed:
            return ChunkAuthFailed(f"chunk {index} does not authenticate")
        if last:
            return Truncated(f"stream ends after chunk {index}, which is not the last")
        return TrailingData(f"bytes follow chunk {index}, which is the last")


class ByteSource(Protocol):
    def read(self, size: int, /) -> bytes: ...


class ByteSink(Protocol):
    def write(self, data: bytes, /) -> object: ...


def encrypt_blocks(encryptor: StreamEncryptor, blocks: Iterable[bytes]) -> Iterator[bytes]:
    """Yield the ciphertext of plaintext blocks, then finalize; read `encryptor.summary` after."""
    for block in blocks:
        output = encryptor.update(block)
        if output:
            yield output
    yield encryptor.finalize()


def decrypt_blocks(decryptor: StreamDecryptor, blocks: Iterable[bytes]) -> Iterator[bytes]:
    """Yield authenticated plaintext of ciphertext blocks; a refusal voids what came before."""
    for block in blocks:
        output = decryptor.update(block)
        if output:
            yield output
    final = decryptor.finalize()
    if final:
        yield final


def _read_blocks(src: ByteSource, read_size: int) -> Iterator[bytes]:
    while block := src.read(read_size):
        yield block


def encrypt_file(
    src: ByteSource,
    dst: ByteSink,
    clip_key: bytes,
    clip_id: bytes,
    kind: ContentKind,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    read_size: int = DEFAULT_READ_SIZE,
) -> StreamSummary:
    """Encrypt src to dst in bounded memory; return what the manifest records."""
    encryptor = StreamEncryptor(clip_key, clip_id, kind, chunk_size)
    for output in encrypt_blocks(encryptor, _read_blocks(src, read_size)):
        dst.write(output)
    return encryptor.summary


def decrypt_file(
    src: ByteSource,
    dst: ByteSink,
    clip_key: bytes,
    clip_id: bytes,
    kind: ContentKind,
    *,
    expected: StreamSummary | None = None,
    read_size: int = DEFAULT_READ_SIZE,
) -> StreamSummary:
    """Decrypt src to dst in bounded memory. On a refusal, discard everything written to dst."""
    decryptor = StreamDecryptor(clip_key, clip_id, kind, expected=expected)
    for output in decrypt_blocks(decryptor, _read_blocks(src, read_size)):
        dst.write(output)
    return decryptor.summary
