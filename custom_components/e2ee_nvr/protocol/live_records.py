"""Live view records: the framing and sealing of one live session's stream (section 18.5).

Each record is sealed on its own under the session's media key, with its sequence number in the
nonce and its whole header as associated data. So a store that relays the stream can drop or
stall records, but a record it repeats, reorders, moves from another session or rewrites fails
here under a named error; and no plaintext is released before its tag verifies.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Final, NamedTuple

from . import primitives
from .encoding import Fields, dumps, loads
from .errors import (
    ChunkAuthFailed,
    HeaderMismatch,
    MalformedObject,
    ProtocolError,
    Replayed,
    TrailingData,
    Truncated,
)

MAGIC: Final = b"E2LV"
RECORD_INIT: Final = 1  # ftyp + moov
RECORD_MEDIA: Final = 2  # one fragment: moof + mdat, starting on a keyframe
RECORD_END: Final = 3  # {"reason": ...}
RECORD_TYPES: Final = frozenset({RECORD_INIT, RECORD_MEDIA, RECORD_END})
RECORD_HEADER_BYTES: Final = 36
SESSION_ID_BYTES: Final = 16
LIVE_KEY_BYTES: Final = 16
# A fragment of a few seconds of 4K video fits in 16 MiB; the bound keeps a relay's and a
# reader's buffer finite whatever a header claims.
MAX_PLAINTEXT_BYTES: Final = 1 << 24
MIN_CT_LEN: Final = primitives.GCM_TAG_BYTES
MAX_CT_LEN: Final = MAX_PLAINTEXT_BYTES + primitives.GCM_TAG_BYTES
MAX_SEQ: Final = (1 << 64) - 1
END_REASONS: Final = frozenset({"stopped", "camera-offline", "rekey", "idle"})
MAX_END_BYTES: Final = 1024
MEDIA_INFO: Final = b"e2ee-nvr/v2/live/media"
CONFIRM_INFO: Final = b"e2ee-nvr/v2/live/confirm"

_HEADER = struct.Struct(">4sB3s16sQI")


def media_key(live_key: bytes, session_id: bytes) -> bytes:
    """k_media = HKDF-SHA256(L, salt = session_id, info = "e2ee-nvr/v2/live/media", 16)."""
    return primitives.hkdf_sha256(live_key, salt=session_id, info=MEDIA_INFO, length=16)


def confirm_key(live_key: bytes, session_id: bytes) -> bytes:
    """k_confirm = HKDF-SHA256(L, salt = session_id, info = "e2ee-nvr/v2/live/confirm", 32)."""
    return primitives.hkdf_sha256(live_key, salt=session_id, info=CONFIRM_INFO, length=32)


def _nonce(seq: int) -> bytes:
    # One key per session and a sequence number that never repeats in it: (key, nonce) is
    # never reused. The four zero bytes keep the layout of section 9.2's counter nonces.
    return b"\x00\x00\x00\x00" + seq.to_bytes(8, "big")


@dataclass(frozen=True)
class RecordHeader:
    """The cleartext header a store splits the stream by (it holds no key)."""

    record_type: int
    session_id: bytes
    seq: int
    ct_len: int

    @property
    def record_bytes(self) -> int:
        """The whole record's length: header and ciphertext."""
        return RECORD_HEADER_BYTES + self.ct_len

    def to_bytes(self) -> bytes:
        return _HEADER.pack(
            MAGIC, self.record_type, bytes(3), self.session_id, self.seq, self.ct_len
        )


def parse_record_header(data: bytes) -> RecordHeader:
    """Parse the first 36 bytes of a record; MalformedObject for anything section 18.5 refuses.

    Truncated when fewer than 36 bytes are given.
    """
    if len(data) < RECORD_HEADER_BYTES:
        raise Truncated("live record: fewer than 36 header bytes")
    magic, record_type, reserved, session_id, seq, ct_len = _HEADER.unpack_from(data)
    if magic != MAGIC:
        raise MalformedObject("live record: not E2LV")
    if reserved != bytes(3):
        raise MalformedObject("live record: reserved bytes are not zero")
    if record_type not in RECORD_TYPES:
        raise MalformedObject(f"live record: unknown type {record_type}")
    if not MIN_CT_LEN <= ct_len <= MAX_CT_LEN:
        raise MalformedObject(f"live record: ct_len {ct_len} out of range")
    return RecordHeader(record_type, session_id, seq, ct_len)


def seal_record(
    key_media: bytes, session_id: bytes, seq: int, record_type: int, plaintext: bytes
) -> bytes:
    """One whole record: header || AES-128-GCM(k_media, u32(0) || u64(seq), pt, aad = header)."""
    if record_type not in RECORD_TYPES or len(plaintext) > MAX_PLAINTEXT_BYTES:
        raise ValueError("live record: unknown type or plaintext over 16 MiB")
    if len(session_id) != SESSION_ID_BYTES or not 0 <= seq <= MAX_SEQ:
        raise ValueError("live record: session_id must be 16 bytes, seq a u64")
    header = RecordHeader(
        record_type, session_id, seq, len(plaintext) + primitives.GCM_TAG_BYTES
    ).to_bytes()
    return header + primitives.aes_gcm_encrypt(key_media, _nonce(seq), plaintext, header)


def end_plaintext(reason: str) -> bytes:
    if reason not in END_REASONS:
        raise ValueError(f"live end reason {reason!r} is not one of {sorted(END_REASONS)}")
    return dumps({"reason": reason})


def parse_end(plaintext: bytes) -> str:
    """The reason of an end record: exactly {"reason": <one of four>} (MalformedObject)."""
    fields = Fields(loads(plaintext, max_bytes=MAX_END_BYTES), where="live end")
    reason = fields.str("reason", max_len=32)
    fields.done()
    if reason not in END_REASONS:
        raise MalformedObject(f"live end: unknown reason {reason!r}")
    return reason


class OpenedRecord(NamedTuple):
    """A record whose tag verified: its type and plaintext."""

    record_type: int
    plaintext: bytes


class LiveRecordReader:
    """The endpoint's reader of one session's stream, fed bytes as they arrive (section 18.6).

    `session_id` and `live_key` come from a verified offer. Plaintext of a record is released
    only after its tag verified; once a refusal is raised the reader is spent.
    """

    def __init__(self, session_id: bytes, live_key: bytes) -> None:
        if len(session_id) != SESSION_ID_BYTES or len(live_key) != LIVE_KEY_BYTES:
            raise ValueError("session_id and live key are 16 bytes each")
        self._session_id = session_id
        self._key = media_key(live_key, session_id)
        self._buffer = bytearray()
        self._header: RecordHeader | None = None
        self._failed: ProtocolError | None = None
        self.last_seq: int | None = None
        self.init_seen = False
        self.ended: str | None = None  # the end record's reason, once one was accepted
        self.gaps = 0  # sequence numbers skipped (records the store dropped)

    def feed(self, data: bytes) -> list[OpenedRecord]:
        """Take the next bytes of the stream; return the records they complete, in order."""
        if self._failed is not None:
            raise self._failed
        try:
            return self._feed(data)
        except ProtocolError as err:
            self._failed = err
            raise

    def close(self) -> None:
        """The stream ended: Truncated inside a record; at a record boundary all is in order
        (a store can always stop relaying; `ended` tells whether the device ended it)."""
        if self._failed is not None:
            raise self._failed
        if self._buffer:
            self._failed = Truncated("live stream ends inside a record")
            raise self._failed

    def _feed(self, data: bytes) -> list[OpenedRecord]:
        if data and self.ended is not None:
            raise TrailingData("bytes after the live session's end record")
        self._buffer += data
        opened: list[OpenedRecord] = []
        while True:
            if self._header is None:
                if len(self._buffer) < RECORD_HEADER_BYTES:
                    return opened
                self._header = self._check_header(bytes(self._buffer[:RECORD_HEADER_BYTES]))
            if len(self._buffer) < self._header.record_bytes:
                return opened
            record = bytes(self._buffer[: self._header.record_bytes])
            del self._buffer[: self._header.record_bytes]
            header, self._header = self._header, None
            opened.append(self._open(header, record))
            if self.ended is not None and self._buffer:
                raise TrailingData("a record after the live session's end record")

    def _check_header(self, raw: bytes) -> RecordHeader:
        # Checked before the ciphertext arrives, so a forged length never makes us buffer it.
        header = parse_record_header(raw)
        if header.session_id != self._session_id:
            raise HeaderMismatch("live record of another session")
        if self.last_seq is not None and header.seq <= self.last_seq:
            raise Replayed(f"live record seq {header.seq} after {self.last_seq}")
        return header

    def _open(self, header: RecordHeader, record: bytes) -> OpenedRecord:
        aad = record[:RECORD_HEADER_BYTES]
        try:
            plaintext = primitives.aes_gcm_decrypt(
                self._key, _nonce(header.seq), record[RECORD_HEADER_BYTES:], aad
            )
        except primitives.PrimitiveFailure as err:
            raise ChunkAuthFailed(f"live record seq {header.seq}: tag does not verify") from err
        if header.record_type == RECORD_MEDIA and not self.init_seen:
            raise MalformedObject("live media record before any init record")
        if header.record_type == RECORD_END:
            self.ended = parse_end(plaintext)
        if header.record_type == RECORD_INIT:
            self.init_seen = True
        if self.last_seq is not None:
            self.gaps += header.seq - self.last_seq - 1
        self.last_seq = header.seq
        return OpenedRecord(header.record_type, plaintext)
