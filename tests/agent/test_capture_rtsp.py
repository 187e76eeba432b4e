"""Capture from a real GStreamer RTSP camera with real ffmpeg: clips, events, reconnects, audio."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import pytest

from camera_agent.capture.boxes import child, children, full_box, iter_boxes, path
from camera_agent.capture.camera import run_camera
from camera_agent.capture.codecs import VISUAL_ENTRY_FIELDS
from camera_agent.capture.cutter import EventTrigger
from camera_agent.capture.fmp4 import children_of_stsd
from camera_agent.capture.settings import CaptureSettings
from devstack.rtsp_camera import MARKER, RtspCamera
from tests.agent.capture_memory_sink import WAIT_LIMIT_SECONDS, MemoryClip, MemorySink
from tests.agent.ffprobe import Probe, ffprobe

pytestmark = pytest.mark.slow

GOP_SECONDS = 1.0  # the test camera's keyframe interval (rtsp_server.py)


@pytest.fixture
def camera() -> Iterator[RtspCamera]:
    with RtspCamera(video="h264", audio="aac") as running:
        yield running


def settings_for(camera: RtspCamera, **overrides: object) -> CaptureSettings:
    values: dict[str, object] = {
        "camera_id": "front",
        "rtsp_url": camera.url,
        "clip_seconds": 2.0,
        "stall_seconds": 10.0,
        "backoff_initial_seconds": 0.2,
        "backoff_max_seconds": 1.0,
    }
    values.update(overrides)
    return CaptureSettings(**values)  # type: ignore[arg-type]


class Recorder:
    """run_camera as a background task, stopped (and awaited) by stop()."""

    def __init__(self, settings: CaptureSettings, trigger: EventTrigger | None = None) -> None:
        self.sink = MemorySink()
        self.stop_event = asyncio.Event()
        self.task = asyncio.create_task(
            run_camera(settings, self.sink, self.stop_event, trigger), name="test-capture"
        )

    async def stop(self) -> None:
        self.stop_event.set()
        # A guard against a hang only: run_camera must return by itself once stopped.
        await asyncio.wait_for(self.task, WAIT_LIMIT_SECONDS)


async def assert_playable(
    clip: MemoryClip, *, video: str = "h264", audio: str | None = "aac"
) -> Probe:
    """The clip's plaintext is an MP4 ffprobe reads alone, starting on a keyframe."""
    assert clip.data[4:8] == b"ftyp"
    probed = await asyncio.to_thread(ffprobe, bytes(clip.data))
    expected = {"video": video} | ({"audio": audio} if audio else {})
    assert probed.codecs == expected
    assert probed.starts_with_keyframe
    return probed


async def test_continuous_clips_have_the_configured_length_and_play_alone(
    camera: RtspCamera,
) -> None:
    recorder = Recorder(settings_for(camera, clip_seconds=3.0))
    await recorder.sink.wait_until_finished(2)
    await recorder.stop()

    clips = recorder.sink.finished
    assert recorder.sink.aborted == []
    assert len(clips) >= 3  # two cut by length, one finished by the shutdown
    for clip in clips[:2]:
        probed = await assert_playable(clip)
        # Cut at the first keyframe at or after 3 s of stream time: within one GOP of it.
        # (rounded: ffprobe's packet times are decimal strings, summed here as floats)
        assert 3.0 <= round(probed.video_seconds, 3) < 3.0 + GOP_SECONDS + 0.2
        assert clip.end_ms is not None
        assert 3000 <= clip.end_ms - clip.start_ms < 3000 + GOP_SECONDS * 1000 + 200
        assert clip.codecs.startswith("avc1.") and clip.codecs.endswith(",mp4a.40.2")
        assert clip.mime == "video/mp4"
        assert clip.thumbnail_jpeg is not None and clip.thumbnail_jpeg.startswith(b"\xff\xd8")
    # Back to back: the next clip starts where the previous one ended, nothing lost between.
    assert clips[0].end_ms is not None
    assert abs(clips[1].start_ms - clips[0].end_ms) <= 2


async def test_the_plaintext_carries_the_marker(camera: RtspCamera) -> None:
    # What the later "no plaintext on disk" checks search for is really in the captured bytes.
    recorder = Recorder(settings_for(camera))
    clips = await recorder.sink.wait_until_finished(2)
    await recorder.stop()
    assert all(MARKER in clip.data for clip in clips)


async def test_shutdown_finishes_the_open_clip(camera: RtspCamera) -> None:
    recorder = Recorder(settings_for(camera, clip_seconds=600.0))
    await recorder.sink.wait_until(lambda sink: len(sink.clips) == 1)
    # Let it record a few GOPs, so that there is an open clip with content to flush.
    await asyncio.sleep(2.5)
    await recorder.stop()

    (clip,) = recorder.sink.clips
    assert clip.finished and clip.abort_reason is None
    probed = await assert_playable(clip)
    assert round(probed.video_seconds, 3) >= 2 * GOP_SECONDS


async def test_event_clip_includes_the_preroll(camera: RtspCamera) -> None:
    trigger = EventTrigger()
    settings = settings_for(
        camera, mode="event", preroll_seconds=3.0, postroll_seconds=1.0, max_clip_seconds=20.0
    )
    recorder = Recorder(settings, trigger)
    await asyncio.sleep(4.5)  # let the pre-roll fill: more than preroll_seconds of stream
    assert recorder.sink.clips == []  # nothing is recorded without an event
    motion_ms = time.time_ns() // 1_000_000
    trigger.start()
    await asyncio.sleep(0.5)
    trigger.end()
    (clip,) = await recorder.sink.wait_until_finished(1)
    await recorder.stop()

    probed = await assert_playable(clip)
    # The clip begins seconds before the motion: whole GOPs of pre-roll held in memory.
    assert clip.start_ms <= motion_ms - 1500
    # Pre-roll, the motion and its post-roll are all in the clip.
    assert round(probed.video_seconds, 3) >= 3.0 + 1.0
    assert clip.end_ms is not None and clip.end_ms >= motion_ms + 1000


async def test_a_dropped_stream_reconnects_and_recording_resumes(camera: RtspCamera) -> None:
    recorder = Recorder(settings_for(camera, clip_seconds=2.0))
    await recorder.sink.wait_until_finished(1)
    camera.kill()
    # ffmpeg sees the connection close and exits; the open clip is finished short, not lost.
    await recorder.sink.wait_until(lambda sink: all(clip.finished for clip in sink.clips))
    assert recorder.sink.aborted == []
    await assert_playable(recorder.sink.clips[-1])
    clips_before = len(recorder.sink.clips)
    camera.start()  # the camera comes back on the same port
    await recorder.sink.wait_until(
        lambda sink: any(clip.finished for clip in sink.clips[clips_before:])
    )
    await recorder.stop()

    resumed = next(clip for clip in recorder.sink.clips[clips_before:] if clip.finished)
    await assert_playable(resumed)
    assert MARKER in resumed.data


@pytest.mark.parametrize(
    ("audio", "g711", "expected_audio", "expected_codecs_end"),
    [
        ("pcma", "transcode", "aac", ",mp4a.40.2"),
        ("pcmu", "drop", None, None),
        ("none", "transcode", None, None),
    ],
)
async def test_g711_and_silent_cameras_record(
    audio: str, g711: str, expected_audio: str | None, expected_codecs_end: str | None
) -> None:
    with RtspCamera(video="h264", audio=audio) as camera:
        recorder = Recorder(settings_for(camera, g711=g711))
        (clip, *_) = await recorder.sink.wait_until_finished(1)
        await recorder.stop()
    await assert_playable(clip, audio=expected_audio)
    if expected_codecs_end is None:
        assert "," not in clip.codecs and clip.codecs.startswith("avc1.")
    else:
        assert clip.codecs.endswith(expected_codecs_end)


def video_sample_entry(mp4: bytes) -> tuple[bytes, memoryview]:
    """The (type, payload) of the video track's sample entry in a clip's init segment."""
    moov = next(box for box in iter_boxes(mp4) if box.type == b"moov")
    for trak in children(moov.payload, b"trak"):
        mdia = path(trak.payload, b"mdia")
        if bytes(full_box(path(mdia.payload, b"hdlr").payload)[2][4:8]) == b"vide":
            stsd = full_box(path(mdia.payload, b"minf", b"stbl", b"stsd").payload)[2]
            return children_of_stsd(stsd)[0]
    raise AssertionError("no video track")


def hvcc_parameter_sets(entry: memoryview) -> dict[int, tuple[bool, int]]:
    """NAL unit type -> (array_completeness, NAL unit count) of each array in the hvcC box
    (ISO/IEC 14496-15 section 8.3.3.1: 22 bytes of fields, numOfArrays, then the arrays)."""
    hvcc = child(entry[VISUAL_ENTRY_FIELDS:], b"hvcC")
    assert hvcc is not None, "the sample entry has no hvcC"
    config = bytes(hvcc.payload)
    arrays: dict[int, tuple[bool, int]] = {}
    offset = 23
    for _ in range(config[22]):
        kind, count = config[offset], int.from_bytes(config[offset + 1 : offset + 3], "big")
        offset += 3
        for _unit in range(count):
            offset += 2 + int.from_bytes(config[offset : offset + 2], "big")
        arrays[kind & 0x3F] = (bool(kind & 0x80), count)
    return arrays


async def test_h265_is_copied_and_tagged_hvc1_for_safari() -> None:
    with RtspCamera(video="h265", audio="none") as camera:
        recorder = Recorder(settings_for(camera))
        (clip, *_) = await recorder.sink.wait_until_finished(1)
        await recorder.stop()
    await assert_playable(clip, video="hevc", audio=None)
    # ffmpeg's default tag for copied H.265 is hev1, which Safari refuses through MediaSource;
    # hvc1 carries the parameter sets in the init segment, where Safari wants them.
    entry_type, entry = video_sample_entry(bytes(clip.data))
    assert entry_type == b"hvc1"
    arrays = hvcc_parameter_sets(entry)
    for nal_type in (32, 33, 34):  # VPS, SPS, PPS: present, and complete (hvc1's promise)
        assert arrays.get(nal_type, (False, 0))[1] >= 1, (nal_type, arrays)
        assert arrays[nal_type][0], (nal_type, arrays)
    # The manifest's codec string follows the sample entry.
    assert clip.codecs.startswith("hvc1.") and "," not in clip.codecs
    assert clip.codecs.count(".") >= 3  # profile, compatibility, tier+level[, constraints]
    assert clip.thumbnail_jpeg is not None and clip.thumbnail_jpeg.startswith(b"\xff\xd8")
    assert MARKER in clip.data


def _more_clips_than(count: int) -> Callable[[MemorySink], bool]:
    return lambda sink: len(sink.clips) > count


async def test_a_camera_dropping_every_20_s_still_records_with_60_s_clips() -> None:
    """Fault: the camera hangs up every ~20 s, mid-clip (clips are 60 s). On main every clip
    was aborted at the drop and deleted, so such a camera recorded nothing at all."""
    with RtspCamera(video="h264", audio="aac") as camera:
        recorder = Recorder(settings_for(camera, clip_seconds=60.0))
        for _drop in range(2):
            await recorder.sink.wait_until(lambda sink: len(sink.clips) >= 1)
            await asyncio.sleep(20.0)  # the drop cadence, not a measurement
            camera.kill()
            await recorder.sink.wait_until(
                lambda sink: bool(sink.clips) and all(clip.finished for clip in sink.clips)
            )
            clips_so_far = len(recorder.sink.clips)
            camera.start()
            await recorder.sink.wait_until(_more_clips_than(clips_so_far))
        await recorder.stop()

    short_clips = recorder.sink.clips[:2]
    assert recorder.sink.aborted == []
    for clip in short_clips:
        probed = await assert_playable(clip)
        assert MARKER in clip.data
        # Most of the 20 s between drops is kept (the rest is connection set-up).
        assert probed.video_seconds >= 10.0
