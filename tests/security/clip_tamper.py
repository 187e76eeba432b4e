"""How a malicious store alters a stored clip before an endpoint downloads it.

A clip's video object is a 32-byte header, then chunks of `chunk_size` plaintext bytes plus a
16-byte tag (protocol section 9). These helpers cut it into those pieces and put them back in
the wrong way, so each scenario names exactly which tampering it plays.
"""

from __future__ import annotations

from e2ee_nvr_protocol.stream_format import HEADER_BYTES, TAG_BYTES


def split(ciphertext: bytes, chunk_size: int) -> tuple[bytes, list[bytes]]:
    unit = chunk_size + TAG_BYTES
    body = ciphertext[HEADER_BYTES:]
    return ciphertext[:HEADER_BYTES], [body[at : at + unit] for at in range(0, len(body), unit)]


def join(header: bytes, chunks: list[bytes]) -> bytes:
    return header + b"".join(chunks)


def flip_bit(ciphertext: bytes, at: int) -> bytes:
    altered = bytearray(ciphertext)
    altered[at] ^= 0x01
    return bytes(altered)


def drop_last_chunk(ciphertext: bytes, chunk_size: int) -> bytes:
    header, chunks = split(ciphertext, chunk_size)
    return join(header, chunks[:-1])


def swap_first_chunks(ciphertext: bytes, chunk_size: int) -> bytes:
    header, chunks = split(ciphertext, chunk_size)
    chunks[0], chunks[1] = chunks[1], chunks[0]
    return join(header, chunks)


def splice_first_chunk(ciphertext: bytes, donor: bytes, chunk_size: int) -> bytes:
    """The first chunk replaced by the donor clip's first chunk (same size: same position)."""
    header, chunks = split(ciphertext, chunk_size)
    _donor_header, donor_chunks = split(donor, chunk_size)
    chunks[0] = donor_chunks[0]
    return join(header, chunks)


def swap_header(ciphertext: bytes, donor: bytes) -> bytes:
    return donor[:HEADER_BYTES] + ciphertext[HEADER_BYTES:]
