"""Encrypt then decrypt a generated 1 GiB clip in one pass; print peak memory growth as JSON.

Run by test_stream_memory.py in a fresh interpreter so the peak RSS belongs to this job alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Iterator

from e2ee_nvr_protocol.stream import (
    ContentKind,
    StreamDecryptor,
    StreamEncryptor,
    decrypt_blocks,
    encrypt_blocks,
)

BLOCK_BYTES = 1 << 20  # what a pipe read from ffmpeg might hand over at once


def _peak_rss_bytes() -> int:
    # ru_maxrss is KiB on Linux and bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _plaintext(total_bytes: int, digest: hashlib._Hash) -> Iterator[bytes]:
    # One random block, made distinct per position by a counter, stands in for video.
    pattern = bytearray(os.urandom(BLOCK_BYTES))
    for offset in range(0, total_bytes, BLOCK_BYTES):
        pattern[:8] = offset.to_bytes(8, "big")
        block = bytes(pattern[: min(BLOCK_BYTES, total_bytes - offset)])
        digest.update(block)
        yield block


def main() -> None:
    total_bytes = int(sys.argv[1]) if len(sys.argv) > 1 else 1 << 30
    clip_key, clip_id = os.urandom(16), os.urandom(16)
    encryptor = StreamEncryptor(clip_key, clip_id, ContentKind.VIDEO)
    decryptor = StreamDecryptor(clip_key, clip_id, ContentKind.VIDEO)
    plaintext_digest, decrypted_digest = hashlib.sha256(), hashlib.sha256()
    baseline = _peak_rss_bytes()
    # Peak RSS can hide growth below what the imports already touched; tracemalloc counts
    # every Python allocation (all the buffers this pipeline makes) exactly.
    tracemalloc.start()
    started = time.perf_counter()
    ciphertext = encrypt_blocks(encryptor, _plaintext(total_bytes, plaintext_digest))
    decrypted_bytes = 0
    for block in decrypt_blocks(decryptor, ciphertext):
        decrypted_digest.update(block)
        decrypted_bytes += len(block)
    elapsed = time.perf_counter() - started
    growth = _peak_rss_bytes() - baseline
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"{total_bytes / (1 << 30):g} GiB clip: peak memory growth {growth / (1 << 20):.1f} MiB "
        f"(RSS; {traced_peak / (1 << 20):.1f} MiB traced), "
        f"{total_bytes / elapsed / 1e6:.0f} MB/s (encrypt and decrypt, hashes included)",
        file=sys.stderr,
    )
    result = {
        "total_bytes": total_bytes,
        "decrypted_bytes": decrypted_bytes,
        "peak_growth_bytes": growth,
        "traced_peak_bytes": traced_peak,
        "seconds": elapsed,
        "digests_match": plaintext_digest.digest() == decrypted_digest.digest(),
        "summaries_match": encryptor.summary == decryptor.summary,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
