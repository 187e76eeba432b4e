"""`run`: wire configuration, cameras, encrypting sink, spool and uploader; one task per job.

Jobs (each a named asyncio task in a supervised loop with back-off): `camera:<id>` (capture),
`events:<id>` (ONVIF pull point: what starts an event-mode camera's clips, and the event marks
of a continuous camera's clips), `upload`, `heartbeat`, `trust`, `health`, `live` (live view:
the poll loop and its sessions, fed by each camera's LiveTap).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from collections.abc import Awaitable, Callable

from .capture.camera import run_camera
from .capture.cutter import EventTrigger
from .capture.live_tap import LiveTap
from .capture.settings import CaptureSettings
from .config import AgentConfig, CameraConfig, ContinuousMode
from .encrypting_sink import EncryptingSink, EventLog
from .ha_client import HaClient, HaError
from .health import AgentStatus, write_health
from .live import LiveManager
from .onvif_source import KNOWN_KINDS, EventDispatcher, OnvifFailure, OnvifSource
from .redact import redact_text
from .spool import Spool
from .state import AgentState
from .supervise import sleep_or_stop, supervise
from .trust import TrustKeeper
from .uploader import Uploader

LOG = logging.getLogger(__name__)
HEALTH_INTERVAL_SECONDS = 5.0
BLOCKED_RECHECK_SECONDS = 5.0


def capture_settings(camera: CameraConfig, rtsp_url: str) -> CaptureSettings:
    """Map one camera's configuration onto capture's settings."""
    if isinstance(camera.mode, ContinuousMode):
        return CaptureSettings(
            camera_id=camera.camera_id,
            rtsp_url=rtsp_url,
            mode="continuous",
            clip_seconds=camera.mode.clip_seconds,
            g711=camera.g711,
            thumbnails=camera.thumbnails,
        )
    return CaptureSettings(
        camera_id=camera.camera_id,
        rtsp_url=rtsp_url,
        mode="event",
        preroll_seconds=camera.mode.preroll_seconds,
        postroll_seconds=camera.mode.postroll_seconds,
        max_clip_seconds=camera.mode.max_clip_seconds,
        g711=camera.g711,
        thumbnails=camera.thumbnails,
    )


class Agent:
    """The running agent: shared parts, and the jobs built on them."""

    def __init__(self, config: AgentConfig, stop: asyncio.Event) -> None:
        self.config = config
        self.stop = stop
        self.state = AgentState(config.state_dir)
        self.state.ensure_folder()
        self.trust = TrustKeeper(self.state)
        self.trust.load()
        self.status = AgentStatus(needs_pairing=self.trust.trust is None)
        self.spool = Spool(config.spool_dir, config.spool_max_bytes)
        self.events = EventLog()
        self.sink = EncryptingSink(
            spool=self.spool,
            trust=self.trust,
            visible_event_types=config.visible_event_types,
            events=self.events,
        )
        self.client = HaClient(config.ha_url, self.state.load_token())
        self.uploader = Uploader(
            client=self.client,
            spool=self.spool,
            trust=self.trust,
            status=self.status,
            on_events_visible=self.sink.set_ha_events_visible,
        )
        self.taps = {camera.camera_id: LiveTap(camera.camera_id) for camera in config.cameras}
        recording = {camera.camera_id for camera in config.cameras if camera.record}
        self.live = LiveManager(
            client=self.client,
            trust=self.trust,
            taps=self.taps,
            status=self.status,
            camera_failing=lambda camera_id: (
                camera_id in recording
                and camera_id in self.status.cameras
                and self.status.cameras[camera_id].state == "failing"
            ),
            refresh_trust=self.uploader.request_trust_refresh,
        )

    async def _wait_until_recording_allowed(self, camera_id: str) -> bool:
        """Hold a camera while no verified recipient set exists; False once stopping."""
        while self.trust.blocked_reason is not None:
            self.status.set_camera(
                camera_id, "failing", f"not recording: {self.trust.blocked_reason}"
            )
            if await sleep_or_stop(self.stop, BLOCKED_RECHECK_SECONDS):
                return False
        return True

    async def camera_job(self, camera: CameraConfig) -> None:
        if not await self._wait_until_recording_allowed(camera.camera_id):
            return
        trigger = None if isinstance(camera.mode, ContinuousMode) else EventTrigger()
        rtsp_url = camera.rtsp_url
        event_task: asyncio.Task[None] | None = None
        if camera.onvif is not None:
            self.status.set_camera(camera.camera_id, "connecting")
            source = OnvifSource(camera.onvif)
            try:
                discovery = await source.discover()
            except OnvifFailure as err:
                # Said in the status before the supervisor retries: never a silent "connecting".
                self.status.set_camera(
                    camera.camera_id, "failing", f"ONVIF: {redact_text(str(err))}"
                )
                raise
            finally:
                await source.close()
            rtsp_url = discovery.stream_uri
            # Continuous clips are cut by length, but the camera's events still become marks in
            # the clip that covers them (when the camera has a pull point to ask).
            if trigger is not None or discovery.pull_point_events:
                event_task = asyncio.create_task(
                    supervise(
                        f"events:{camera.camera_id}", self._events_job(camera, trigger), self.stop
                    ),
                    name=f"events:{camera.camera_id}",
                )
        assert rtsp_url is not None  # noqa: S101 (config guarantees a source)
        report = functools.partial(self.status.set_camera, camera.camera_id)
        tap = self.taps[camera.camera_id]
        try:
            if camera.record:
                await run_camera(
                    capture_settings(camera, rtsp_url), self.sink, self.stop, trigger, report, tap
                )
            else:
                await self._capture_on_demand(capture_settings(camera, rtsp_url), tap)
        finally:
            if event_task is not None:
                await event_task

    async def _capture_on_demand(self, settings: CaptureSettings, tap: LiveTap) -> None:
        """A `record: false` camera: ffmpeg runs only while live view has a subscriber."""
        camera_id = settings.camera_id
        self.status.set_camera(camera_id, "stopped", "not recording (record: false)")
        while not self.stop.is_set():
            if await _wait_either(tap.demand, self.stop):
                return
            done = asyncio.Event()
            watcher = asyncio.create_task(_set_when_idle(tap, self.stop, done))
            try:
                await run_camera(
                    settings,
                    None,
                    done,
                    report=functools.partial(self.status.set_camera, camera_id),
                    tap=tap,
                )
            finally:
                watcher.cancel()
            self.status.set_camera(camera_id, "stopped", "not recording (record: false)")

    def _events_job(
        self, camera: CameraConfig, trigger: EventTrigger | None
    ) -> Callable[[], Awaitable[None]]:
        assert camera.onvif is not None  # noqa: S101
        kinds = KNOWN_KINDS if isinstance(camera.mode, ContinuousMode) else camera.mode.event_types
        dispatcher = EventDispatcher(camera.camera_id, trigger, self.events, kinds)
        settings = camera.onvif

        async def job() -> None:
            source = OnvifSource(settings)
            try:
                await source.pull_events(dispatcher, self.stop.is_set)
            finally:
                await source.close()

        return job

    async def health_job(self) -> None:
        while not self.stop.is_set():
            self.status.recording_blocked = self.trust.blocked_reason
            write_health(self.config.state_dir, self.status)
            if await sleep_or_stop(self.stop, HEALTH_INTERVAL_SECONDS):
                break
        write_health(self.config.state_dir, self.status)

    def jobs(self) -> dict[str, Callable[[], Awaitable[None]]]:
        jobs: dict[str, Callable[[], Awaitable[None]]] = {
            "upload": lambda: self.uploader.upload_loop(self.stop),
            "heartbeat": lambda: self.uploader.heartbeat_loop(self.stop),
            "trust": lambda: self.uploader.trust_loop(self.stop),
            "health": self.health_job,
            "live": lambda: self.live.run(self.stop),
        }
        for camera in self.config.cameras:
            jobs[f"camera:{camera.camera_id}"] = functools.partial(self.camera_job, camera)
        return jobs

    async def run(self) -> None:
        removed = self.spool.open()
        if removed:
            LOG.warning("deleted %d incomplete spool files from an interrupted run", removed)
        if self.trust.blocked_reason is not None:
            LOG.error("not recording: %s", self.trust.blocked_reason)
        tasks = [
            asyncio.create_task(supervise(name, job, self.stop), name=name)
            for name, job in self.jobs().items()
        ]
        try:
            await asyncio.gather(*tasks)
            # Every camera has finished and sealed its last clip by now.
            await self.upload_before_exit()
        finally:
            await self.client.close()
            self.status.stopped = True
            for camera in self.config.cameras:
                self.status.set_camera(camera.camera_id, "stopped")
            write_health(self.config.state_dir, self.status)

    async def upload_before_exit(self) -> None:
        """Upload what the spool holds, for at most shutdown_upload_seconds; the rest stays.

        A clip is deleted from the spool only once HA says it is stored, so cutting an upload
        short at the deadline loses nothing: the next start offers it again.
        """
        grace = self.config.shutdown_upload_seconds
        if grace <= 0 or self.status.needs_pairing or self.spool.depth().clips == 0:
            return
        try:
            uploaded = await asyncio.wait_for(self.uploader.upload_pending(), grace)
        except TimeoutError:
            LOG.warning("shutdown: upload grace of %.0f s over", grace)
        except HaError as err:
            LOG.warning("shutdown: could not upload (%s)", err)
        else:
            LOG.info("shutdown: uploaded %d clips", uploaded)
        LOG.info("shutdown: %d clips stay in the spool", self.spool.depth().clips)


async def _wait_either(event: asyncio.Event, stop: asyncio.Event) -> bool:
    """Wait until `event` or `stop` is set; True if stopping."""
    waiters = [asyncio.create_task(event.wait()), asyncio.create_task(stop.wait())]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
    return stop.is_set()


async def _set_when_idle(tap: LiveTap, stop: asyncio.Event, done: asyncio.Event) -> None:
    """Set `done` once nobody subscribes to the tap any more (or the agent stops)."""
    await _wait_either(tap.no_demand, stop)
    done.set()


async def run_agent(config: AgentConfig) -> int:
    """Run until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await Agent(config, stop).run()
    return 0
