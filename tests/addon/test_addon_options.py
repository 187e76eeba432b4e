"""camera_agent/addon_options.py: options.json to the agent's configuration, pairing, health."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from camera_agent.addon_options import (
    EXIT_CONFIG,
    AddonOptionsError,
    AddonPaths,
    agent_config,
    healthcheck,
    main,
    start,
)
from camera_agent.config import (
    AgentConfig,
    CameraConfig,
    ContinuousMode,
    EventMode,
    OnvifSettings,
    load_config,
)
from camera_agent.health import AgentStatus, write_health

SAMPLES = Path(__file__).parent / "options"
REPO_ROOT = Path(__file__).resolve().parents[2]


def _sample(name: str) -> dict[str, Any]:
    document = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _data_dir(tmp_path: Path, options: dict[str, Any]) -> AddonPaths:
    paths = AddonPaths(tmp_path / "data")
    paths.data_dir.mkdir()
    paths.options_file.write_text(json.dumps(options), encoding="utf-8")
    return paths


def test_continuous_rtsp_sample(tmp_path: Path) -> None:
    paths = AddonPaths(tmp_path)
    assert agent_config(_sample("continuous_rtsp"), paths) == AgentConfig(
        ha_url="http://homeassistant:8123",
        state_dir=tmp_path / "state",
        spool_dir=tmp_path / "spool",
        spool_max_bytes=4096 * 1024 * 1024,
        agent_name="Home Assistant add-on",
        visible_event_types=("motion",),
        log_format="text",
        cameras=(
            CameraConfig(
                camera_id="driveway",
                name="Driveway",
                # Credentials percent-encoded into the URL: ':' '/' '@' cannot break it.
                rtsp_url="rtsp://viewer:p%40ss%3Aw%2Frd@192.168.1.20:554/stream1",
                onvif=None,
                mode=ContinuousMode(clip_seconds=30.0),
                thumbnails=True,
                g711="drop",
            ),
        ),
    )


def test_events_onvif_sample(tmp_path: Path) -> None:
    config = agent_config(_sample("events_onvif"), AddonPaths(tmp_path))
    garden, porch = config.cameras
    assert config.ha_url == "https://ha.example.net:8123"
    assert config.spool_max_bytes == 512 * 1024 * 1024
    assert config.visible_event_types == ()
    assert config.log_format == "json"
    assert garden.onvif == OnvifSettings("192.168.1.30", 8000, "admin", "secret")
    assert garden.rtsp_url is None
    assert garden.mode == EventMode(3.0, 8.0, 120.0, ("motion", "person"))
    assert garden.thumbnails is False
    assert porch.rtsp_url == "rtsps://192.168.1.31/live"
    assert porch.mode == ContinuousMode(clip_seconds=60.0)


def _camera(**fields: object) -> dict[str, Any]:
    return {"name": "Cam", "camera_id": "cam", **fields}


def test_record_false_passes_through(tmp_path: Path) -> None:
    options = {"cameras": [_camera(rtsp_url="rtsp://192.168.1.40/live", record=False)]}
    config = agent_config(options, AddonPaths(tmp_path))
    assert config.cameras[0].record is False


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cameras": []}, "no camera configured"),
        ({"colour": "red", "cameras": [_camera(rtsp_url="rtsp://x")]}, "unknown option 'colour'"),
        ({"cameras": [_camera(rtsp_url="rtsp://x", zoom=2)]}, "cameras[0]: unknown option 'zoom'"),
        (
            {"ha_url": "http://supervisor/core", "cameras": [_camera(rtsp_url="rtsp://x")]},
            "Supervisor's proxy",
        ),
        ({"cameras": [_camera()]}, "give exactly one of rtsp_url and onvif"),
        (
            {"cameras": [_camera(rtsp_url="rtsp://x", onvif_host="h")]},
            "give rtsp_url or onvif_host, not both",
        ),
        ({"cameras": [_camera(onvif_username="u")]}, "onvif_* options need onvif_host"),
        (
            {"cameras": [_camera(rtsp_url="rtsp://x", **{"rtsp_password": "p"})]},
            "give rtsp_username",
        ),
        ({"cameras": [_camera(rtsp_username="u")]}, "need rtsp_url"),
        (
            {"cameras": [_camera(rtsp_url="rtsp://a:b@x", rtsp_username="u")]},
            "has credentials already",
        ),
        (
            {"cameras": [_camera(rtsp_url="rtsp://x", preroll_seconds=3)]},
            "preroll_seconds do not apply to mode continuous",
        ),
        (
            {"cameras": [_camera(rtsp_url="rtsp://x", mode="events")]},
            "event clips need an onvif camera",
        ),
        (
            {"cameras": [_camera(onvif_host="h", mode="events", max_clip_seconds=5)]},
            "preroll + postroll must be shorter than max_clip_seconds",
        ),
        ({"cameras": [_camera(rtsp_url="http://x")]}, "rtsp_url must be rtsp://"),
        ({"cameras": [_camera(rtsp_url="rtsp://x"), _camera(rtsp_url="rtsp://y")]}, "used twice"),
        ({"log_format": "xml", "cameras": [_camera(rtsp_url="rtsp://x")]}, "log_format"),
        ({"spool_max_mb": 0, "cameras": [_camera(rtsp_url="rtsp://x")]}, "spool_max_bytes"),
    ],
)
def test_invalid_options_are_refused_clearly(
    tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(AddonOptionsError) as caught:
        agent_config(options, AddonPaths(tmp_path))
    assert message in str(caught.value)


def test_render_writes_a_private_config_the_agent_loads(tmp_path: Path) -> None:
    paths = _data_dir(tmp_path, _sample("events_onvif"))
    assert main(["render", "--data-dir", str(paths.data_dir)]) == 0
    assert paths.config_file.stat().st_mode & 0o777 == 0o600  # it holds camera passwords
    assert load_config(paths.config_file) == agent_config(_sample("events_onvif"), paths)


def test_render_reports_broken_options_json(tmp_path: Path) -> None:
    paths = AddonPaths(tmp_path)
    paths.options_file.write_text("{not json", encoding="utf-8")
    assert main(["render", "--data-dir", str(tmp_path)]) == EXIT_CONFIG
    assert not paths.config_file.exists()


class FakeCli:
    """Stands in for `python -m camera_agent`: records calls, pairs on the chosen attempt."""

    def __init__(self, paths: AddonPaths, pair_results: Sequence[int]) -> None:
        self.paths = paths
        self.pair_results = list(pair_results)
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> int:
        self.calls.append(list(argv))
        if argv[0] == "pair":
            result = self.pair_results.pop(0)
            if result == 0:
                self.paths.state_dir.mkdir(exist_ok=True)
                (self.paths.state_dir / "paired").write_text("yes")
            return result
        return 0


@pytest.fixture
def paired_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pairing state without real keys: the fake CLI writes a file where trust.json would be."""

    def load_trust(self: Any) -> object | None:
        return True if (self.folder / "paired").exists() else None

    monkeypatch.setattr("camera_agent.state.AgentState.load_trust", load_trust)


@pytest.mark.usefixtures("paired_check")
def test_start_pairs_until_paired_then_runs(tmp_path: Path) -> None:
    paths = _data_dir(tmp_path, _sample("continuous_rtsp"))
    cli = FakeCli(paths, pair_results=[1, 1, 0])  # HA unreachable, code expired, then paired
    sleeps: list[float] = []
    assert start(paths, cli, retry_seconds=7, sleep=sleeps.append) == 0
    config_args = ["--config", str(paths.config_file)]
    assert cli.calls == [["pair", *config_args]] * 3 + [["run", *config_args]]
    assert sleeps == [7, 7]


@pytest.mark.usefixtures("paired_check")
def test_start_runs_directly_when_paired_and_clears_a_stale_health_file(tmp_path: Path) -> None:
    paths = _data_dir(tmp_path, _sample("continuous_rtsp"))
    paths.state_dir.mkdir()
    (paths.state_dir / "paired").write_text("yes")
    write_health(paths.state_dir, AgentStatus())
    cli = FakeCli(paths, pair_results=[])
    assert start(paths, cli) == 0
    assert [c[0] for c in cli.calls] == ["run"]
    assert not (paths.state_dir / "health.json").exists()


@pytest.mark.usefixtures("paired_check")
def test_new_pairing_forgets_trust_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forgotten: list[bool] = []

    def clear_trust(self: Any) -> None:
        forgotten.append(True)
        (self.folder / "paired").unlink(missing_ok=True)

    monkeypatch.setattr("camera_agent.state.AgentState.clear_trust", clear_trust)
    paths = _data_dir(tmp_path, {**_sample("continuous_rtsp"), "new_pairing": True})
    paths.state_dir.mkdir()
    (paths.state_dir / "paired").write_text("yes")
    cli = FakeCli(paths, pair_results=[0])
    assert start(paths, cli) == 0
    assert [c[0] for c in cli.calls] == ["pair", "run"]
    # A restart with the option still on does not pair again; turning it off re-arms it.
    cli = FakeCli(paths, pair_results=[])
    assert start(paths, cli) == 0
    assert [c[0] for c in cli.calls] == ["run"]
    assert forgotten == [True]
    paths.options_file.write_text(json.dumps(_sample("continuous_rtsp")))
    assert start(paths, FakeCli(paths, pair_results=[])) == 0
    assert not paths.new_pairing_marker.exists()


def test_start_with_bad_options_exits_with_the_config_code(tmp_path: Path) -> None:
    paths = _data_dir(tmp_path, {"cameras": []})
    cli = FakeCli(paths, pair_results=[])
    assert start(paths, cli) == EXIT_CONFIG
    assert cli.calls == []


def test_healthcheck(tmp_path: Path) -> None:
    paths = AddonPaths(tmp_path)
    assert healthcheck(paths)[0]  # starting or pairing: no file yet
    paths.state_dir.mkdir()
    write_health(paths.state_dir, AgentStatus(needs_pairing=True))
    healthy, reason = healthcheck(paths)
    assert healthy and "needs_pairing" in reason  # a restart would not help: stay healthy
    healthy, reason = healthcheck(paths, now=time.time() + 120)
    assert not healthy and "stuck" in reason


def test_entry_point_runs_as_a_module(tmp_path: Path) -> None:
    """`python -m camera_agent.addon_options` as the Dockerfile's HEALTHCHECK and run.sh call it."""
    paths = _data_dir(tmp_path, _sample("continuous_rtsp"))
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "camera_agent.addon_options"]
    done = subprocess.run(  # noqa: S603 (fixed arguments)
        [*command, "render", "--data-dir", str(paths.data_dir)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(paths.config_file)
    done = subprocess.run(  # noqa: S603
        [*command, "healthcheck", "--data-dir", str(paths.data_dir)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0 and "no health file" in done.stdout
