"""TEMPORARY stand-in for protocol/live.py's parse_record_header until live-proto lands."""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .protocol.errors import MalformedObject

RECORD_HEADER_BYTES = 36
MAX_CT_LEN = (1 << 24) + 16


@dataclass(frozen=True)
class RecordHeader:
    record_type: int
    session_id: bytes
    seq: int
    ct_len: int


def parse_record_header(data: bytes) -> RecordHeader:
    if len(data) != RECORD_HEADER_BYTES or data[:4] != b"E2LV":
        raise MalformedObject("not a live record header")
    if data[4] not in (1, 2, 3) or data[5:8] != b"\0\0\0":
        raise MalformedObject("bad record type or reserved bytes")
    seq, ct_len = struct.unpack(">QI", data[24:36])
    if not 16 <= ct_len <= MAX_CT_LEN:
        raise MalformedObject("ct_len out of range")
    return RecordHeader(data[4], data[8:24], seq, ct_len)
