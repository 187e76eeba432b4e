"""Cutting rules on made-up fragments: where continuous and event clips start and end."""

from __future__ import annotations

from camera_agent.capture.cutter import ContinuousCutter, EventCutter, EventTrigger
from camera_agent.capture.fmp4 import Fragment, InitSegment, Track
from camera_agent.capture.settings import CaptureSettings
from tests.agent.capture_memory_sink import MemoryClip, MemorySink

INIT = InitSegment(b"INIT", {1: Track(1, "vide", 90000, "avc1.42c015", 0, 0)})
STARTED_MS = 1_700_000_000_000  # the session's start on the wall clock


def settings(**overrides: object) -> CaptureSettings:
    values: dict[str, object] = {"camera_id": "cam", "rtsp_url": "rtsp://x/", "thumbnails": False}
    values.update(overrides)
    return CaptureSettings(**values)  # type: ignore[arg-type]


def gops(count: int, length_ms: int = 1000) -> list[Fragment]:
    return [
        Fragment(f"<{i * length_ms}>".encode(), i * length_ms, (i + 1) * length_ms, keyframe=True)
        for i in range(count)
    ]


def fragments_in(clip: MemoryClip) -> list[int]:
    """The start times of the fragments a clip holds, after checking it opens with the init."""
    assert clip.data.startswith(b"INIT")
    return [int(part.split(b">")[0]) for part in clip.data[4:].split(b"<")[1:]]


def event_cutter(**overrides: object) -> tuple[MemorySink, EventTrigger, EventCutter]:
    """An event-mode cutter from time 0 with these settings, its sink and its motion trigger."""
    sink = MemorySink()
    trigger = EventTrigger()
    cutter = EventCutter(sink, settings(mode="event", **overrides), INIT, 0, trigger)
    return sink, trigger, cutter


async def test_continuous_clips_end_at_the_first_keyframe_at_or_after_the_length() -> None:
    sink = MemorySink()
    cutter = ContinuousCutter(sink, settings(clip_seconds=3.0), INIT, STARTED_MS)
    for fragment in gops(10, length_ms=700):
        await cutter.on_fragment(fragment)
    await cutter.close(None)

    starts = [fragments_in(clip)[0] for clip in sink.clips]
    # 0.7 s GOPs: 3.0 s is reached at the fragment starting at 3.5 s, which opens the next clip.
    assert starts == [0, 3500]
    assert fragments_in(sink.clips[0]) == [0, 700, 1400, 2100, 2800]
    first = sink.clips[0]
    assert first.start_ms == STARTED_MS and first.end_ms == STARTED_MS + 3500
    assert sink.clips[1].start_ms == first.end_ms


async def test_a_clip_never_starts_on_a_delta_fragment() -> None:
    sink = MemorySink()
    cutter = ContinuousCutter(sink, settings(clip_seconds=1.0), INIT, STARTED_MS)
    first, second, third = gops(3)
    await cutter.on_fragment(Fragment(first.data, 0, 1000, keyframe=False))
    await cutter.on_fragment(second)
    await cutter.on_fragment(Fragment(third.data, 2000, 3000, keyframe=False))
    await cutter.close("camera gone")

    (clip,) = sink.clips
    assert fragments_in(clip) == [1000, 2000]  # the delta fragment extends the open clip
    assert clip.abort_reason == "camera gone"


async def test_event_clip_has_preroll_motion_and_postroll() -> None:
    sink, trigger, cutter = event_cutter(preroll_seconds=2.0, postroll_seconds=1.0)
    stream = gops(10)
    for fragment in stream[:5]:
        await cutter.on_fragment(fragment)
    assert sink.clips == []
    trigger.start()  # motion during the GOP that starts at 5 s
    await cutter.on_fragment(stream[5])
    trigger.end()
    for fragment in stream[6:]:
        await cutter.on_fragment(fragment)
    await cutter.close(None)

    (clip,) = sink.clips
    # Two GOPs of pre-roll up to the end of the motion's GOP; its end is noticed with the GOP
    # ending at 7 s, and one second of post-roll follows.
    assert fragments_in(clip) == [4000, 5000, 6000, 7000]
    assert clip.finished


async def test_a_short_motion_between_fragments_still_records() -> None:
    sink, trigger, cutter = event_cutter(preroll_seconds=0.0, postroll_seconds=1.0)
    stream = gops(4)
    await cutter.on_fragment(stream[0])
    trigger.start()
    trigger.end()
    for fragment in stream[1:]:
        await cutter.on_fragment(fragment)

    # The motion's GOP (its end noticed there), then one second of post-roll.
    assert [fragments_in(clip) for clip in sink.clips] == [[1000, 2000]]
    assert sink.clips[0].finished


async def test_long_motion_is_split_at_the_maximum_length() -> None:
    sink, trigger, cutter = event_cutter(preroll_seconds=1.0, max_clip_seconds=3.0)
    trigger.start()
    for fragment in gops(8):
        await cutter.on_fragment(fragment)
    await cutter.close(None)

    assert [fragments_in(clip) for clip in sink.clips] == [
        [0, 1000, 2000],
        [3000, 4000, 5000],
        [6000, 7000],
    ]
    assert all(clip.finished for clip in sink.clips)
