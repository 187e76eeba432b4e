"""The overlapped SHA-256 equals hashlib's, in order, and never hashes a buffer that can change."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from e2ee_nvr_protocol.errors import ChunkAuthFailed
from e2ee_nvr_protocol.overlapped_hash import BACKGROUND_MIN_BYTES, OverlappedSha256
from e2ee_nvr_protocol.stream import ContentKind, StreamDecryptor, StreamEncryptor

# Sizes on both sides of the hand-off threshold, so inline and worker updates interleave.
SIZES = st.lists(
    st.sampled_from([0, 1, 2047, BACKGROUND_MIN_BYTES - 1, BACKGROUND_MIN_BYTES, 3 << 16]),
    max_size=12,
)


@given(SIZES)
def test_digest_equals_hashlib_over_mixed_sizes(sizes: list[int]) -> None:
    blocks = [os.urandom(size) for size in sizes]
    overlapped = OverlappedSha256()
    for block in blocks:
        overlapped.update(block)
    assert overlapped.digest() == hashlib.sha256(b"".join(blocks)).digest()


def test_digest_can_be_read_twice_and_updated_after() -> None:
    overlapped = OverlappedSha256()
    overlapped.update(bytes(BACKGROUND_MIN_BYTES))
    first = overlapped.digest()
    assert overlapped.digest() == first == hashlib.sha256(bytes(BACKGROUND_MIN_BYTES)).digest()
    overlapped.update(b"more")
    assert overlapped.digest() == hashlib.sha256(bytes(BACKGROUND_MIN_BYTES) + b"more").digest()


@pytest.mark.parametrize("mutable", [bytearray(8), memoryview(bytearray(8))])
def test_mutable_buffers_are_refused(mutable: bytearray | memoryview) -> None:
    # A worker reading a buffer its owner reuses would hash bytes that were never sent.
    with pytest.raises(TypeError):
        OverlappedSha256().update(mutable)  # type: ignore[arg-type]


def test_decryptor_hashes_a_reused_buffer_as_it_was_received() -> None:
    clip_key, clip_id = os.urandom(16), os.urandom(16)
    encryptor = StreamEncryptor(clip_key, clip_id, ContentKind.VIDEO, chunk_size=1 << 16)
    ciphertext = encryptor.update(os.urandom(5 << 16)) + encryptor.finalize()
    decryptor = StreamDecryptor(clip_key, clip_id, ContentKind.VIDEO)
    reused = bytearray(BACKGROUND_MIN_BYTES * 2)
    for offset in range(0, len(ciphertext), len(reused)):
        piece = ciphertext[offset : offset + len(reused)]
        reused[: len(piece)] = piece
        decryptor.update(memoryview(reused)[: len(piece)])
        reused[:] = bytes(len(reused))  # the owner scribbles over its buffer at once
    decryptor.finalize()
    assert decryptor.summary == encryptor.summary
    assert decryptor.summary.ciphertext_sha256 == hashlib.sha256(ciphertext).digest()


def _hash_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("stream-sha256")]


def test_no_worker_thread_outlives_a_finished_or_refused_stream() -> None:
    # Home Assistant's test harness (and any host) must not find a stray thread after a clip.
    clip_key, clip_id = os.urandom(16), os.urandom(16)
    encryptor = StreamEncryptor(clip_key, clip_id, ContentKind.VIDEO, chunk_size=1 << 16)
    ciphertext = encryptor.update(os.urandom(4 << 16))
    assert _hash_threads(), "a large update hashes on a worker"
    ciphertext += encryptor.finalize()
    assert _hash_threads() == []

    decryptor = StreamDecryptor(clip_key, clip_id, ContentKind.VIDEO)
    tampered = bytearray(ciphertext)
    tampered[-1] ^= 1
    decryptor.update(bytes(tampered[: 2 << 16]))
    with pytest.raises(ChunkAuthFailed):
        decryptor.update(bytes(tampered[2 << 16 :]))
        decryptor.finalize()
    assert _hash_threads() == []
