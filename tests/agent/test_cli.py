"""`status` and `doctor` against real state files, the fake store and the fake ONVIF camera."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from camera_agent.cli import main
from camera_agent.config import load_config
from camera_agent.doctor import run_doctor
from camera_agent.health import AgentStatus, write_health
from tests.agent.agent_setup import free_port, new_account, paired_state, served_store
from tests.agent.fake_onvif import FakeOnvifCamera, serve


def _write_config(tmp_path: Path, ha_url: str, cameras: list[dict[str, object]]) -> Path:
    path = tmp_path / "agent.yaml"
    document = {
        "ha_url": ha_url,
        "state_dir": str(tmp_path / "state"),
        "spool_dir": str(tmp_path / "spool"),
        "cameras": cameras,
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_status_shows_trust_spool_and_cameras(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    account = new_account()
    paired_state(tmp_path / "state", account)
    status = AgentStatus()
    status.set_camera("porch", "recording")
    write_health(tmp_path / "state", status)
    config = _write_config(
        tmp_path,
        "http://127.0.0.1:1",
        [{"name": "Porch", "camera_id": "porch", "rtsp_url": "rtsp://h/1"}],
    )
    assert main(["status", "--config", str(config), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["trust"] == {
        "paired": True,
        "account_id": account.document.account_id,
        "epoch": 1,
    }
    assert report["cameras"][0]["state"] == "recording"
    assert report["spool"] == {"clips": 0, "bytes": 0}


def test_unknown_key_fails_with_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text("ha_url: http://h\nstate_dir: s\nspool_dir: p\ncameras: []\nbogus: 1\n")
    assert main(["status", "--config", str(path)]) == 2


async def test_doctor_reports_each_dependency(tmp_path: Path) -> None:
    account = new_account()
    camera = FakeOnvifCamera("admin", "pw", "rtsp://127.0.0.1:8554/main")
    runner = await serve(camera)
    try:
        async with served_store(tmp_path, account) as running:
            path = _write_config(
                tmp_path,
                running.url,
                [
                    {
                        "name": "Porch",
                        "camera_id": "porch",
                        "onvif": {
                            "host": "127.0.0.1",
                            "port": camera.port,
                            "username": "admin",
                            "password": "pw",
                        },
                    },
                    {
                        "name": "Gone",
                        "camera_id": "gone",
                        "rtsp_url": f"rtsp://127.0.0.1:{free_port()}/x",
                    },
                ],
            )
            findings = await run_doctor(load_config(path))
    finally:
        await runner.cleanup()
    by_subject = {(f.subject, f.ok) for f in findings}
    # Not paired (no token in the state folder): said so, without a login attempt on /api/.
    assert ("Home Assistant", False) in by_subject
    assert any("not paired" in f.detail for f in findings if f.subject == "Home Assistant")
    assert ("camera porch", True) in by_subject
    assert ("camera gone", False) in by_subject
    assert any("Fake ONVIF" in f.detail for f in findings)
