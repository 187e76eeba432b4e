"""Fragmented MP4 from a pipe: the init segment, then one fragment (moof+mdat) at a time.

ffmpeg's `-movflags frag_keyframe+empty_moov+default_base_moof` writes ftyp and an empty moov,
then a moof+mdat pair per keyframe, so every fragment starts with a keyframe and is one GOP.
Memory is bounded: the reader holds one box at a time and refuses boxes over MAX_BOX_BYTES.

The bytes come from a camera (through ffmpeg's muxer, which copies the camera's codec data), so
they are parsed as hostile: every malformed box raises BoxError and nothing else (no
struct.error, UnicodeDecodeError or IndexError escapes), and no field makes the parser loop or
allocate beyond the box it sits in. tests/fuzz/fuzz_fmp4.py holds the fuzz target.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

from .boxes import BoxError, child, children, full_box, iter_boxes, path
from .codecs import codec_string

# A 12 Mbit/s camera with 10-second GOPs makes 15 MB fragments; anything far beyond that is not a
# camera stream we should buffer.
MAX_BOX_BYTES = 64 * 1024 * 1024
# tfhd/trun/trex sample flags: sample_is_non_sync_sample (ISO/IEC 14496-12 section 8.8.3.1).
NON_SYNC_SAMPLE = 0x00010000

ReadExactly = Callable[[int], Awaitable[bytes]]


@dataclass(frozen=True)
class Track:
    """One track of the init segment."""

    track_id: int
    handler: str  # "vide", "soun", ...
    timescale: int
    codec: str
    default_sample_duration: int
    default_sample_flags: int


@dataclass(frozen=True)
class InitSegment:
    """ftyp+moov, which every clip starts with so that it plays alone."""

    data: bytes
    tracks: dict[int, Track]

    @property
    def timing_track(self) -> Track:
        """The track whose time cuts clips: the video track, else the first one."""
        video = [track for track in self.tracks.values() if track.handler == "vide"]
        return (video or list(self.tracks.values()))[0]

    @property
    def codecs(self) -> str:
        """RFC 6381 codecs parameter, video first: e.g. "avc1.64001f,mp4a.40.2"."""
        ordered = sorted(self.tracks.values(), key=lambda t: (t.handler != "vide", t.track_id))
        return ",".join(track.codec for track in ordered)

    @property
    def mime(self) -> str:
        has_video = any(track.handler == "vide" for track in self.tracks.values())
        return "video/mp4" if has_video else "audio/mp4"


@dataclass(frozen=True)
class Fragment:
    """moof+mdat with its place in stream time (milliseconds on the timing track's clock)."""

    data: bytes
    start_ms: int
    end_ms: int
    keyframe: bool
    # (track id, tfdt) of every track in the fragment; empty when not parsed from a stream.
    decode_times: tuple[tuple[int, int], ...] = ()


@contextlib.contextmanager
def _malformed_as_box_error(what: str) -> Iterator[None]:
    """A short or inconsistent field read by struct, an index or a decode becomes BoxError."""
    try:
        yield
    except (struct.error, UnicodeDecodeError, IndexError, KeyError, OverflowError) as err:
        raise BoxError(f"malformed {what}: {type(err).__name__}: {err}") from None


def parse_init(ftyp: bytes, moov: bytes) -> InitSegment:
    with _malformed_as_box_error("init segment"):
        return _parse_init(ftyp, moov)


def _parse_init(ftyp: bytes, moov: bytes) -> InitSegment:
    moov_body = memoryview(moov)[8:]
    defaults: dict[int, tuple[int, int]] = {}
    mvex = child(moov_body, b"mvex")
    for trex in children(mvex.payload, b"trex") if mvex else []:
        track_id, _index, duration, _size, flags = struct.unpack_from(
            ">5I", full_box(trex.payload)[2]
        )
        defaults[track_id] = (duration, flags)
    tracks: dict[int, Track] = {}
    for trak in children(moov_body, b"trak"):
        version, _flags, tkhd = full_box(path(trak.payload, b"tkhd").payload)
        (track_id,) = struct.unpack_from(">I", tkhd, 16 if version == 1 else 8)
        mdia = path(trak.payload, b"mdia")
        version, _flags, mdhd = full_box(path(mdia.payload, b"mdhd").payload)
        (timescale,) = struct.unpack_from(">I", mdhd, 16 if version == 1 else 8)
        handler = bytes(full_box(path(mdia.payload, b"hdlr").payload)[2][4:8]).decode("ascii")
        stsd = full_box(path(mdia.payload, b"minf", b"stbl", b"stsd").payload)[2]
        entry = next(iter(children_of_stsd(stsd)), None)
        codec = codec_string(entry[0], entry[1]) if entry else "unknown"
        duration, flags = defaults.get(track_id, (0, 0))
        tracks[track_id] = Track(track_id, handler, timescale or 1, codec, duration, flags)
    if not tracks:
        raise BoxError("moov has no track")
    return InitSegment(ftyp + moov, tracks)


def children_of_stsd(stsd_body: memoryview) -> list[tuple[bytes, memoryview]]:
    """The sample entries of an stsd body (after the entry count)."""
    return [(box.type, box.payload) for box in iter_boxes(stsd_body[4:])]


def parse_fragment(init: InitSegment, moof: bytes, mdat: bytes) -> Fragment:
    """Stream time from the timing track's tfdt; keyframe from its first sample's flags."""
    with _malformed_as_box_error("fragment"):
        return _parse_fragment(init, moof, mdat)


def _parse_fragment(init: InitSegment, moof: bytes, mdat: bytes) -> Fragment:
    timing = init.timing_track
    decode_times = tuple(
        (track_id, _decode_time(tfdt)[1]) for track_id, tfdt in _trafs(memoryview(moof))
    )
    for traf in children(memoryview(moof)[8:], b"traf"):
        _v, tfhd_flags, tfhd = full_box(path(traf.payload, b"tfhd").payload)
        (track_id,) = struct.unpack_from(">I", tfhd, 0)
        if track_id != timing.track_id:
            continue
        duration, flags = _tfhd_defaults(tfhd_flags, tfhd, timing)
        version, _f, tfdt = full_box(path(traf.payload, b"tfdt").payload)
        (decode_time,) = struct.unpack_from(">Q" if version == 1 else ">I", tfdt, 0)
        total, first_flags = _trun_summary(traf.payload, duration, flags)
        scale = timing.timescale
        return Fragment(
            data=moof + mdat,
            start_ms=decode_time * 1000 // scale,
            end_ms=(decode_time + total) * 1000 // scale,
            keyframe=not first_flags & NON_SYNC_SAMPLE,
            decode_times=decode_times,
        )
    raise BoxError(f"fragment without the timing track {timing.track_id}")


def _tfhd_defaults(tfhd_flags: int, tfhd: memoryview, track: Track) -> tuple[int, int]:
    """(default duration, default flags) for a traf: tfhd's where present, else trex's."""
    offset = 4 + (8 if tfhd_flags & 0x01 else 0) + (4 if tfhd_flags & 0x02 else 0)
    duration, flags = track.default_sample_duration, track.default_sample_flags
    if tfhd_flags & 0x08:
        (duration,) = struct.unpack_from(">I", tfhd, offset)
        offset += 4
    if tfhd_flags & 0x10:
        offset += 4
    if tfhd_flags & 0x20:
        (flags,) = struct.unpack_from(">I", tfhd, offset)
    return duration, flags


def _trun_summary(traf: memoryview, duration: int, flags: int) -> tuple[int, int]:
    """(sum of sample durations, flags of the first sample) over the traf's trun boxes."""
    total = 0
    first_flags: int | None = None
    for trun in children(traf, b"trun"):
        _v, trun_flags, body = full_box(trun.payload)
        (count,) = struct.unpack_from(">I", body, 0)
        offset = 4 + (4 if trun_flags & 0x01 else 0)
        if trun_flags & 0x04:
            (first,) = struct.unpack_from(">I", body, offset)
            first_flags = first if first_flags is None else first_flags
            offset += 4
        fields = [bit for bit in (0x100, 0x200, 0x400, 0x800) if trun_flags & bit]
        # The sample count is the camera's word; the body must hold that many records, so a
        # count of 2^32 cannot turn into four billion iterations.
        if count * 4 * len(fields) > len(body) - offset:
            raise BoxError(f"trun announces {count} samples its body does not hold")
        if not fields:
            total += count * duration
            continue
        for index in range(count):
            values = dict(
                zip(fields, struct.unpack_from(f">{len(fields)}I", body, offset), strict=True)
            )
            offset += 4 * len(fields)
            total += values.get(0x100, duration)
            if first_flags is None and index == 0:
                first_flags = values.get(0x400, flags)
    return total, flags if first_flags is None else first_flags


def _trafs(moof_and_mdat: memoryview) -> list[tuple[int, memoryview]]:
    """(track id, tfdt box payload) of each traf of the moof that starts `moof_and_mdat`."""
    moof = next(iter_boxes(moof_and_mdat), None)
    if moof is None or moof.type != b"moof":
        raise BoxError("a fragment must start with moof")
    found = []
    for traf in children(moof.payload, b"traf"):
        (track_id,) = struct.unpack_from(">I", full_box(path(traf.payload, b"tfhd").payload)[2])
        found.append((track_id, path(traf.payload, b"tfdt").payload))
    return found


def _decode_time(tfdt: memoryview) -> tuple[str, int]:
    version, _flags, body = full_box(tfdt)
    layout = ">Q" if version == 1 else ">I"
    return layout, struct.unpack_from(layout, body, 0)[0]


def clip_time_offsets(init: InitSegment, first: Fragment) -> dict[int, int]:
    """Per track, what to subtract from every tfdt of a clip starting with fragment `first`.

    One instant (the earliest track start in `first`) becomes time 0 on every track, so the
    tracks keep their relative timing (lip sync) to within one tick of each clock.
    """
    starts = {
        track_id: Fraction(decode_time, init.tracks[track_id].timescale)
        for track_id, decode_time in first.decode_times
        if track_id in init.tracks
    }
    base = min(starts.values(), default=Fraction(0))
    return {tid: int(base * track.timescale) for tid, track in init.tracks.items()}


def rebase_fragment(fragment: Fragment, offsets: Mapping[int, int]) -> bytes:
    """The fragment's bytes with each track's tfdt lowered by offsets[track id] (never below 0).

    ffmpeg's stream time runs on for the whole session (days, for a continuous camera), so a
    clip cut from it would start there: a player of the exported or recovered file would show
    a timeline that long with the picture at its very end. Box sizes do not change, so the
    sample data offsets (relative to the moof) stay right. A fragment not parsed from a stream
    (no decode_times) is returned as it is.
    """
    if not fragment.decode_times:
        return fragment.data
    with _malformed_as_box_error("fragment"):
        return _rebased(fragment, offsets)


def _rebased(fragment: Fragment, offsets: Mapping[int, int]) -> bytes:
    data = bytearray(fragment.data)
    for track_id, tfdt in _trafs(memoryview(data)):
        layout, decode_time = _decode_time(tfdt)
        struct.pack_into(layout, tfdt, 4, max(0, decode_time - offsets.get(track_id, 0)))
    return bytes(data)


class FragmentReader:
    """Reads the init segment, then fragments, from a byte source such as ffmpeg's stdout."""

    def __init__(self, read_exactly: ReadExactly) -> None:
        self._read_exactly = read_exactly
        self.init: InitSegment | None = None

    async def _box(self) -> tuple[bytes, bytes] | None:
        """(type, whole box bytes), or None at a clean end of stream between boxes."""
        try:
            header = await self._read_exactly(8)
        except asyncio.IncompleteReadError as error:
            if error.partial:
                raise BoxError("stream ended inside a box header") from error
            return None
        size, box_type = struct.unpack(">I4s", header)
        if size == 1:
            try:
                header += await self._read_exactly(8)
            except asyncio.IncompleteReadError as error:
                raise BoxError("stream ended inside a box header") from error
            (size,) = struct.unpack_from(">Q", header, 8)
        if size < len(header) or size > MAX_BOX_BYTES:
            raise BoxError(f"box {box_type!r} has unacceptable size {size}")
        try:
            return box_type, header + await self._read_exactly(size - len(header))
        except asyncio.IncompleteReadError as error:
            raise BoxError(f"stream ended inside box {box_type!r}") from error

    async def read_init(self) -> InitSegment:
        ftyp = await self._box()
        moov = await self._box()
        if ftyp is None or moov is None or ftyp[0] != b"ftyp" or moov[0] != b"moov":
            raise BoxError("the stream does not start with ftyp, moov")
        self.init = parse_init(ftyp[1], moov[1])
        return self.init

    async def next_fragment(self) -> Fragment | None:
        """The next moof+mdat; None at end of stream. Other top-level boxes are skipped."""
        if self.init is None:
            raise RuntimeError("read_init() first")
        while (box := await self._box()) is not None:
            if box[0] != b"moof":
                continue  # e.g. mfra, written when ffmpeg closes the file
            mdat = await self._box()
            if mdat is None or mdat[0] != b"mdat":
                raise BoxError("moof not followed by mdat")
            return parse_fragment(self.init, box[1], mdat[1])
        return None
