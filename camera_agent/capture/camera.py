"""One camera's capture loop: probe, run ffmpeg, cut clips, and reconnect with back-off."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Literal

from ..redact import redact_text
from ..supervise import until_stopped
from .boxes import BoxError
from .cutter import ContinuousCutter, Cutter, EventCutter, EventTrigger, wall_clock_ms
from .ffmpeg import FfmpegProcess, ProbeFailed, StreamStalled, audio_plan, probe_codecs
from .fmp4 import FragmentReader, InitSegment
from .live_tap import LiveTap
from .settings import CaptureSettings
from .sink import ClipSink

_LOGGER = logging.getLogger(__name__)

# What ends one ffmpeg session and calls for a reconnect, rather than a crash of the agent.
SESSION_ERRORS = (ProbeFailed, StreamStalled, BoxError, asyncio.IncompleteReadError, OSError)
CaptureState = Literal["connecting", "recording", "failing", "stopped"]
# Told each change of the camera's state, with a reason for "failing" (credentials redacted).
StateReport = Callable[[CaptureState, str], None]


def _ignore_state(_state: CaptureState, _detail: str) -> None:
    return None


async def run_camera(
    settings: CaptureSettings,
    sink: ClipSink | None,
    stop_event: asyncio.Event,
    trigger: EventTrigger | None = None,
    report: StateReport = _ignore_state,
    tap: LiveTap | None = None,
) -> None:
    """Record one camera until stop_event is set; the open clip is finished on the way out.

    `tap` (live view) gets the init segment and every fragment too; sink None records nothing
    (a `record: false` camera captured only for live view).

    A lost stream (ffmpeg exits at EOF), a stall or a refused connection ends the session; the
    loop reconnects after a back-off that doubles up to backoff_max_seconds and starts again
    from backoff_initial_seconds once a session has delivered fragments.
    """
    if settings.mode == "event" and trigger is None:
        raise ValueError("event mode needs an EventTrigger")
    backoff = settings.backoff_initial_seconds
    failure: str | None = None
    try:
        while not stop_event.is_set():
            # A camera whose every attempt fails stays "failing" (with the last reason) while it
            # retries: "connecting" is only said before a first attempt or after a good session.
            if failure is None:
                report("connecting", "")
            delivered = False
            try:
                delivered = await _run_session(settings, sink, stop_event, trigger, report, tap)
                failure = None if stop_event.is_set() else "the camera stream ended"
            except SESSION_ERRORS as error:
                failure = redact_text(str(error) or type(error).__name__)
                if not stop_event.is_set():  # stopping ends ffmpeg: an error here, not a fault
                    _LOGGER.warning("camera %s: stream lost: %s", settings.camera_id, failure)
            if stop_event.is_set():
                break
            if failure is not None:
                report("failing", failure)
            backoff = await _back_off(settings, stop_event, backoff, delivered)
    finally:
        report("stopped", "")
    _LOGGER.info("camera %s: capture stopped", settings.camera_id)


async def _back_off(
    settings: CaptureSettings, stop_event: asyncio.Event, backoff: float, delivered: bool
) -> float:
    """Wait before the next attempt; return the wait after that one."""
    if delivered:
        backoff = settings.backoff_initial_seconds
    _LOGGER.info("camera %s: reconnecting in %.1f s", settings.camera_id, backoff)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop_event.wait(), backoff)
    return min(backoff * 2, settings.backoff_max_seconds)


async def _run_session(
    settings: CaptureSettings,
    sink: ClipSink | None,
    stop_event: asyncio.Event,
    trigger: EventTrigger | None,
    report: StateReport,
    tap: LiveTap | None = None,
) -> bool:
    """One ffmpeg from connect to EOF; True if it delivered at least one fragment."""
    codecs = await until_stopped(probe_codecs(settings), stop_event)
    if codecs is None or stop_event.is_set():
        return False
    audio_codec = codecs.audio
    plan = audio_plan(audio_codec, settings.g711)
    if audio_codec is not None and plan != "copy":
        _LOGGER.info(
            "camera %s: audio %s does not fit MP4: %s",
            settings.camera_id,
            audio_codec,
            "transcoding it to AAC" if plan == "aac" else "dropping it (g711: drop)",
        )
    started_ms = wall_clock_ms()
    process = await FfmpegProcess.start(settings, plan, codecs.video)
    # On stop, SIGINT makes ffmpeg flush its last fragment and exit; reading goes on to EOF.
    stopper = asyncio.create_task(_stop_on(stop_event, process), name="ffmpeg-stop")
    cutter: Cutter | None = None
    delivered = False
    try:
        reader = FragmentReader(process.read_exactly)
        init = await reader.read_init()
        if tap is not None:
            tap.on_init(init.data)
        if sink is not None:
            cutter = _cutter(settings, sink, init, started_ms, trigger)
        while (fragment := await reader.next_fragment()) is not None:
            if not delivered:
                report("recording", reader.init.codecs if reader.init else "")
            delivered = True
            if tap is not None:
                # Never blocks: live view drops fragments for itself, never for the cutter.
                tap.on_fragment(fragment.data)
            if cutter is not None:
                await cutter.on_fragment(fragment)
        # A dropped stream ends the clip early, not the video already received: the clip holds
        # whole fragments only, so it is finished as a short clip and uploaded like any other
        # (a camera that drops every 20 s would otherwise never produce a 60 s clip at all).
        if cutter is not None:
            await cutter.close(None)
        if not stop_event.is_set():
            _LOGGER.warning("camera %s: stream ended (%s)", settings.camera_id, _tail(process))
    except BaseException as error:
        if cutter is not None:
            with contextlib.suppress(Exception):
                # A lost, stalled or garbled stream still leaves whole fragments worth keeping;
                # anything else (the sink failing, cancellation) aborts the clip.
                await cutter.close(None if isinstance(error, SESSION_ERRORS) else repr(error))
        if isinstance(error, SESSION_ERRORS):
            _LOGGER.debug("camera %s: ffmpeg said: %s", settings.camera_id, _tail(process))
        raise
    finally:
        if tap is not None:
            tap.on_stream_end()
        stopper.cancel()
        await process.close()
    return delivered


def _cutter(
    settings: CaptureSettings,
    sink: ClipSink,
    init: InitSegment,
    started_ms: int,
    trigger: EventTrigger | None,
) -> Cutter:
    _LOGGER.info("camera %s: streaming %s", settings.camera_id, init.codecs)
    if settings.mode == "event" and trigger is not None:
        return EventCutter(sink, settings, init, started_ms, trigger)
    return ContinuousCutter(sink, settings, init, started_ms)


async def _stop_on(stop_event: asyncio.Event, process: FfmpegProcess) -> None:
    await stop_event.wait()
    process.request_stop()


def _tail(process: FfmpegProcess) -> str:
    return " | ".join(process.stderr_tail) or "no message"
