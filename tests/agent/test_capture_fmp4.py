"""The MP4 box reader and codec strings, on hand-made boxes (the RTSP tests use real ffmpeg)."""

from __future__ import annotations

import asyncio
import struct

import pytest

from camera_agent.capture.boxes import BoxError
from camera_agent.capture.codecs import AUDIO_ENTRY_FIELDS, VISUAL_ENTRY_FIELDS, codec_string
from camera_agent.capture.ffmpeg import audio_plan
from camera_agent.capture.fmp4 import MAX_BOX_BYTES, FragmentReader


def box(box_type: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), box_type) + payload


def reader_over(data: bytes) -> FragmentReader:
    stream = asyncio.StreamReader()
    stream.feed_data(data)
    stream.feed_eof()
    return FragmentReader(stream.readexactly)


def test_avc_codec_string_comes_from_avcc() -> None:
    entry = bytes(VISUAL_ENTRY_FIELDS) + box(b"avcC", bytes([1, 0x64, 0x00, 0x1F, 0xFF]))
    assert codec_string(b"avc1", memoryview(entry)) == "avc1.64001f"


def test_hevc_codec_string_follows_iso_14496_15_annex_e() -> None:
    # Main profile, compatibility flags 1 and 2, main tier, level 3.1, progressive-source flag.
    config = bytes([1, 0x01, 0x60, 0, 0, 0, 0xB0, 0, 0, 0, 0, 0, 93]) + bytes(10)
    entry = bytes(VISUAL_ENTRY_FIELDS) + box(b"hvcC", config)
    assert codec_string(b"hvc1", memoryview(entry)) == "hvc1.1.6.L93.B0"


def test_aac_codec_string_comes_from_esds() -> None:
    specific = bytes([0x05, 2, 0x14, 0x08])  # AudioSpecificConfig: AAC-LC (object type 2)
    decoder = bytes([0x04, 13 + len(specific), 0x40, 0x15]) + bytes(11) + specific
    es = bytes([0x03, 3 + len(decoder), 0, 1, 0]) + decoder
    entry = bytes(AUDIO_ENTRY_FIELDS) + box(b"esds", bytes(4) + es)
    assert codec_string(b"mp4a", memoryview(entry)) == "mp4a.40.2"


def test_unknown_sample_entry_falls_back_to_its_fourcc() -> None:
    assert codec_string(b"Opus", memoryview(bytes(AUDIO_ENTRY_FIELDS))) == "Opus"


async def test_a_stream_must_start_with_the_init_segment() -> None:
    with pytest.raises(BoxError, match="ftyp, moov"):
        await reader_over(box(b"moof", b"") + box(b"mdat", b"")).read_init()


async def test_an_oversized_box_is_refused_before_it_is_buffered() -> None:
    header = struct.pack(">I4s", 1, b"ftyp") + struct.pack(">Q", MAX_BOX_BYTES + 1)
    with pytest.raises(BoxError, match="unacceptable size"):
        await reader_over(header).read_init()


async def test_a_stream_cut_inside_a_header_is_an_error() -> None:
    with pytest.raises(BoxError, match="header"):
        await reader_over(b"\x00\x00\x00").read_init()


def test_audio_plan_keeps_mp4_audio_and_applies_the_g711_policy() -> None:
    assert audio_plan("aac", "drop") == "copy"
    assert audio_plan(None, "transcode") == "none"
    assert audio_plan("pcm_alaw", "transcode") == "aac"
    assert audio_plan("pcm_mulaw", "drop") == "none"
