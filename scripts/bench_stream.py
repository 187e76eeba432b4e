#!/usr/bin/env python3
"""Compare StreamEncryptor throughput with raw AES-GCM over the same chunk size (no assertions).

Usage: .venv/py311/bin/python scripts/bench_stream.py [MiB]   (default 256; needs the package
installed, as scripts/test does). The gap is the stream's own work: the running SHA-256 of the
ciphertext for the manifest, a copy per chunk, and per-chunk key setup.
"""

from __future__ import annotations

import os
import sys
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from e2ee_nvr_protocol.stream import DEFAULT_CHUNK_SIZE, ContentKind, StreamEncryptor

READ_BYTES = 1 << 20


def _raw_aes_gcm(plaintext: memoryview, chunk_size: int) -> float:
    cipher = AESGCM(os.urandom(16))
    header = bytes(32)
    started = time.perf_counter()
    for index, offset in enumerate(range(0, len(plaintext), chunk_size)):
        nonce = index.to_bytes(12, "big")
        cipher.encrypt(nonce, plaintext[offset : offset + chunk_size], header)
    return len(plaintext) / (time.perf_counter() - started)


def _stream(plaintext: memoryview, chunk_size: int) -> float:
    encryptor = StreamEncryptor(os.urandom(16), os.urandom(16), ContentKind.VIDEO, chunk_size)
    started = time.perf_counter()
    for offset in range(0, len(plaintext), READ_BYTES):
        encryptor.update(plaintext[offset : offset + READ_BYTES])
    encryptor.finalize()
    return len(plaintext) / (time.perf_counter() - started)


def main() -> None:
    total_bytes = (int(sys.argv[1]) if len(sys.argv) > 1 else 256) << 20
    plaintext = memoryview(os.urandom(total_bytes))
    chunk_size = DEFAULT_CHUNK_SIZE
    _raw_aes_gcm(plaintext[: 16 << 20], chunk_size)  # warm up caches and page tables
    raw = _raw_aes_gcm(plaintext, chunk_size)
    stream = _stream(plaintext, chunk_size)
    print(f"chunk size {chunk_size} bytes, {total_bytes >> 20} MiB")
    print(f"raw AESGCM.encrypt:   {raw / 1e6:8.0f} MB/s")
    print(f"StreamEncryptor:      {stream / 1e6:8.0f} MB/s (running SHA-256 included)")
    print(f"ratio stream / raw:   {stream / raw:8.2f}")


if __name__ == "__main__":
    main()
