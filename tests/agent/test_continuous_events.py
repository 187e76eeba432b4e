"""Continuous recording keeps event marks: ONVIF events land in the clip that covers them.

The agent's own camera job runs in-process (as `run` wires it) against a GStreamer RTSP camera
behind the fake ONVIF camera, which the real onvif-zeep-async client discovers and pulls events
from. Clips are cut by length; a motion and a person event sent mid-clip must come out of the
decrypted event details at their offset in that clip, and only the kind the owner lets Home
Assistant see (motion) may appear in the plaintext manifest.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from camera_agent.config import parse_config
from camera_agent.run import Agent
from devstack.fake_onvif import FakeOnvifCamera, serve
from devstack.rtsp_camera import RtspCamera
from e2ee_nvr_protocol import certs
from e2ee_nvr_protocol.clip import (
    ClipEvent,
    decode_events,
    decrypt_blob,
    open_clip_key,
    verify_clip_manifest,
)
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.manifest import ClipManifest
from e2ee_nvr_protocol.stream_format import ContentKind
from tests.agent.agent_setup import new_account, paired_state
from tests.protocol.account_setup import AccountFixture, PairedDevice

pytestmark = pytest.mark.slow

CLIP_SECONDS = 4.0
WAIT_LIMIT_SECONDS = 60.0  # a guard against a hang, never a measurement
PEOPLE_TOPIC = "tns1:RuleEngine/MyRuleDetector/PeopleDetect"
# The fake camera stamps UtcTime in whole seconds (as many cameras do): an event's start can be
# up to 1 s before the moment it was sent; the clip's wall-clock start is estimated from the
# stream (cutter.StreamClock), good to a few hundred ms on loopback.
OFFSET_TOLERANCE_MS = 1_500


@dataclass(frozen=True)
class SealedClip:
    manifest: ClipManifest
    events: tuple[ClipEvent, ...]


@pytest.fixture(scope="module")
def account() -> AccountFixture:
    return new_account()


@pytest.fixture
def rtsp_camera() -> Iterator[RtspCamera]:
    with RtspCamera(video="h264", audio="none") as running:
        yield running


def _config(tmp_path: Path, onvif_port: int) -> dict[str, object]:
    return {
        "ha_url": "http://127.0.0.1:9",  # never called: only the camera job runs
        "state_dir": str(tmp_path / "state"),
        "spool_dir": str(tmp_path / "spool"),
        "visible_event_types": ["motion"],
        "cameras": [
            {
                "name": "Yard",
                "camera_id": "yard",
                "onvif": {
                    "host": "127.0.0.1",
                    "port": onvif_port,
                    "username": "admin",
                    "password": "s3cret",
                },
                "mode": {"continuous": {"clip_seconds": CLIP_SECONDS}},
            }
        ],
    }


def _open_sealed(agent: Agent, device: PairedDevice, account: AccountFixture) -> list[SealedClip]:
    """Every clip sealed into the spool, verified and its event details decrypted."""
    device_cert = certs.load_cert(device.trust.device_cert_der)
    opened = []
    for path in sorted(agent.spool.folder.glob("*.manifest.json")):
        envelope = SignedEnvelope.from_json(json.loads(path.read_bytes()))
        manifest = verify_clip_manifest(envelope, device_cert, account.first.root_cert)
        clip_key = open_clip_key(manifest, [account.first.instance_key])
        ciphertext = agent.spool.object_path(manifest.clip_id, "events").read_bytes()
        events = decode_events(decrypt_blob(manifest, clip_key, ContentKind.EVENTS, ciphertext))
        opened.append(SealedClip(manifest, events))
    return sorted(opened, key=lambda clip: clip.manifest.start_ms)


async def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_LIMIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.2)


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


async def test_an_event_during_a_continuous_clip_is_marked_at_its_offset(
    tmp_path: Path, account: AccountFixture, rtsp_camera: RtspCamera
) -> None:
    _state, device = paired_state(tmp_path / "state", account)
    onvif = FakeOnvifCamera("admin", "s3cret", rtsp_camera.url)
    runner = await serve(onvif)
    config = parse_config(_config(tmp_path, onvif.port))
    stop = asyncio.Event()
    agent = Agent(config, stop)
    agent.spool.open()
    agent.sink.set_ha_events_visible(True)  # the integration's option is on
    job = asyncio.create_task(agent.camera_job(config.cameras[0]), name="camera:yard")
    try:
        await _until(lambda: onvif.subscriptions >= 1, "the agent to subscribe to events")
        await _until(lambda: agent.spool.depth().clips >= 1, "a first continuous clip")
        await asyncio.sleep(2.0)  # well into the next clip
        motion_ms = _now_ms()
        onvif.motion(True)
        onvif.motion(True, topic=PEOPLE_TOPIC, item="IsPeople")
        await asyncio.sleep(1.0)
        onvif.motion(False)
        onvif.motion(False, topic=PEOPLE_TOPIC, item="IsPeople")
        ended_ms = _now_ms()
        await _until(
            lambda: any(
                c.manifest.start_ms > ended_ms for c in _open_sealed(agent, device, account)
            ),
            "a clip sealed after the event",
        )
    finally:
        stop.set()
        await asyncio.wait_for(job, WAIT_LIMIT_SECONDS)
        await agent.client.close()
        await runner.cleanup()

    clips = _open_sealed(agent, device, account)
    # Still continuous: clips of the configured length, back to back, none started by the event.
    assert all(c.manifest.end_ms - c.manifest.start_ms >= CLIP_SECONDS * 1000 for c in clips[:-1])
    covering = next(c for c in clips if c.manifest.start_ms <= motion_ms <= c.manifest.end_ms)
    kinds = {event.kind: event for event in covering.events}
    assert set(kinds) == {"motion", "person"}
    for event in kinds.values():
        assert event.source == "onvif"
        assert event.end_ms is not None and event.end_ms >= event.start_ms
        offset_ms = event.start_ms - covering.manifest.start_ms
        expected_ms = motion_ms - covering.manifest.start_ms
        assert abs(offset_ms - expected_ms) <= OFFSET_TOLERANCE_MS, (offset_ms, expected_ms)
    # The owner lets HA see motion only; person stays inside the encryption.
    assert covering.manifest.visible_events == ("motion",)
    # A clip that ended before the event carries no mark and shows no kind.
    before = [c for c in clips if c.manifest.end_ms < motion_ms - OFFSET_TOLERANCE_MS]
    assert before
    for clip in before:
        assert clip.events == () and clip.manifest.visible_events == ()
