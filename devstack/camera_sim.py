"""A simulated IP camera: the GStreamer RTSP test camera behind the fake ONVIF device service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time

from aiohttp import web

from devstack.fake_onvif import FakeOnvifCamera, serve
from devstack.rtsp_camera import MARKER, RtspCamera

LOG = logging.getLogger(__name__)
ONVIF_USERNAME = "admin"
SUBSCRIBER_TIMEOUT_SECONDS = 30.0
__all__ = ["MARKER", "ONVIF_USERNAME", "SimulatedCamera"]


class SimulatedCamera:
    """RTSP video (with the plaintext MARKER in every keyframe) plus ONVIF discovery and motion.

    The ONVIF side is served from the caller's event loop, so motion() takes effect at the
    camera's next PullMessages (within a second); keep that loop free of blocking calls.
    """

    def __init__(self, *, video: str = "h264", audio: str = "aac") -> None:
        self.rtsp = RtspCamera(video=video, audio=audio)
        # A fresh password each run: the agent must really authenticate (PasswordDigest).
        self.onvif_password = secrets.token_urlsafe(12)
        self.onvif: FakeOnvifCamera | None = None
        self._runner: web.AppRunner | None = None
        self._periodic: asyncio.Task[None] | None = None

    @property
    def onvif_port(self) -> int:
        if self.onvif is None:
            raise RuntimeError("the simulated camera is not started")
        return self.onvif.port

    async def start(self) -> None:
        # The RTSP child prints READY within ~0.1 s; reading that line must not stall the loop.
        await asyncio.get_running_loop().run_in_executor(None, self.rtsp.start)
        self.onvif = FakeOnvifCamera(ONVIF_USERNAME, self.onvif_password, self.rtsp.url)
        self._runner = await serve(self.onvif)

    def motion(self, active: bool) -> None:
        """Queue an ONVIF CellMotionDetector IsMotion change, as a real camera reports it."""
        if self.onvif is None:
            raise RuntimeError("the simulated camera is not started")
        self.onvif.motion(active)

    async def wait_for_event_subscriber(self, timeout: float = SUBSCRIBER_TIMEOUT_SECONDS) -> None:
        """Until an agent polls the pull point: motion queued before that would still be
        delivered, but the clip's pre-roll would hold nothing yet."""
        deadline = time.monotonic() + timeout
        while self.onvif is None or "PullMessages" not in self.onvif.calls:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no agent pulled the camera's ONVIF events in {timeout:.0f} s")
            await asyncio.sleep(0.2)

    async def motion_burst(self, seconds: float) -> None:
        """Motion starts now and stops `seconds` later."""
        self.motion(True)
        await asyncio.sleep(seconds)
        self.motion(False)

    def start_periodic_motion(self, every_seconds: float, burst_seconds: float) -> None:
        """Someone walks past every `every_seconds`: for the demo, so clips keep coming."""

        async def loop() -> None:
            while True:
                LOG.info("simulated camera: motion for %.0f s", burst_seconds)
                await self.motion_burst(burst_seconds)
                await asyncio.sleep(every_seconds - burst_seconds)

        self._periodic = asyncio.create_task(loop(), name="camera_sim:periodic_motion")

    async def stop(self) -> None:
        if self._periodic is not None:
            self._periodic.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._periodic
            self._periodic = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.rtsp.kill()

    async def __aenter__(self) -> SimulatedCamera:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()
