"""The YAML configuration: both modes, both sources, and clear refusals of bad input."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from camera_agent.config import (
    ConfigError,
    ContinuousMode,
    EventMode,
    OnvifSettings,
    load_config,
    parse_config,
)

BASE: dict[str, Any] = {
    "ha_url": "http://homeassistant.local:8123/",
    "state_dir": "/var/lib/agent/state",
    "spool_dir": "/var/lib/agent/spool",
    "cameras": [{"name": "Front door", "camera_id": "front-door", "rtsp_url": "rtsp://cam/1"}],
}


def _with(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    document["cameras"][0].update(changes)
    if document["cameras"][0].get("rtsp_url", "") is None:
        del document["cameras"][0]["rtsp_url"]
    return document


def test_continuous_defaults() -> None:
    config = parse_config(BASE)
    camera = config.cameras[0]
    assert config.ha_url == "http://homeassistant.local:8123"
    assert config.state_dir == Path("/var/lib/agent/state")
    assert camera.mode == ContinuousMode(clip_seconds=60.0)
    assert camera.thumbnails is True
    assert camera.g711 == "transcode"
    assert camera.onvif is None
    assert camera.record is True


def test_a_live_only_camera_records_nothing() -> None:
    assert parse_config(_with(record=False)).cameras[0].record is False
    with pytest.raises(ConfigError, match="record"):
        parse_config(_with(record="sometimes"))


def test_event_mode_over_onvif() -> None:
    document = _with(
        onvif={"host": "10.0.0.5", "port": 8000, "username": "admin", "password": "pw"},
        mode={"events": {"preroll_seconds": 3, "postroll_seconds": 7, "event_types": ["motion"]}},
        thumbnails=False,
        g711="drop",
    )
    del document["cameras"][0]["rtsp_url"]
    camera = parse_config(document).cameras[0]
    assert camera.onvif == OnvifSettings("10.0.0.5", 8000, "admin", "pw")
    assert "pw" not in repr(camera.onvif)
    assert camera.mode == EventMode(3.0, 7.0, 300.0, ("motion",))
    assert (camera.thumbnails, camera.g711) == (False, "drop")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({**BASE, "spool_max_byte": 5}, "unknown key 'spool_max_byte' in (top level)"),
        (_with(preroll_second=5), "unknown key 'preroll_second' in cameras[0]"),
        (
            _with(mode={"events": {"pre_roll": 1}}),
            "unknown key 'pre_roll' in cameras[0].mode.events",
        ),
        (_with(onvif={"host": "h", "username": "u", "password": "p"}), "exactly one of rtsp_url"),
        (_with(camera_id="Front Door"), "camera_id is 1 to 32 characters"),
        (_with(mode={"continuous": {}, "events": {}}), "give one mode"),
        (_with(g711="keep"), "cameras[0].g711"),
        (
            _with(
                rtsp_url=None,
                onvif={"host": "h", "username": "u", "password": "p"},
                mode={"events": {"preroll_seconds": 30, "max_clip_seconds": 20}},
            ),
            "shorter than max_clip_seconds",
        ),
        (_with(mode={"events": {}}), "event clips need an onvif camera"),
        ({**BASE, "ha_url": "homeassistant:8123"}, "ha_url must be http"),
    ],
)
def test_bad_input_is_refused_with_its_location(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(document)
    assert message in str(caught.value)


def test_source_is_required() -> None:
    document = copy.deepcopy(BASE)
    del document["cameras"][0]["rtsp_url"]
    with pytest.raises(ConfigError, match="exactly one of rtsp_url and onvif"):
        parse_config(document)


def test_duplicate_camera_ids_are_refused() -> None:
    document = copy.deepcopy(BASE)
    document["cameras"].append(dict(document["cameras"][0]))
    with pytest.raises(ConfigError, match="camera_id used twice: front-door"):
        parse_config(document)


def test_load_config_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    assert load_config(path).cameras[0].camera_id == "front-door"
    path.write_text("cameras: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"agent\.yaml: not valid YAML"):
        load_config(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")
