"""The agent's YAML configuration: validated with voluptuous, returned as frozen dataclasses.

Unknown keys are refused, with the key and where it sits, because a misspelt option that is
silently ignored (`preroll_second: 10`) records the wrong thing for months before anyone looks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import voluptuous as vol
import yaml

CAMERA_ID_PATTERN = r"^[a-z0-9_-]{1,32}$"
EVENT_KIND_PATTERN = r"^[a-z_]{1,32}$"
DEFAULT_SPOOL_MAX_BYTES = 20 * 1024**3
MAX_CAMERAS = 32
DEFAULT_SHUTDOWN_UPLOAD_SECONDS = 10.0
G711Policy = Literal["transcode", "drop"]
LogFormat = Literal["text", "json"]


class ConfigError(ValueError):
    """The configuration file is missing, not YAML, or breaks the schema (message says where)."""


@dataclass(frozen=True)
class OnvifSettings:
    """How to reach a camera's ONVIF device service; the stream URI is discovered from it."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class ContinuousMode:
    """Record all the time, cut into clips of `clip_seconds` (at the next keyframe)."""

    clip_seconds: float


@dataclass(frozen=True)
class EventMode:
    """Record only around ONVIF events: pre-roll kept in memory, post-roll after the last one."""

    preroll_seconds: float
    postroll_seconds: float
    max_clip_seconds: float
    event_types: tuple[str, ...]


@dataclass(frozen=True)
class CameraConfig:
    """One camera: exactly one of `rtsp_url` and `onvif` is set."""

    camera_id: str
    name: str
    rtsp_url: str | None
    onvif: OnvifSettings | None
    mode: ContinuousMode | EventMode
    thumbnails: bool
    g711: G711Policy
    # False: no clips; capture runs only while someone watches live (docs/agent-config.md).
    record: bool = True


@dataclass(frozen=True)
class AgentConfig:
    """The whole agent: where HA is, where state and spool live, and the cameras."""

    ha_url: str
    state_dir: Path
    spool_dir: Path
    spool_max_bytes: int
    agent_name: str
    visible_event_types: tuple[str, ...]
    log_format: LogFormat
    cameras: tuple[CameraConfig, ...]
    # On SIGTERM/SIGINT, how long the agent keeps uploading sealed clips before it exits.
    shutdown_upload_seconds: float = DEFAULT_SHUTDOWN_UPLOAD_SECONDS


_ONE_MODE = "give one mode, `continuous` or `events`, not both"
_ONE_SOURCE = "give exactly one of rtsp_url and onvif"
_SECONDS = vol.All(vol.Coerce(float), vol.Range(min=0))
_POSITIVE_SECONDS = vol.All(vol.Coerce(float), vol.Range(min=1, max=3600))
_EVENT_KINDS = [vol.Match(EVENT_KIND_PATTERN, msg="event kinds are [a-z_], 1 to 32 characters")]

_ONVIF = vol.Schema(
    {
        vol.Required("host"): vol.All(str, vol.Length(min=1)),
        vol.Optional("port", default=80): vol.All(int, vol.Range(min=1, max=65535)),
        vol.Required("username"): str,
        vol.Required("password"): str,
    }
)
_CONTINUOUS = vol.Schema({vol.Optional("clip_seconds", default=60): _POSITIVE_SECONDS})
_EVENTS = vol.Schema(
    {
        vol.Optional("preroll_seconds", default=5): vol.All(_SECONDS, vol.Range(max=60)),
        vol.Optional("postroll_seconds", default=10): vol.All(_SECONDS, vol.Range(max=600)),
        vol.Optional("max_clip_seconds", default=300): _POSITIVE_SECONDS,
        vol.Optional("event_types", default=["motion"]): vol.All(_EVENT_KINDS, vol.Length(min=1)),
    }
)
_MODE = vol.All(
    vol.Schema(
        {
            vol.Exclusive("continuous", "mode", msg=_ONE_MODE): _CONTINUOUS,
            vol.Exclusive("events", "mode", msg=_ONE_MODE): _EVENTS,
        }
    ),
    vol.Length(min=1, msg="mode needs `continuous` or `events`"),
)
_CAMERA = vol.Schema(
    {
        vol.Required("name"): vol.All(str, vol.Length(min=1, max=64)),
        vol.Required("camera_id"): vol.Match(
            CAMERA_ID_PATTERN, msg="camera_id is 1 to 32 characters of a-z, 0-9, _ and -"
        ),
        vol.Exclusive("rtsp_url", "source", msg=_ONE_SOURCE): vol.Match(
            r"^rtsps?://\S+$", msg="rtsp_url must be rtsp:// without spaces or line breaks"
        ),
        vol.Exclusive("onvif", "source", msg=_ONE_SOURCE): _ONVIF,
        vol.Optional("mode", default={"continuous": {}}): _MODE,
        vol.Optional("thumbnails", default=True): bool,
        vol.Optional("g711", default="transcode"): vol.In(["transcode", "drop"]),
        vol.Optional("record", default=True): bool,
    }
)
_AGENT = vol.Schema(
    {
        vol.Required("ha_url"): vol.Match(r"^https?://", msg="ha_url must be http:// or https://"),
        vol.Required("state_dir"): str,
        vol.Required("spool_dir"): str,
        vol.Optional("spool_max_bytes", default=DEFAULT_SPOOL_MAX_BYTES): vol.All(
            int, vol.Range(min=1 << 20)
        ),
        vol.Optional("agent_name", default="camera agent"): vol.All(str, vol.Length(max=64)),
        # Nothing visible unless the owner opts in (here and in the integration's option).
        vol.Optional("visible_event_types", default=[]): _EVENT_KINDS,
        vol.Optional("log_format", default="text"): vol.In(["text", "json"]),
        vol.Optional("shutdown_upload_seconds", default=DEFAULT_SHUTDOWN_UPLOAD_SECONDS): vol.All(
            vol.Coerce(float), vol.Range(min=0, max=600)
        ),
        vol.Required("cameras"): vol.All([_CAMERA], vol.Length(min=1, max=MAX_CAMERAS)),
    }
)


def _where(path: list[Any]) -> str:
    text = ""
    for part in path:
        if str(part).startswith("<"):  # voluptuous names an Exclusive group like this
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _explain(error: vol.Invalid) -> str:
    if error.error_message == "extra keys not allowed" and error.path:
        where = _where(error.path[:-1])
        return f"unknown key {error.path[-1]!r} in {where}"
    return f"{_where(error.path)}: {error.error_message}"


def _mode(raw: dict[str, Any]) -> ContinuousMode | EventMode:
    if "continuous" in raw:
        return ContinuousMode(clip_seconds=raw["continuous"]["clip_seconds"])
    events = raw["events"]
    if events["preroll_seconds"] + events["postroll_seconds"] >= events["max_clip_seconds"]:
        raise ConfigError("mode.events: preroll + postroll must be shorter than max_clip_seconds")
    return EventMode(
        preroll_seconds=events["preroll_seconds"],
        postroll_seconds=events["postroll_seconds"],
        max_clip_seconds=events["max_clip_seconds"],
        event_types=tuple(events["event_types"]),
    )


def _camera(raw: dict[str, Any], index: int) -> CameraConfig:
    if ("rtsp_url" in raw) == ("onvif" in raw):
        raise ConfigError(f"cameras[{index}]: give exactly one of rtsp_url and onvif")
    if "events" in raw["mode"] and "onvif" not in raw:
        raise ConfigError(f"cameras[{index}].mode.events: event clips need an onvif camera")
    onvif = raw.get("onvif")
    try:
        mode = _mode(raw["mode"])
    except ConfigError as err:
        raise ConfigError(f"cameras[{index}].{err}") from None
    return CameraConfig(
        camera_id=raw["camera_id"],
        name=raw["name"],
        rtsp_url=raw.get("rtsp_url"),
        onvif=None if onvif is None else OnvifSettings(**onvif),
        mode=mode,
        thumbnails=raw["thumbnails"],
        g711=raw["g711"],
        record=raw["record"],
    )


def parse_config(document: object) -> AgentConfig:
    """Validate a loaded YAML document; ConfigError lists every problem with its location."""
    try:
        raw = _AGENT(document)
    except vol.MultipleInvalid as err:
        raise ConfigError("; ".join(sorted(_explain(e) for e in err.errors))) from None
    except vol.Invalid as err:
        raise ConfigError(_explain(err)) from None
    cameras = tuple(_camera(item, i) for i, item in enumerate(raw["cameras"]))
    ids = [c.camera_id for c in cameras]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"cameras: camera_id used twice: {', '.join(duplicates)}")
    return AgentConfig(
        ha_url=raw["ha_url"].rstrip("/"),
        state_dir=Path(raw["state_dir"]),
        spool_dir=Path(raw["spool_dir"]),
        spool_max_bytes=raw["spool_max_bytes"],
        agent_name=raw["agent_name"],
        visible_event_types=tuple(raw["visible_event_types"]),
        log_format=raw["log_format"],
        cameras=cameras,
        shutdown_upload_seconds=raw["shutdown_upload_seconds"],
    )


def load_config(path: Path) -> AgentConfig:
    """Read and validate a YAML file; every failure is a ConfigError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    try:
        return parse_config(document)
    except ConfigError as err:
        raise ConfigError(f"{path}: {err}") from None
