"""Cutting the fragment stream into clips: continuous clips of N seconds, or event clips.

Cuts fall on fragment boundaries, and every fragment starts with a keyframe, so each clip is the
init segment followed by whole GOPs and plays alone. Lengths are measured in stream time (tfdt),
never by the agent's clock: a slow pipe or a busy machine does not change what a clip contains.
"""

from __future__ import annotations

import asyncio
import collections
import time
from dataclasses import dataclass

from .fmp4 import Fragment, InitSegment, clip_time_offsets, rebase_fragment
from .settings import CaptureSettings
from .sink import ClipSink, ClipWriter
from .thumbnail import first_keyframe_jpeg

# Cameras that send SPS/PPS in RTP packets of their own make ffmpeg write them as a zero-length
# keyframe fragment before the real one: the thumbnail takes fragments until one has a duration.
THUMBNAIL_MAX_FRAGMENTS = 3


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True)
class StreamClock:
    """Maps stream time to wall-clock time (Unix ms) for one ffmpeg session.

    ffmpeg's output time starts at 0 with the first packet it received, which came right after
    it was started (RTSP set-up: a few round trips, well under a second on a LAN), so stream time
    s is taken to be `started_ms + s`. The first fragment's arrival bounds this from the other
    side: its GOP cannot have begun after it arrived less its duration (that bound alone would be
    late by however long ffmpeg spent probing the stream). Cameras' own clocks (RTCP sender
    reports) are not used: many are never set.
    """

    wall_origin_ms: int
    stream_origin_ms: int

    @classmethod
    def at_first_fragment(cls, fragment: Fragment, started_ms: int) -> StreamClock:
        latest_ms = wall_clock_ms() - (fragment.end_ms - fragment.start_ms)
        return cls(min(started_ms + fragment.start_ms, latest_ms), fragment.start_ms)

    def wall_ms(self, stream_ms: int) -> int:
        return self.wall_origin_ms + (stream_ms - self.stream_origin_ms)


class OpenClip:
    """A clip being written to the sink, with its thumbnail being made beside it."""

    def __init__(
        self,
        writer: ClipWriter,
        clock: StreamClock,
        first: Fragment,
        thumbnail_ffmpeg: str | None,
        time_offsets: dict[int, int],
    ) -> None:
        self._writer = writer
        self._clock = clock
        self.start_ms = first.start_ms
        self.end_ms = first.start_ms
        # The clip's own timeline starts at 0 (fmp4.rebase_fragment); cutting and the wall-clock
        # mapping keep using the session's stream time of each Fragment.
        self._time_offsets = time_offsets
        # ffmpeg to make the thumbnail with (None: thumbnails off), and the MP4 head it reads.
        self._thumbnail_ffmpeg = thumbnail_ffmpeg
        self._thumbnail_head: list[bytes] | None = None
        self._thumbnail: asyncio.Task[bytes | None] | None = None

    @classmethod
    async def open(
        cls,
        sink: ClipSink,
        settings: CaptureSettings,
        init: InitSegment,
        clock: StreamClock,
        first: Fragment,
    ) -> OpenClip:
        writer = await sink.start_clip(
            camera_id=settings.camera_id,
            start_ms=clock.wall_ms(first.start_ms),
            codecs=init.codecs,
            mime=init.mime,
        )
        clip = cls(
            writer,
            clock,
            first,
            settings.ffmpeg_path if settings.thumbnails else None,
            clip_time_offsets(init, first),
        )
        if settings.thumbnails:
            clip._thumbnail_head = [init.data]
        await writer.write(init.data)
        return clip

    async def add(self, fragment: Fragment) -> None:
        data = rebase_fragment(fragment, self._time_offsets)
        await self._writer.write(data)
        self.end_ms = max(self.end_ms, fragment.end_ms)
        head = self._thumbnail_head
        if head is not None and self._thumbnail_ffmpeg is not None:
            head.append(data)
            if fragment.end_ms > fragment.start_ms or len(head) > THUMBNAIL_MAX_FRAGMENTS:
                self._thumbnail = asyncio.create_task(
                    first_keyframe_jpeg(b"".join(head), ffmpeg_path=self._thumbnail_ffmpeg),
                    name="clip-thumbnail",
                )
                self._thumbnail_head = None

    async def finish(self) -> None:
        thumbnail = await self._thumbnail if self._thumbnail is not None else None
        await self._writer.finish(end_ms=self._clock.wall_ms(self.end_ms), thumbnail_jpeg=thumbnail)

    async def abort(self, reason: str) -> None:
        if self._thumbnail is not None:
            self._thumbnail.cancel()
        await self._writer.abort(reason)


class EventTrigger:
    """Motion on/off, set by the event source (ONVIF) and read by the cutter at each fragment.

    A start that ends again before the next fragment still records: `start` is latched.
    """

    def __init__(self) -> None:
        self._active = False
        self._started = False

    def start(self) -> None:
        self._active = True
        self._started = True

    def end(self) -> None:
        self._active = False

    @property
    def active(self) -> bool:
        return self._active

    def take(self) -> tuple[bool, bool]:
        """(active now, started since the last take)."""
        started, self._started = self._started, False
        return self._active, started


class Cutter:
    """Common part: the sink, the init segment, the clock, and at most one open clip."""

    def __init__(
        self, sink: ClipSink, settings: CaptureSettings, init: InitSegment, started_ms: int
    ) -> None:
        self._sink = sink
        self._settings = settings
        self._init = init
        self._started_ms = started_ms  # wall clock when this session's ffmpeg was started
        self._clock: StreamClock | None = None
        self.clip: OpenClip | None = None

    def _clock_for(self, fragment: Fragment) -> StreamClock:
        if self._clock is None:
            self._clock = StreamClock.at_first_fragment(fragment, self._started_ms)
        return self._clock

    async def _open(self, first: Fragment) -> OpenClip:
        clip = await OpenClip.open(
            self._sink, self._settings, self._init, self._clock_for(first), first
        )
        self.clip = clip
        return clip

    async def on_fragment(self, fragment: Fragment) -> None:
        raise NotImplementedError

    async def close(self, abort_reason: str | None) -> None:
        """End of the session: finish the open clip, or abort it with the reason."""
        clip, self.clip = self.clip, None
        if clip is None:
            return
        if abort_reason is None:
            await clip.finish()
        else:
            await clip.abort(abort_reason)


class ContinuousCutter(Cutter):
    """Back-to-back clips; each ends at the first keyframe at or after clip_seconds."""

    async def on_fragment(self, fragment: Fragment) -> None:
        self._clock_for(fragment)
        clip = self.clip
        if clip is not None and fragment.keyframe:
            elapsed_ms = fragment.start_ms - clip.start_ms
            # A negative elapsed time is a timestamp jump in the stream: cut there too.
            if elapsed_ms >= self._settings.clip_seconds * 1000 or elapsed_ms < 0:
                await self.close(None)
                clip = None
        if clip is None:
            if not fragment.keyframe:
                return  # a clip must start on a keyframe to play alone
            clip = await self._open(fragment)
        await clip.add(fragment)


class EventCutter(Cutter):
    """Clips around motion: pre-roll from memory, post-roll after the end, a maximum length."""

    def __init__(
        self,
        sink: ClipSink,
        settings: CaptureSettings,
        init: InitSegment,
        started_ms: int,
        trigger: EventTrigger,
    ) -> None:
        super().__init__(sink, settings, init, started_ms)
        self._trigger = trigger
        self._preroll: collections.deque[Fragment] = collections.deque()
        self._motion_end_ms: int | None = None

    def _hold(self, fragment: Fragment) -> None:
        """Keep whole GOPs covering at least preroll_seconds before the newest fragment's end."""
        self._preroll.append(fragment)
        horizon_ms = fragment.end_ms - self._settings.preroll_seconds * 1000
        while len(self._preroll) > 1 and self._preroll[1].start_ms <= horizon_ms:
            self._preroll.popleft()

    async def on_fragment(self, fragment: Fragment) -> None:
        self._clock_for(fragment)
        active, started = self._trigger.take()
        clip = self.clip
        if clip is not None:
            if active or started:
                self._motion_end_ms = None
            elif self._motion_end_ms is None:
                # Noticed now, at the end of this GOP: the post-roll counts from here, so it is
                # never shorter than asked for.
                self._motion_end_ms = fragment.end_ms
            if fragment.keyframe and self._should_end(clip, fragment):
                await self.close(None)
                # Motion still going on at the maximum length: go on in a new clip.
                started = self._trigger.active
            else:
                await clip.add(fragment)
                return
        self._hold(fragment)
        if active or started:
            await self._start_from_preroll(motion_over=not active)

    def _should_end(self, clip: OpenClip, fragment: Fragment) -> bool:
        if fragment.start_ms - clip.start_ms >= self._settings.max_clip_seconds * 1000:
            return True
        end = self._motion_end_ms
        return end is not None and fragment.start_ms >= end + self._settings.postroll_seconds * 1000

    async def _start_from_preroll(self, *, motion_over: bool) -> None:
        held = list(self._preroll)
        self._preroll.clear()
        while held and not held[0].keyframe:
            held.pop(0)
        if not held:
            return
        clip = await self._open(held[0])
        for fragment in held:
            await clip.add(fragment)
        # A motion that started and ended between two fragments ends with the newest one.
        self._motion_end_ms = held[-1].end_ms if motion_over else None

    async def close(self, abort_reason: str | None) -> None:
        self._preroll.clear()
        await super().close(abort_reason)
