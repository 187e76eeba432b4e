"""The real onvif-zeep-async client against the fake camera: discovery, auth, motion triggers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from camera_agent.capture.cutter import EventTrigger
from camera_agent.config import OnvifSettings
from camera_agent.encrypting_sink import EventLog
from camera_agent.onvif_source import (
    CameraEvent,
    EventDispatcher,
    OnvifAuthRefused,
    OnvifSource,
    with_credentials,
)
from devstack.fake_onvif import FakeOnvifCamera, serve

SAFETY_TIMEOUT_SECONDS = 60


@pytest.fixture
async def camera() -> AsyncIterator[FakeOnvifCamera]:
    fake = FakeOnvifCamera("admin", "s3cret:/@", "rtsp://127.0.0.1:8554/main")
    runner = await serve(fake)
    yield fake
    await runner.cleanup()


def _source(camera: FakeOnvifCamera, password: str) -> OnvifSource:
    return OnvifSource(OnvifSettings("127.0.0.1", camera.port, "admin", password))


async def test_discovery_finds_the_stream_uri(camera: FakeOnvifCamera) -> None:
    source = _source(camera, "s3cret:/@")
    try:
        found = await source.discover()
    finally:
        await source.close()
    assert found.stream_uri == "rtsp://admin:s3cret%3A%2F%40@127.0.0.1:8554/main"
    assert (found.manufacturer, found.model) == ("E2EE NVR tests", "Fake ONVIF")
    assert found.pull_point_events is True
    assert found.video_encoding == "H264"
    assert found.snapshot_uri is not None and found.snapshot_uri.endswith("/snapshot.jpg")
    assert camera.refused_logins == 0


async def test_wrong_password_is_refused(camera: FakeOnvifCamera) -> None:
    source = _source(camera, "wrong")
    try:
        with pytest.raises(OnvifAuthRefused, match="refused the ONVIF username or password"):
            await source.discover()
    finally:
        await source.close()
    assert camera.refused_logins >= 1
    assert "GetProfiles" not in camera.calls


async def test_motion_events_start_and_stop_the_trigger(camera: FakeOnvifCamera) -> None:
    source = _source(camera, "s3cret:/@")
    trigger, log = EventTrigger(), EventLog()
    dispatcher = EventDispatcher("porch", trigger, log, ("motion",))
    seen: asyncio.Queue[CameraEvent] = asyncio.Queue()

    def on_event(event: CameraEvent) -> None:
        dispatcher(event)
        seen.put_nowait(event)

    stopping = False
    task = asyncio.create_task(source.pull_events(on_event, lambda: stopping), name="onvif")
    camera.motion(True)
    first = await asyncio.wait_for(seen.get(), SAFETY_TIMEOUT_SECONDS)
    assert (first.kind, first.active) == ("motion", True)
    assert trigger.take() == (True, True)

    camera.motion(True, topic="tns1:RuleEngine/MyRuleDetector/VehicleDetect", item="IsVehicle")
    camera.motion(False)
    await asyncio.wait_for(seen.get(), SAFETY_TIMEOUT_SECONDS)  # vehicle: not configured
    ended = await asyncio.wait_for(seen.get(), SAFETY_TIMEOUT_SECONDS)
    assert (ended.kind, ended.active) == ("motion", False)
    assert trigger.take() == (False, False)

    stopping = True
    await asyncio.wait_for(task, SAFETY_TIMEOUT_SECONDS)
    await source.close()
    events = log.between("porch", 0, 2**62)
    assert len(events) == 1 and events[0].kind == "motion" and events[0].end_ms is not None
    assert camera.subscriptions == 1 and camera.unsubscribes == 1


def test_credentials_are_not_added_twice() -> None:
    assert with_credentials("rtsp://u:p@h/x", "admin", "pw") == "rtsp://u:p@h/x"
    assert with_credentials("rtsp://h:554/x", "admin", "pw") == "rtsp://admin:pw@h:554/x"
