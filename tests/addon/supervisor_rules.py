"""The Supervisor's documented rules for an add-on's config.yaml, build.yaml and options, as data.

No Supervisor runs here, so the tests carry its rules. Sources, to re-check them:
- https://developers.home-assistant.io/docs/add-ons/configuration (required and optional keys,
  the options/schema type strings, the `?` suffix, nesting of at most two levels, build.yaml keys,
  translations);
- https://developers.home-assistant.io/docs/add-ons/repository (repository.yaml);
- home-assistant/supervisor: supervisor/addons/options.py (RE_SCHEMA_ELEMENT, transcribed below),
  supervisor/addons/validate.py (slug, watchdog, map and ports formats) and supervisor/const.py
  (architectures, startup and boot values).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

REQUIRED_KEYS = ("name", "version", "slug", "description", "arch")
ARCHITECTURES = frozenset({"aarch64", "amd64", "armhf", "armv7", "i386"})
STARTUP_VALUES = frozenset({"initialize", "system", "services", "application", "once"})
BOOT_VALUES = frozenset({"auto", "manual", "manual_only"})
STAGE_VALUES = frozenset({"stable", "experimental", "deprecated"})
BACKUP_VALUES = frozenset({"hot", "cold"})
MAP_TYPES = frozenset(
    {
        "homeassistant_config",
        "addon_config",
        "ssl",
        "addons",
        "backup",
        "share",
        "media",
        "all_addon_configs",
        "data",
    }
)
OPTIONAL_KEYS: dict[str, type | tuple[type, ...]] = {
    "machine": list,
    "url": str,
    "startup": str,
    "webui": str,
    "boot": str,
    "ports": dict,
    "ports_description": dict,
    "host_network": bool,
    "host_ipc": bool,
    "host_dbus": bool,
    "host_pid": bool,
    "host_uts": bool,
    "devices": list,
    "homeassistant": str,
    "hassio_role": str,
    "hassio_api": bool,
    "homeassistant_api": bool,
    "docker_api": bool,
    "privileged": list,
    "full_access": bool,
    "apparmor": (bool, str),
    "map": list,
    "environment": dict,
    "audio": bool,
    "video": bool,
    "gpio": bool,
    "usb": bool,
    "uart": bool,
    "udev": bool,
    "devicetree": bool,
    "kernel_modules": bool,
    "stdin": bool,
    "legacy": bool,
    "options": dict,
    "schema": (dict, bool),
    "image": str,
    "codenotary": str,
    "timeout": int,
    "tmpfs": bool,
    "discovery": list,
    "services": list,
    "auth_api": bool,
    "ingress": bool,
    "ingress_port": int,
    "ingress_entry": str,
    "ingress_stream": bool,
    "panel_icon": str,
    "panel_title": str,
    "panel_admin": bool,
    "backup": str,
    "backup_pre": str,
    "backup_post": str,
    "backup_exclude": list,
    "advanced": bool,
    "stage": str,
    "init": bool,
    "watchdog": str,
    "realtime": bool,
    "journald": bool,
    "breaking_versions": list,
    "ulimits": dict,
}
BUILD_KEYS: dict[str, type] = {
    "build_from": dict,
    "args": dict,
    "labels": dict,
    "codenotary": dict,
    "squash": bool,
}
REPOSITORY_REQUIRED = ("name",)
REPOSITORY_OPTIONAL = ("url", "maintainer")

RE_SLUG = re.compile(r"^[-_.A-Za-z0-9]+$")
# supervisor/addons/options.py RE_SCHEMA_ELEMENT: a type, bounds, and the optional `?`.
RE_SCHEMA_ELEMENT = re.compile(
    r"^(?:"
    r"|bool"
    r"|email"
    r"|url"
    r"|port"
    r"|device(?:\((?P<filter>subsystem=[a-z]+)\))?"
    r"|str(?:\((?P<s_min>\d+)?,(?P<s_max>\d+)?\))?"
    r"|password(?:\((?P<p_min>\d+)?,(?P<p_max>\d+)?\))?"
    r"|int(?:\((?P<i_min>-?\d+)?,(?P<i_max>-?\d+)?\))?"
    r"|float(?:\((?P<f_min>-?\d*\.?\d+)?,(?P<f_max>-?\d*\.?\d+)?\))?"
    r"|match\((?P<match>.*)\)"
    r"|list\((?P<list>.+)\)"
    r")\??$"
)
RE_WATCHDOG = re.compile(r"^(?:https?|\[PROTO:\w+\]|tcp):\/\/\[HOST\]:(\[PORT:\d+\]|\d+).*$")
RE_PORT_KEY = re.compile(r"^\d{1,5}/(tcp|udp)$")


def config_problems(config: dict[str, Any]) -> list[str]:
    """Everything in config.yaml the Supervisor would refuse (an empty list when none)."""
    problems = [f"missing required key {key}" for key in REQUIRED_KEYS if key not in config]
    for key, value in config.items():
        if key in REQUIRED_KEYS:
            continue
        if key not in OPTIONAL_KEYS:
            problems.append(f"unknown key {key}")
        elif not isinstance(value, OPTIONAL_KEYS[key]):
            problems.append(f"{key}: expected {OPTIONAL_KEYS[key]}, got {type(value).__name__}")
    if not isinstance(config.get("version"), str):
        problems.append("version must be a string (quote it)")
    if not RE_SLUG.match(str(config.get("slug", ""))):
        problems.append("slug must match " + RE_SLUG.pattern)
    arch = config.get("arch")
    if not isinstance(arch, list) or not arch or not set(arch) <= ARCHITECTURES:
        problems.append(f"arch must be a non-empty list of {sorted(ARCHITECTURES)}")
    for key, allowed in (
        ("startup", STARTUP_VALUES),
        ("boot", BOOT_VALUES),
        ("stage", STAGE_VALUES),
        ("backup", BACKUP_VALUES),
    ):
        if key in config and config[key] not in allowed:
            problems.append(f"{key} must be one of {sorted(allowed)}")
    if "watchdog" in config and not RE_WATCHDOG.match(config["watchdog"]):
        problems.append("watchdog must be a http(s):// or tcp:// URL on [HOST]:[PORT:n]")
    for key in config.get("ports", {}) or {}:
        if not RE_PORT_KEY.match(str(key)):
            problems.append(f"ports: {key} is not 'container-port/tcp|udp'")
    for entry in config.get("map", []) or []:
        kind = entry.get("type") if isinstance(entry, dict) else str(entry).split(":")[0]
        if kind not in MAP_TYPES:
            problems.append(f"map: unknown type {kind}")
    if "url" in config and urlsplit(config["url"]).scheme not in ("http", "https"):
        problems.append("url must be http(s)")
    schema = config.get("schema")
    if isinstance(schema, dict):
        problems += schema_problems(schema)
    return problems


def schema_problems(schema: dict[str, Any], depth: int = 1, where: str = "schema") -> list[str]:
    """Type strings the Supervisor cannot parse, and nesting deeper than two levels."""
    problems: list[str] = []
    for key, element in schema.items():
        path = f"{where}.{key}"
        if isinstance(element, list):
            if depth >= 2:
                problems.append(f"{path}: lists are allowed two levels deep at most")
            elif len(element) != 1:
                problems.append(f"{path}: a list schema holds exactly one element")
            elif isinstance(element[0], dict):
                problems += schema_problems(element[0], depth + 1, path)
            elif not RE_SCHEMA_ELEMENT.match(str(element[0])):
                problems.append(f"{path}: bad element {element[0]!r}")
        elif isinstance(element, dict):
            if depth >= 2:
                problems.append(f"{path}: dictionaries are allowed two levels deep at most")
            else:
                problems += schema_problems(element, depth + 1, path)
        elif not isinstance(element, str) or not RE_SCHEMA_ELEMENT.match(element):
            problems.append(f"{path}: bad element {element!r}")
    return problems


def _value_problem(element: str, value: object) -> str | None:
    """Check one option value against one schema type string, as the Supervisor would."""
    match = RE_SCHEMA_ELEMENT.match(element)
    if match is None:
        return f"bad schema element {element!r}"
    kind = element.rstrip("?").split("(")[0]
    groups = match.groupdict()
    textual = ("str", "password", "email", "url", "match", "list", "device")
    if kind in textual and not isinstance(value, str):
        return f"expected a string, got {value!r}"
    if kind in ("str", "password"):
        low, high = groups["s_min"] or groups["p_min"], groups["s_max"] or groups["p_max"]
        assert isinstance(value, str)
        if (low and len(value) < int(low)) or (high and len(value) > int(high)):
            return f"length of {value!r} outside {low},{high}"
    elif kind == "bool" and not isinstance(value, bool):
        return f"expected a boolean, got {value!r}"
    elif kind in ("int", "port", "float"):
        numeric = (int, float) if kind == "float" else (int,)
        if isinstance(value, bool) or not isinstance(value, numeric):
            return f"expected {kind}, got {value!r}"
        low, high = (groups["i_min"], groups["i_max"]) if kind == "int" else (None, None)
        if kind == "float":
            low, high = groups["f_min"], groups["f_max"]
        if kind == "port":
            low, high = "1", "65535"
        number = float(value)
        if (low and number < float(low)) or (high and number > float(high)):
            return f"{value!r} outside {low},{high}"
    elif kind == "url" and urlsplit(str(value)).scheme not in ("http", "https"):
        return f"{value!r} is not a URL"
    elif kind == "match" and not re.match(str(groups["match"]), str(value)):
        return f"{value!r} does not match {groups['match']}"
    elif kind == "list" and str(value) not in str(groups["list"]).split("|"):
        return f"{value!r} not one of {groups['list']}"
    return None


def options_problems(schema: dict[str, Any], options: dict[str, Any], where: str = "") -> list[str]:
    """An options document checked against a schema: required keys, unknown keys, types."""
    problems: list[str] = []
    for key in options:
        if key not in schema:
            problems.append(f"{where}{key}: not in the schema")
    for key, element in schema.items():
        path = f"{where}{key}"
        if key not in options:
            if not (isinstance(element, str) and element.endswith("?")):
                problems.append(f"{path}: required")
            continue
        value = options[key]
        if isinstance(element, list):
            if not isinstance(value, list):
                problems.append(f"{path}: expected a list")
                continue
            for i, item in enumerate(value):
                if isinstance(element[0], dict):
                    if not isinstance(item, dict):
                        problems.append(f"{path}[{i}]: expected a mapping")
                    else:
                        problems += options_problems(element[0], item, f"{path}[{i}].")
                elif (problem := _value_problem(element[0], item)) is not None:
                    problems.append(f"{path}[{i}]: {problem}")
        elif isinstance(element, dict):
            if isinstance(value, dict):
                problems += options_problems(element, value, f"{path}.")
            else:
                problems.append(f"{path}: expected a mapping")
        elif (problem := _value_problem(element, value)) is not None:
            problems.append(f"{path}: {problem}")
    return problems
