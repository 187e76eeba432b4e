"""Tests of the aes128gcm-stream format: round trips and every refusal of section 9.2."""

from __future__ import annotations

import hashlib
import io
import itertools
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import strategies as st

from e2ee_nvr_protocol import primitives
from e2ee_nvr_protocol.errors import (
    ChunkAuthFailed,
    HeaderMismatch,
    MalformedObject,
    ProtocolError,
    TrailingData,
    Truncated,
    UnsupportedVersion,
)
from e2ee_nvr_protocol.stream import (
    HEADER_BYTES,
    TAG_BYTES,
    ContentKind,
    StreamDecryptor,
    StreamEncryptor,
    StreamHeader,
    StreamSummary,
    chunk_range,
    ciphertext_size_for,
    content_key,
    decrypt_blocks,
    decrypt_chunk,
    decrypt_file,
    encrypt_blocks,
    encrypt_file,
)
from e2ee_nvr_protocol.stream_format import chunk_nonce

CLIP_KEY = bytes(range(16))
CLIP_ID = bytes(range(100, 116))
OTHER_CLIP_ID = bytes(range(200, 216))
VIDEO = ContentKind.VIDEO
CHUNK_SIZES = [64, 128, 256]


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = [0, *sorted(min(cut, len(data)) for cut in cuts), len(data)]
    return [data[start:end] for start, end in itertools.pairwise(points)]


def _encrypt(
    plaintext: bytes,
    chunk_size: int = 64,
    cuts: list[int] | None = None,
    clip_key: bytes = CLIP_KEY,
    clip_id: bytes = CLIP_ID,
    kind: ContentKind = VIDEO,
) -> tuple[bytes, StreamSummary]:
    encryptor = StreamEncryptor(clip_key, clip_id, kind, chunk_size)
    blocks = _split(plaintext, cuts or [])
    ciphertext = b"".join(encrypt_blocks(encryptor, blocks))
    return ciphertext, encryptor.summary


def _decrypt(
    ciphertext: bytes,
    cuts: list[int] | None = None,
    expected: StreamSummary | None = None,
    clip_key: bytes = CLIP_KEY,
    clip_id: bytes = CLIP_ID,
    kind: ContentKind = VIDEO,
) -> bytes:
    decryptor = StreamDecryptor(clip_key, clip_id, kind, expected=expected)
    return b"".join(decrypt_blocks(decryptor, _split(ciphertext, cuts or [])))


def _chunks(ciphertext: bytes, chunk_size: int) -> list[bytes]:
    unit = chunk_size + TAG_BYTES
    body = ciphertext[HEADER_BYTES:]
    return [body[start : start + unit] for start in range(0, len(body), unit)]


def _lengths(chunk_size: int) -> st.SearchStrategy[int]:
    boundaries = [0, 1, chunk_size - 1, chunk_size, chunk_size + 1, 2 * chunk_size, 5 * chunk_size]
    return st.one_of(st.sampled_from(boundaries), st.integers(0, 5 * chunk_size + 1))


@given(data=st.data(), chunk_size=st.sampled_from(CHUNK_SIZES))
def test_round_trip_for_every_length_and_split(data: st.DataObject, chunk_size: int) -> None:
    length = data.draw(_lengths(chunk_size))
    plaintext = data.draw(st.binary(min_size=length, max_size=length))
    encrypt_cuts = data.draw(st.lists(st.integers(0, length), max_size=8))
    ciphertext, summary = _encrypt(plaintext, chunk_size, encrypt_cuts)

    # The output does not depend on how the plaintext was pushed in.
    assert ciphertext == _encrypt(plaintext, chunk_size)[0]
    assert len(ciphertext) == ciphertext_size_for(length, chunk_size) == summary.ciphertext_size
    assert summary.plaintext_size == length
    assert summary.chunk_count == max(1, -(-length // chunk_size))
    assert summary.ciphertext_sha256 == hashlib.sha256(ciphertext).digest()

    decrypt_cuts = data.draw(st.lists(st.integers(0, len(ciphertext)), max_size=8))
    assert _decrypt(ciphertext, decrypt_cuts) == plaintext
    assert _decrypt(ciphertext, decrypt_cuts, expected=summary) == plaintext


@given(data=st.data(), chunk_size=st.sampled_from(CHUNK_SIZES))
def test_decrypt_chunk_matches_every_plaintext_slice(data: st.DataObject, chunk_size: int) -> None:
    length = data.draw(_lengths(chunk_size))
    plaintext = os.urandom(length)
    ciphertext, summary = _encrypt(plaintext, chunk_size)
    header = ciphertext[:HEADER_BYTES]
    for index in range(summary.chunk_count):
        start, end = chunk_range(index, chunk_size, summary.chunk_count, summary.ciphertext_size)
        opened = decrypt_chunk(
            CLIP_KEY,
            header,
            index,
            ciphertext[start:end],
            summary.chunk_count,
            clip_id=CLIP_ID,
            kind=VIDEO,
        )
        assert opened == plaintext[index * chunk_size : (index + 1) * chunk_size]


def test_encryptor_emits_a_chunk_only_after_a_byte_beyond_it() -> None:
    encryptor = StreamEncryptor(CLIP_KEY, CLIP_ID, VIDEO, 64)
    assert encryptor.update(b"a" * 64) == encryptor.header  # header only: chunk 0 may be last
    assert encryptor.chunk_count == 0
    assert len(encryptor.update(b"b")) == 64 + TAG_BYTES
    assert (encryptor.chunk_count, encryptor.plaintext_size) == (1, 64)
    assert len(encryptor.finalize()) == 1 + TAG_BYTES
    assert encryptor.summary.ciphertext_size == encryptor.ciphertext_size == 32 + 65 + 32
    with pytest.raises(RuntimeError):
        encryptor.update(b"more")


def test_content_keys_follow_the_hkdf_of_section_9_1() -> None:
    for kind in ContentKind:
        expected = HKDF(
            algorithm=hashes.SHA256(),
            length=16,
            salt=CLIP_ID,
            info=b"e2ee-nvr/v1/clip/" + kind.value.encode(),
        ).derive(CLIP_KEY)
        assert content_key(CLIP_KEY, CLIP_ID, kind) == expected
    assert len({content_key(CLIP_KEY, CLIP_ID, kind) for kind in ContentKind}) == 3


def test_header_layout_and_round_trip() -> None:
    header = StreamHeader(kind=ContentKind.THUMBNAIL, chunk_size=1 << 18, clip_id=CLIP_ID)
    raw = header.encode()
    assert raw == b"E2EENVR1" + bytes([2, 1, 0, 0]) + (1 << 18).to_bytes(4, "big") + CLIP_ID
    assert StreamHeader.parse(raw) == header


@pytest.mark.parametrize(
    ("offset", "value", "error"),
    [
        (0, ord("X"), MalformedObject),  # magic
        (8, 0, MalformedObject),  # kind 0
        (8, 4, MalformedObject),  # kind 4
        (9, 2, UnsupportedVersion),  # suite 2
        (10, 1, MalformedObject),  # reserved
        (11, 1, MalformedObject),  # reserved
        (14, 0x01, MalformedObject),  # chunk size 2^18 + 2^8: not a power of two
    ],
)
def test_header_refusals(offset: int, value: int, error: type[ProtocolError]) -> None:
    raw = bytearray(StreamHeader(kind=VIDEO, chunk_size=1 << 18, clip_id=CLIP_ID).encode())
    raw[offset] = value
    with pytest.raises(error):
        StreamHeader.parse(bytes(raw))


@pytest.mark.parametrize("chunk_size", [0, 32, 63, 96, 1 << 25, 2**32 - 1])
def test_header_refuses_chunk_sizes_out_of_range(chunk_size: int) -> None:
    raw = b"E2EENVR1" + bytes([1, 1, 0, 0]) + chunk_size.to_bytes(4, "big") + CLIP_ID
    with pytest.raises(MalformedObject):
        StreamHeader.parse(raw)
    with pytest.raises(MalformedObject):
        StreamHeader.parse(raw[:31])


def _header_bit_error(byte_index: int) -> tuple[type[ProtocolError], ...]:
    if byte_index < 8 or byte_index in (10, 11):
        return (MalformedObject,)  # magic, reserved
    if byte_index == 8:
        return (MalformedObject, HeaderMismatch)  # unknown kind code, or another kind
    if byte_index == 9:
        return (UnsupportedVersion,)
    if byte_index < 16:
        return (MalformedObject,)  # one flipped bit never leaves a valid power of two
    return (HeaderMismatch,)  # clip_id


def test_every_single_bit_flip_is_refused_by_name() -> None:
    plaintext = os.urandom(2 * 64 + 20)
    ciphertext, _ = _encrypt(plaintext, 64)
    for byte_index in range(len(ciphertext)):
        expected = _header_bit_error(byte_index) if byte_index < 32 else (ChunkAuthFailed,)
        for bit in range(8):
            tampered = bytearray(ciphertext)
            tampered[byte_index] ^= 1 << bit
            with pytest.raises(expected):
                _decrypt(bytes(tampered))


@pytest.mark.parametrize("length", [0, 20, 64, 3 * 64])
def test_truncation_at_every_position(length: int) -> None:
    ciphertext, _ = _encrypt(os.urandom(length), 64)
    unit = 64 + TAG_BYTES
    for cut in range(len(ciphertext)):
        into_chunk = (cut - HEADER_BYTES) % unit
        if cut < HEADER_BYTES or into_chunk < TAG_BYTES:
            # Inside the header, at a chunk boundary, or too short to hold a tag.
            expected: tuple[type[ProtocolError], ...] = (Truncated,)
        else:
            expected = (ChunkAuthFailed,)
        with pytest.raises(expected):
            _decrypt(ciphertext[:cut])


@pytest.mark.parametrize("appended", [b"\x00", os.urandom(16), os.urandom(80), os.urandom(200)])
@pytest.mark.parametrize("length", [0, 20, 64, 128, 150])
def test_appended_bytes_are_trailing_data_against_the_manifest(
    length: int, appended: bytes
) -> None:
    ciphertext, summary = _encrypt(os.urandom(length), 64)
    with pytest.raises(TrailingData):
        _decrypt(ciphertext + appended, expected=summary)
    # Without the manifest the reader cannot tell where a short last chunk ends, so bytes in
    # its slot are a failed tag; after a full last chunk they are named as trailing.
    last_is_full = length > 0 and length % 64 == 0
    with pytest.raises(TrailingData if last_is_full else (TrailingData, ChunkAuthFailed)):
        _decrypt(ciphertext + appended)


def test_reordered_chunks_fail() -> None:
    ciphertext, _ = _encrypt(os.urandom(3 * 64 + 5), 64)
    chunks = _chunks(ciphertext, 64)
    swapped = ciphertext[:HEADER_BYTES] + chunks[1] + chunks[0] + chunks[2] + chunks[3]
    with pytest.raises(ChunkAuthFailed):
        _decrypt(swapped)
    dropped = ciphertext[:HEADER_BYTES] + chunks[0] + chunks[2] + chunks[3]
    with pytest.raises(ChunkAuthFailed):
        _decrypt(dropped)


@pytest.mark.parametrize(
    ("other_key", "other_clip_id"),
    [(bytes(16), CLIP_ID), (CLIP_KEY, OTHER_CLIP_ID), (bytes(16), OTHER_CLIP_ID)],
)
def test_chunk_moved_between_clips_fails(other_key: bytes, other_clip_id: bytes) -> None:
    ours, _ = _encrypt(os.urandom(3 * 64), 64)
    theirs, _ = _encrypt(os.urandom(3 * 64), 64, clip_key=other_key, clip_id=other_clip_id)
    ours_chunks, their_chunks = _chunks(ours, 64), _chunks(theirs, 64)
    mixed = ours[:HEADER_BYTES] + ours_chunks[0] + their_chunks[1] + ours_chunks[2]
    with pytest.raises(ChunkAuthFailed):
        _decrypt(mixed)


def test_chunk_moved_between_kinds_of_one_clip_fails() -> None:
    video, _ = _encrypt(os.urandom(2 * 64), 64, kind=VIDEO)
    thumbnail, _ = _encrypt(os.urandom(2 * 64), 64, kind=ContentKind.THUMBNAIL)
    mixed = video[:HEADER_BYTES] + _chunks(thumbnail, 64)[0] + _chunks(video, 64)[1]
    with pytest.raises(ChunkAuthFailed):
        _decrypt(mixed)


def test_header_swaps_are_refused() -> None:
    ciphertext, summary = _encrypt(os.urandom(3 * 64), 64)
    other_clip, _ = _encrypt(os.urandom(3 * 64), 64, clip_id=OTHER_CLIP_ID)
    with pytest.raises(HeaderMismatch):
        _decrypt(other_clip[:HEADER_BYTES] + ciphertext[HEADER_BYTES:])
    # Same clip and kind but another chunk size: the header is the chunks' associated data.
    other_size, _ = _encrypt(os.urandom(3 * 64), 128)
    swapped = other_size[:HEADER_BYTES] + ciphertext[HEADER_BYTES:]
    with pytest.raises(ChunkAuthFailed):
        _decrypt(swapped)
    with pytest.raises(HeaderMismatch):
        _decrypt(swapped, expected=summary)
    # The store serving the thumbnail stream as the video is refused by name.
    thumbnail, _ = _encrypt(os.urandom(10), 64, kind=ContentKind.THUMBNAIL)
    with pytest.raises(HeaderMismatch):
        _decrypt(thumbnail)


def test_last_flag_misuse_fails() -> None:
    ciphertext, summary = _encrypt(os.urandom(2 * 64 + 7), 64)
    header, chunks = ciphertext[:HEADER_BYTES], _chunks(ciphertext, 64)
    last_index = summary.chunk_count - 1
    with pytest.raises(ChunkAuthFailed):  # the last chunk opened as a middle chunk
        decrypt_chunk(
            CLIP_KEY, header, last_index, chunks[-1], last_index + 2, clip_id=CLIP_ID, kind=VIDEO
        )
    with pytest.raises(ChunkAuthFailed):  # a middle chunk opened as the last
        decrypt_chunk(CLIP_KEY, header, 1, chunks[1], 2, clip_id=CLIP_ID, kind=VIDEO)
    with pytest.raises(HeaderMismatch):
        decrypt_chunk(CLIP_KEY, header, 0, chunks[0], 3, clip_id=OTHER_CLIP_ID, kind=VIDEO)
    with pytest.raises(ValueError, match="outside"):
        decrypt_chunk(CLIP_KEY, header, 3, chunks[0], 3, clip_id=CLIP_ID, kind=VIDEO)


def _forge(chunks: list[tuple[bytes, bool]], chunk_size: int = 64) -> bytes:
    """A stream made directly from primitives, for shapes the encryptor never produces."""
    header = StreamHeader(kind=VIDEO, chunk_size=chunk_size, clip_id=CLIP_ID).encode()
    key = content_key(CLIP_KEY, CLIP_ID, VIDEO)
    sealed = [
        primitives.aes_gcm_encrypt(key, chunk_nonce(index, last=last), plaintext, header)
        for index, (plaintext, last) in enumerate(chunks)
    ]
    return header + b"".join(sealed)


def test_empty_last_chunk_after_others_is_malformed() -> None:
    forged = _forge([(b"a" * 64, False), (b"", True)])
    with pytest.raises(MalformedObject):
        _decrypt(forged)
    header = forged[:HEADER_BYTES]
    with pytest.raises(MalformedObject):
        decrypt_chunk(CLIP_KEY, header, 1, forged[-16:], 2, clip_id=CLIP_ID, kind=VIDEO)


def test_short_middle_chunk_is_malformed_in_a_range_read() -> None:
    forged = _forge([(b"a" * 10, False), (b"b", True)])
    with pytest.raises(MalformedObject):
        decrypt_chunk(
            CLIP_KEY, forged[:HEADER_BYTES], 0, forged[32:58], 2, clip_id=CLIP_ID, kind=VIDEO
        )


def test_stream_without_chunks_is_truncated() -> None:
    ciphertext, _ = _encrypt(b"", 64)
    for cut in (0, 5, HEADER_BYTES):
        with pytest.raises(Truncated):
            _decrypt(ciphertext[:cut])


def test_expected_summary_mismatch_is_header_mismatch() -> None:
    ciphertext, summary = _encrypt(os.urandom(100), 64)
    wrong_hash = StreamSummary(
        chunk_size=64,
        chunk_count=summary.chunk_count,
        plaintext_size=summary.plaintext_size,
        ciphertext_size=summary.ciphertext_size,
        ciphertext_sha256=bytes(32),
    )
    with pytest.raises(HeaderMismatch):
        _decrypt(ciphertext, expected=wrong_hash)
    longer = StreamSummary(64, 3, 129, 32 + 129 + 48, summary.ciphertext_sha256)
    with pytest.raises(HeaderMismatch):
        _decrypt(ciphertext, expected=longer)


def test_decryptor_is_dead_after_a_refusal() -> None:
    ciphertext, _ = _encrypt(os.urandom(200), 64)
    tampered = bytearray(ciphertext)
    tampered[40] ^= 1
    decryptor = StreamDecryptor(CLIP_KEY, CLIP_ID, VIDEO)
    with pytest.raises(ChunkAuthFailed):
        decryptor.update(bytes(tampered))
    with pytest.raises(RuntimeError):
        decryptor.update(b"")
    with pytest.raises(RuntimeError):
        decryptor.finalize()


def test_wrong_clip_key_fails_on_the_first_chunk() -> None:
    ciphertext, _ = _encrypt(os.urandom(200), 64)
    with pytest.raises(ChunkAuthFailed):
        _decrypt(ciphertext, clip_key=bytes(16))


def test_file_helpers_round_trip() -> None:
    plaintext = os.urandom(5 * 1024 + 3)
    encrypted = io.BytesIO()
    summary = encrypt_file(
        io.BytesIO(plaintext), encrypted, CLIP_KEY, CLIP_ID, VIDEO, chunk_size=1024, read_size=700
    )
    decrypted = io.BytesIO()
    encrypted.seek(0)
    assert (
        decrypt_file(
            encrypted, decrypted, CLIP_KEY, CLIP_ID, VIDEO, expected=summary, read_size=999
        )
        == summary
    )
    assert decrypted.getvalue() == plaintext


def test_chunk_range_layout_and_refusals() -> None:
    assert chunk_range(0, 64, 1, 48) == (32, 48)
    assert chunk_range(1, 64, 3, 32 + 2 * 80 + 17) == (112, 192)
    assert chunk_range(2, 64, 3, 32 + 2 * 80 + 17) == (192, 209)
    with pytest.raises(MalformedObject):
        chunk_range(0, 64, 3, 32 + 2 * 80 + 16)  # empty last chunk after others
    with pytest.raises(MalformedObject):
        chunk_range(0, 64, 2, 32 + 2 * 80 + 1)
    with pytest.raises(MalformedObject):
        chunk_range(0, 100, 1, 48)
    with pytest.raises(ValueError, match="outside"):
        chunk_range(1, 64, 1, 48)
