"""The agent tells the truth about its cameras and itself, and uploads what it sealed on exit.

Faults played: a camera whose every connection is refused (wrong password), a camera that
works, and a SIGTERM while a clip is open. On main `status` said "recording" for the refused
camera and "ok" after the agent had stopped, and the clip sealed at shutdown waited in the
spool until the next start.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from camera_agent.capture.camera import CaptureState, run_camera
from camera_agent.capture.settings import CaptureSettings
from camera_agent.health import AgentStatus
from tests.agent.capture_memory_sink import MemorySink
from tests.agent.hardening_rig import SmallRig, small_rig
from tests.agent.rtsp_camera import RtspCamera
from tests.agent.run_rig import wait_for

pytestmark = pytest.mark.slow
SAFETY_TIMEOUT_SECONDS = 60.0


def status_json(rig: SmallRig) -> dict[str, Any]:
    result = rig.agent.cli("status", "--json")
    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def camera_states(report: dict[str, Any]) -> dict[str, str]:
    return {c["camera_id"]: c.get("state", "?") for c in report["cameras"]}


def test_status_states_and_uploads_at_shutdown(tmp_path: Path) -> None:
    """A refused camera is "failing" with the reason, never "recording"; after SIGTERM the
    agent uploads the clip it sealed on the way out and says "stopped", never "ok"."""
    password = "pw-" + secrets.token_hex(6)
    with RtspCamera(video="h264", audio="none", user="viewer", password=password) as camera:
        cameras: list[dict[str, Any]] = [
            {
                "name": "Good",
                "camera_id": "good",
                "rtsp_url": camera.url_with("viewer", password),
                # Longer than the test: the only clip is the one sealed at shutdown.
                "mode": {"continuous": {"clip_seconds": 600}},
            },
            {
                "name": "Refused",
                "camera_id": "refused",
                "rtsp_url": camera.url_with("viewer", "wrong-password"),
            },
        ]
        with small_rig(tmp_path, cameras, shutdown_upload_seconds=20) as rig:
            rig.agent.start()

            def live() -> dict[str, Any] | None:
                report = status_json(rig)
                states = camera_states(report)
                return report if states == {"good": "recording", "refused": "failing"} else None

            report = wait_for(live, "recording and failing cameras", explain=rig.agent.tail)
            refused = next(c for c in report["cameras"] if c["camera_id"] == "refused")
            assert "401" in refused["detail"]
            assert report["agent_status"] == "degraded"
            assert rig.commits() == []  # nothing sealed yet: the clip is 600 s long

            assert rig.agent.stop() == 0
            sealed = set(rig.agent.sealed())
            committed = set(rig.commits())
            after = status_json(rig)

    assert sealed, "SIGTERM should seal the open clip"
    assert sealed <= committed, "the clip sealed at shutdown was not uploaded before exit"
    assert not list((tmp_path / "spool").glob("*.manifest.json"))
    assert after["agent_status"] == "stopped"
    assert set(camera_states(after).values()) == {"stopped"}


async def test_capture_reports_connecting_recording_failing_stopped() -> None:
    """The state sequence capture reports for a working and for a refusing camera."""
    password = "pw-" + secrets.token_hex(6)
    with RtspCamera(video="h264", audio="none", user="viewer", password=password) as camera:
        for url, expected in [
            (camera.url_with("viewer", password), ["connecting", "recording", "stopped"]),
            (camera.url_with("viewer", "nope-nope"), ["connecting", "failing", "stopped"]),
        ]:
            seen: list[tuple[CaptureState, str]] = []
            settings = CaptureSettings(
                camera_id="cam",
                rtsp_url=url,
                backoff_initial_seconds=0.2,
                backoff_max_seconds=0.5,
            )
            stop = asyncio.Event()
            sink = MemorySink()
            task = asyncio.create_task(run_camera(settings, sink, stop, None, _recorder(seen)))

            async def reached(state: str, log: list[tuple[CaptureState, str]] = seen) -> None:
                while not any(s == state for s, _ in log):
                    await asyncio.sleep(0.05)

            await asyncio.wait_for(reached(expected[1]), SAFETY_TIMEOUT_SECONDS)
            await asyncio.sleep(1.0)  # a few retries for the refused camera
            stop.set()
            await asyncio.wait_for(task, SAFETY_TIMEOUT_SECONDS)
            states = [s for s, _ in seen]
            assert [s for i, s in enumerate(states) if i == 0 or states[i - 1] != s] == expected
            if expected[1] == "failing":
                assert all("401" in d for s, d in seen if s == "failing")
                assert all("nope-nope" not in d for _s, d in seen)


def _recorder(log: list[tuple[CaptureState, str]]) -> Callable[[CaptureState, str], None]:
    def record(state: CaptureState, detail: str) -> None:
        log.append((state, detail))

    return record


def test_stopped_agent_never_reports_ok() -> None:
    status = AgentStatus()
    status.set_camera("c", "recording")
    assert status.overall() == "ok"
    status.stopped = True
    assert status.overall() == "stopped"


def test_status_of_a_killed_agent_is_not_its_last_word(tmp_path: Path) -> None:
    """Fault: the agent was SIGKILLed (no handler ran): its health file still says "ok"."""
    from camera_agent.commands import STALE_HEALTH_SECONDS, status_report
    from camera_agent.config import parse_config
    from camera_agent.health import HEALTH_FILE

    config = parse_config(
        {
            "ha_url": "http://ha:8123",
            "state_dir": str(tmp_path / "state"),
            "spool_dir": str(tmp_path / "spool"),
            "cameras": [{"name": "c", "camera_id": "c", "rtsp_url": "rtsp://h/c"}],
        }
    )
    (tmp_path / "state").mkdir()
    status = AgentStatus()
    status.set_camera("c", "recording")
    document = status.to_json()
    document["updated_unix"] -= STALE_HEALTH_SECONDS + 5
    (tmp_path / "state" / HEALTH_FILE).write_text(json.dumps(document))
    assert status_report(config)["agent_status"].startswith("not running")


async def test_shutdown_upload_is_bounded_and_keeps_what_it_could_not_send(
    tmp_path: Path,
) -> None:
    """Fault: at shutdown Home Assistant accepts the connection and never answers. The agent
    gives up after shutdown_upload_seconds and the sealed clip stays in the spool."""
    from aiohttp import web

    from camera_agent.config import parse_config
    from camera_agent.run import Agent
    from tests.agent.agent_setup import free_port, new_account, paired_state

    hung = asyncio.Event()
    released = asyncio.Event()

    async def never_answer(_request: web.Request) -> web.Response:
        hung.set()
        await released.wait()  # until the test is over: the agent must not wait for it
        return web.Response(status=503)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", never_answer)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    paired_state(tmp_path / "state", new_account())
    config = parse_config(
        {
            "ha_url": f"http://127.0.0.1:{port}",
            "state_dir": str(tmp_path / "state"),
            "spool_dir": str(tmp_path / "spool"),
            "shutdown_upload_seconds": 1,
            "cameras": [{"name": "c", "camera_id": "c", "rtsp_url": "rtsp://127.0.0.1:1/c"}],
        }
    )
    agent = Agent(config, asyncio.Event())
    agent.spool.open()
    writer = await agent.sink.start_clip(
        camera_id="c", start_ms=1_000, codecs="avc1.64001f", mime="video/mp4"
    )
    await writer.write(b"\x00" * 1000)
    await writer.finish(end_ms=2_000, thumbnail_jpeg=None)
    try:
        # A guard against a hang only; the grace period is what ends the call.
        await asyncio.wait_for(agent.upload_before_exit(), SAFETY_TIMEOUT_SECONDS)
    finally:
        released.set()
        await agent.client.close()
        await runner.cleanup()
    assert hung.is_set(), "the agent should have tried to upload"
    assert agent.spool.depth().clips == 1


async def test_an_onvif_camera_refusing_the_password_is_failing(tmp_path: Path) -> None:
    """Fault: the ONVIF camera refuses the configured password: the status says so."""

    from camera_agent.config import parse_config
    from camera_agent.onvif_source import OnvifFailure
    from camera_agent.run import Agent
    from tests.agent.agent_setup import new_account, paired_state
    from tests.agent.fake_onvif import FakeOnvifCamera, serve

    camera = FakeOnvifCamera("admin", "right-one", "rtsp://127.0.0.1:1/main")
    runner = await serve(camera)
    paired_state(tmp_path / "state", new_account())
    onvif = {"host": "127.0.0.1", "port": camera.port, "username": "admin", "password": "bad-one"}
    config = parse_config(
        {
            "ha_url": "http://127.0.0.1:1",
            "state_dir": str(tmp_path / "state"),
            "spool_dir": str(tmp_path / "spool"),
            "cameras": [{"name": "p", "camera_id": "porch", "onvif": onvif}],
        }
    )
    agent = Agent(config, asyncio.Event())
    try:
        with pytest.raises(OnvifFailure):
            await agent.camera_job(config.cameras[0])
    finally:
        await agent.client.close()
        await runner.cleanup()
    porch = agent.status.cameras["porch"]
    assert porch.state == "failing" and porch.detail.startswith("ONVIF:")
    assert "bad-one" not in porch.detail
