"""RFC 6381 codec strings (avc1.64001f, hvc1.1.6.L93.B0, mp4a.40.2) from MP4 sample entries.

Read from the init segment ffmpeg writes, so no second connection to the camera is needed. The
string goes into the manifest so the viewer can ask MediaSource whether it can play the clip.
"""

from __future__ import annotations

from .boxes import BoxError, child

# Bytes before the child boxes of a sample entry (ISO/IEC 14496-12 sections 8.5.2, 12.1, 12.2):
# 6 reserved + 2 data_reference_index, then the visual or the audio fields.
VISUAL_ENTRY_FIELDS = 8 + 70
AUDIO_ENTRY_FIELDS = 8 + 20


def codec_string(entry_type: bytes, entry: memoryview) -> str:
    """The codec string of one sample entry (a child of stsd); the bare 4CC if not understood."""
    fourcc = entry_type.decode("ascii", "replace")
    if entry_type in (b"avc1", b"avc3"):
        avcc = child(entry[VISUAL_ENTRY_FIELDS:], b"avcC")
        if avcc is not None and len(avcc.payload) >= 4:
            profile, compatibility, level = avcc.payload[1:4]
            return f"{fourcc}.{profile:02x}{compatibility:02x}{level:02x}"
    elif entry_type in (b"hvc1", b"hev1"):
        hvcc = child(entry[VISUAL_ENTRY_FIELDS:], b"hvcC")
        if hvcc is not None and len(hvcc.payload) >= 13:
            return f"{fourcc}.{_hevc_suffix(bytes(hvcc.payload[:13]))}"
    elif entry_type == b"mp4a":
        esds = child(entry[AUDIO_ENTRY_FIELDS:], b"esds")
        if esds is not None:
            return _mp4a_string(bytes(esds.payload[4:]))
    return fourcc


def _hevc_suffix(config: bytes) -> str:
    """ISO/IEC 14496-15 annex E: profile space+idc, compatibility, tier+level, constraints."""
    profile_space = ("", "A", "B", "C")[config[1] >> 6]
    tier = "H" if config[1] & 0x20 else "L"
    profile_idc = config[1] & 0x1F
    # The 32 compatibility flags are written in reverse bit order, in hex without leading zeros.
    compatibility = int(f"{int.from_bytes(config[2:6], 'big'):032b}"[::-1], 2)
    constraints = config[6:12].rstrip(b"\x00")
    level_idc = config[12]
    parts = [f"{profile_space}{profile_idc}", f"{compatibility:x}", f"{tier}{level_idc}"]
    parts += [f"{byte:X}" for byte in constraints]
    return ".".join(parts)


def _descriptors(data: bytes) -> dict[int, bytes]:
    """The MPEG-4 descriptors laid end to end in `data`, by tag (ISO/IEC 14496-1 section 8.3.3)."""
    found: dict[int, bytes] = {}
    offset = 0
    while offset + 2 <= len(data):
        tag = data[offset]
        offset += 1
        length = 0
        for _ in range(4):  # the length takes 1 to 4 bytes of 7 bits, high bit = "more follows"
            if offset >= len(data):
                raise BoxError("esds descriptor length cut short")
            byte = data[offset]
            offset += 1
            length = (length << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        found.setdefault(tag, data[offset : offset + length])
        offset += length
    return found


def _mp4a_string(esds_body: bytes) -> str:
    """mp4a.OO.A: object type (0x40 for MPEG-4 audio) and, for 0x40, the audio object type."""
    es = _descriptors(esds_body).get(0x03)
    if es is None or len(es) < 3:
        return "mp4a"
    flags = es[2]
    offset = 3 + (2 if flags & 0x80 else 0) + (2 if flags & 0x20 else 0)
    if flags & 0x40 and offset < len(es):
        offset += 1 + es[offset]  # URL string
    decoder_config = _descriptors(es[offset:]).get(0x04)
    if decoder_config is None or len(decoder_config) < 13:
        return "mp4a"
    object_type = decoder_config[0]
    if object_type != 0x40:
        return f"mp4a.{object_type:x}"
    specific = _descriptors(decoder_config[13:]).get(0x05, b"")
    if not specific:
        return "mp4a.40"
    audio_object_type = specific[0] >> 3
    if audio_object_type == 31 and len(specific) >= 2:  # escape: 32 + the next six bits
        audio_object_type = 32 + (((specific[0] & 0x07) << 3) | (specific[1] >> 5))
    return f"mp4a.40.{audio_object_type}"
