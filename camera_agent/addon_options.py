"""The Home Assistant add-on's entry point: /data/options.json to agent config, pair, run, health.

The Supervisor validates options.json against addon/config.yaml's schema, which can only nest two
levels deep, so a camera's ONVIF settings arrive flat (`onvif_host`, ...) and its event types as
one comma-separated string. This module rebuilds the agent's YAML document from them, validates
it with the agent's own schema (camera_agent/config.py, so the two cannot drift) and writes it to
/data/agent.yaml, mode 0600 (it holds camera passwords).

Sub-commands (`python -m camera_agent.addon_options ...`):
- `start`: the container's main process: render the configuration, pair while the agent is
  not paired (the code and QR code go to the add-on log), then run the agent.
- `render`: write the agent configuration and exit (what `start` does first; for debugging).
- `healthcheck`: the Dockerfile's HEALTHCHECK. The Supervisor's watchdog restarts an add-on
  whose container turns "unhealthy"; config.yaml's `watchdog` key only takes a URL and the
  agent serves no port, so the health file the agent rewrites every 5 s is the signal.

Home Assistant is reached directly at http://homeassistant:8123 on the add-on network, never
through the Supervisor's Core proxy (http://supervisor/core): that proxy authenticates the
add-on with SUPERVISOR_TOKEN, replaces the Authorization header with its own Home Assistant token
and forwards the body without Content-Length, so the agent's per-agent Bearer token and the
upload API's exact Content-Length (docs/agent-api.md) would not survive it. The add-on
therefore asks for neither `homeassistant_api` nor `hassio_api`, and SUPERVISOR_TOKEN is unused.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import yaml

from .commands import register_secrets
from .config import AgentConfig, ConfigError, parse_config
from .health import HEALTH_FILE, read_health
from .redact import RedactingFilter
from .state import AgentState, StateError, atomic_write

LOG = logging.getLogger(__name__)
DEFAULT_DATA_DIR = Path("/data")
DEFAULT_HA_URL = "http://homeassistant:8123"
MIB = 1024 * 1024
# The agent rewrites its health file every 5 s (run.HEALTH_INTERVAL_SECONDS); a file this old
# means the process is stuck, not merely busy.
HEALTH_STALE_SECONDS = 60.0
PAIR_RETRY_SECONDS = 15.0
EXIT_OK = 0
EXIT_UNHEALTHY = 1
EXIT_CONFIG = 2

TOP_LEVEL_KEYS = frozenset(
    {
        "ha_url",
        "agent_name",
        "spool_max_mb",
        "visible_event_types",
        "log_format",
        "new_pairing",
        "cameras",
    }
)
CAMERA_KEYS = frozenset(
    {
        "name",
        "camera_id",
        "rtsp_url",
        "rtsp_username",
        "rtsp_password",
        "onvif_host",
        "onvif_port",
        "onvif_username",
        "onvif_password",
        "mode",
        "clip_seconds",
        "preroll_seconds",
        "postroll_seconds",
        "max_clip_seconds",
        "event_types",
        "thumbnails",
        "g711",
        "record",
    }
)
_ONVIF_FIELDS = ("onvif_host", "onvif_port", "onvif_username", "onvif_password")
_CONTINUOUS_FIELDS = ("clip_seconds",)
_EVENT_FIELDS = ("preroll_seconds", "postroll_seconds", "max_clip_seconds", "event_types")
_PROXY_HOSTS = frozenset({"supervisor", "hassio"})


class AddonOptionsError(ValueError):
    """options.json cannot become a valid agent configuration; the message says which option."""


@dataclass(frozen=True)
class AddonPaths:
    """Where the add-on keeps everything: all under the Supervisor's persistent /data volume."""

    data_dir: Path

    @property
    def options_file(self) -> Path:
        return self.data_dir / "options.json"

    @property
    def config_file(self) -> Path:
        return self.data_dir / "agent.yaml"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "state"

    @property
    def spool_dir(self) -> Path:
        return self.data_dir / "spool"

    @property
    def new_pairing_marker(self) -> Path:
        return self.data_dir / "new_pairing_done"


def _check_keys(raw: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise AddonOptionsError(f"{where}: unknown option {', '.join(map(repr, unknown))}")


def _check_ha_url(url: object) -> str:
    if not isinstance(url, str):
        raise AddonOptionsError("ha_url: must be a URL such as " + DEFAULT_HA_URL)
    if (urlsplit(url).hostname or "").lower() in _PROXY_HOSTS:
        raise AddonOptionsError(
            f"ha_url: {url} is the Supervisor's proxy, which replaces the agent's own token and "
            f"drops Content-Length; use {DEFAULT_HA_URL} (Home Assistant on the add-on network)"
        )
    return url


def _rtsp_url(camera: dict[str, Any], where: str) -> str:
    """The RTSP URL with the optional username/password options put into it, percent-encoded."""
    url = str(camera["rtsp_url"])
    username, password = camera.get("rtsp_username"), camera.get("rtsp_password")
    if username is None and password is None:
        return url
    if username is None:
        raise AddonOptionsError(f"{where}.rtsp_password: give rtsp_username too")
    parts = urlsplit(url)
    if parts.username is not None:
        raise AddonOptionsError(
            f"{where}.rtsp_url: has credentials already; remove them or rtsp_username"
        )
    userinfo = quote(str(username), safe="")
    if password is not None:
        userinfo += ":" + quote(str(password), safe="")
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))


def _mode(camera: dict[str, Any], where: str) -> dict[str, Any]:
    mode = camera.get("mode", "continuous")
    own, other = (
        (_CONTINUOUS_FIELDS, _EVENT_FIELDS)
        if mode == "continuous"
        else (_EVENT_FIELDS, _CONTINUOUS_FIELDS)
    )
    misplaced = [key for key in other if key in camera]
    if misplaced:
        raise AddonOptionsError(f"{where}: {', '.join(misplaced)} do not apply to mode {mode}")
    settings = {key: camera[key] for key in own if key in camera}
    if "event_types" in settings:
        settings["event_types"] = [t.strip() for t in str(settings["event_types"]).split(",")]
    return {str(mode): settings}


def _camera(camera: object, index: int) -> dict[str, Any]:
    where = f"cameras[{index}]"
    if not isinstance(camera, dict):
        raise AddonOptionsError(f"{where}: must be a mapping of camera options")
    _check_keys(camera, CAMERA_KEYS, where)
    document: dict[str, Any] = {
        key: camera[key]
        for key in ("name", "camera_id", "thumbnails", "g711", "record")
        if key in camera
    }
    onvif_given = [key for key in _ONVIF_FIELDS if key in camera]
    if "rtsp_url" in camera and onvif_given:
        raise AddonOptionsError(f"{where}: give rtsp_url or onvif_host, not both")
    if "rtsp_url" in camera:
        document["rtsp_url"] = _rtsp_url(camera, where)
    elif "rtsp_username" in camera or "rtsp_password" in camera:
        raise AddonOptionsError(f"{where}: rtsp_username/rtsp_password need rtsp_url")
    if onvif_given:
        if "onvif_host" not in camera:
            raise AddonOptionsError(f"{where}: onvif_* options need onvif_host")
        document["onvif"] = {
            "host": camera["onvif_host"],
            "port": camera.get("onvif_port", 80),
            "username": camera.get("onvif_username", ""),
            "password": camera.get("onvif_password", ""),
        }
    document["mode"] = _mode(camera, where)
    return document


def agent_document(options: object, paths: AddonPaths) -> dict[str, Any]:
    """The agent's YAML document (camera_agent/config.py's schema) built from the add-on options."""
    if not isinstance(options, dict):
        raise AddonOptionsError("options.json: must be a JSON object")
    _check_keys(options, TOP_LEVEL_KEYS, "options")
    cameras = options.get("cameras") or []
    if not isinstance(cameras, list) or not cameras:
        raise AddonOptionsError(
            "cameras: no camera configured; add one on the add-on's Configuration tab"
        )
    document: dict[str, Any] = {
        "ha_url": _check_ha_url(options.get("ha_url", DEFAULT_HA_URL)),
        "state_dir": str(paths.state_dir),
        "spool_dir": str(paths.spool_dir),
        "cameras": [_camera(camera, i) for i, camera in enumerate(cameras)],
    }
    if "spool_max_mb" in options:
        document["spool_max_bytes"] = options["spool_max_mb"] * MIB
    for key in ("agent_name", "visible_event_types", "log_format"):
        if key in options:
            document[key] = options[key]
    return document


def validated_document(options: object, paths: AddonPaths) -> tuple[AgentConfig, dict[str, Any]]:
    """The document and the agent's own validation of it; AddonOptionsError names the problem."""
    document = agent_document(options, paths)
    try:
        return parse_config(document), document
    except ConfigError as err:
        raise AddonOptionsError(f"add-on options refused: {err}") from None


def agent_config(options: object, paths: AddonPaths) -> AgentConfig:
    """Validate the options with the agent's own schema; AddonOptionsError names the problem."""
    return validated_document(options, paths)[0]


def read_options(paths: AddonPaths) -> dict[str, Any]:
    try:
        options = json.loads(paths.options_file.read_text(encoding="utf-8"))
    except OSError as err:
        raise AddonOptionsError(f"{paths.options_file}: cannot read: {err.strerror}") from None
    except ValueError as err:
        raise AddonOptionsError(f"{paths.options_file}: not JSON: {err}") from None
    if not isinstance(options, dict):
        raise AddonOptionsError(f"{paths.options_file}: must be a JSON object")
    return options


def render(paths: AddonPaths) -> tuple[AgentConfig, dict[str, Any]]:
    """Validate options.json and write /data/agent.yaml (0600); returns config and options."""
    options = read_options(paths)
    config, document = validated_document(options, paths)
    text = yaml.safe_dump(document, sort_keys=False)
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(paths.config_file, text.encode("utf-8"))
    return config, options


def healthcheck(paths: AddonPaths, now: float | None = None) -> tuple[bool, str]:
    """Healthy unless the agent's health file is stale (a hung process: restart helps).

    No file means the add-on is starting or waiting for the pairing code: healthy. A status such
    as `needs_pairing` or a camera error is reported, not failed: a restart fixes neither.
    """
    health = read_health(paths.state_dir)
    if health is None:
        return True, "no health file yet (starting or pairing)"
    updated = health.get("updated_unix")
    if not isinstance(updated, int | float):
        return False, "health file has no timestamp"
    age = (time.time() if now is None else now) - updated
    if age > HEALTH_STALE_SECONDS:
        return False, f"agent stuck: health file {age:.0f} s old"
    return True, f"agent {health.get('status', 'unknown')}, health file {age:.0f} s old"


def _is_paired(state: AgentState) -> bool:
    try:
        return state.load_trust() is not None
    except StateError as err:
        # Damaged trust is not silently replaced: the agent reports it, the user decides.
        LOG.error("pinned trust does not verify (%s); set new_pairing to pair again", err)
        return True


def _apply_new_pairing(paths: AddonPaths, options: dict[str, Any], state: AgentState) -> None:
    """`new_pairing: true` forgets the pinned trust once; the marker stops a loop on restart."""
    if not options.get("new_pairing", False):
        paths.new_pairing_marker.unlink(missing_ok=True)
        return
    if paths.new_pairing_marker.exists():
        LOG.warning("new_pairing is still on; already paired again: turn it off")
        return
    LOG.warning("new_pairing is on: forgetting this agent's pairing and pairing again")
    state.clear_trust()
    state.clear_pairing()
    paths.new_pairing_marker.write_text("done\n", encoding="ascii")


CliMain = Callable[[Sequence[str]], int]


def start(
    paths: AddonPaths,
    cli_main: CliMain,
    *,
    retry_seconds: float = PAIR_RETRY_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Render, pair until paired (a fresh code each time one expires), then run the agent."""
    try:
        config, options = render(paths)
    except AddonOptionsError as err:
        LOG.error("%s", err)
        return EXIT_CONFIG
    register_secrets(config)  # the add-on's own log lines are masked as the agent's are
    (paths.state_dir / HEALTH_FILE).unlink(missing_ok=True)  # a stale file from the last run
    state = AgentState(paths.state_dir)
    _apply_new_pairing(paths, options, state)
    config_args = ["--config", str(paths.config_file)]
    while not _is_paired(state):
        LOG.info("this agent is not paired: showing a pairing code below")
        result = cli_main(["pair", *config_args])
        if result == EXIT_CONFIG:
            return result
        if result != EXIT_OK:
            LOG.warning("pairing did not complete; trying again in %.0f s", retry_seconds)
            sleep(retry_seconds)
    return cli_main(["run", *config_args])


def _default_cli_main(argv: Sequence[str]) -> int:
    from .cli import main as cli_main

    return cli_main(argv)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m camera_agent.addon_options")
    parser.add_argument("command", choices=("start", "render", "healthcheck"))
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s add-on: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())  # HA admins read this log: no camera password
    paths = AddonPaths(args.data_dir)
    if args.command == "start":
        return start(paths, _default_cli_main)
    if args.command == "render":
        try:
            render(paths)
        except AddonOptionsError as err:
            LOG.error("%s", err)
            return EXIT_CONFIG
        print(paths.config_file)
        return EXIT_OK
    healthy, reason = healthcheck(paths)
    print(reason)
    return EXIT_OK if healthy else EXIT_UNHEALTHY


if __name__ == "__main__":
    sys.exit(main())
