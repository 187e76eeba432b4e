"""`doctor` checks what it says it checks, and never trips Home Assistant's failed-login guard.

Faults played: a camera path that answers 404 (on main: "[ok]", since only the TCP port was
opened), an H.265 camera (on main: "[ok]" without a word), a camera without audio (on main: a
G.711 line regardless), and the HA check itself (on main: an unauthenticated GET /api/, which
HA counts as a failed login, raising a notification and counting toward an IP ban).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest

from tests.agent.hardening_rig import small_rig
from tests.agent.rtsp_camera import RtspCamera

pytestmark = pytest.mark.slow


def test_doctor_describes_cameras_and_uses_the_agent_token(tmp_path: Path) -> None:
    password = "pw-" + secrets.token_hex(6)
    with (
        RtspCamera(video="h264", audio="none", user="viewer", password=password) as h264,
        RtspCamera(video="h265", audio="pcma") as h265,
    ):
        cameras: list[dict[str, Any]] = [
            {"name": "Good", "camera_id": "good", "rtsp_url": h264.url_with("viewer", password)},
            {
                "name": "Missing",
                "camera_id": "missing",
                "rtsp_url": h264.url_with("viewer", password, "/nope"),
            },
            {"name": "Hevc", "camera_id": "hevc", "rtsp_url": h265.url},
        ]
        with small_rig(tmp_path, cameras) as rig:
            result = rig.agent.cli("doctor")
            requests = rig.services.call(lambda: list(rig.store.store.requests))

    lines = result.stdout.splitlines()
    assert result.returncode == 1, result.stdout  # the 404 camera fails the run
    assert "[ok] camera good: RTSP stream answers: video h264" in lines
    assert "[ok] camera good: no audio: clips are silent" in lines
    assert not any("G.711" in line for line in lines if "camera good" in line)
    missing = [line for line in lines if "camera missing" in line]
    assert len(missing) == 1 and missing[0].startswith("[FAIL]") and "404" in missing[0]
    assert password not in result.stdout + result.stderr
    assert any(line.startswith("[WARN] camera hevc: H.265 video") for line in lines)
    assert "[ok] camera hevc: G.711 audio (pcm_alaw) is turned into AAC" in lines
    assert any(
        line.startswith("[ok] Home Assistant:") and "accepts this agent's token" in line
        for line in lines
    )
    # Only the agent API, with the agent's token; never HA's own /api/ unauthenticated.
    assert requests == ["GET /api/e2ee_nvr/agent/trust"]
