"""The add-on folder against the Supervisor's documented rules (tests/addon/supervisor_rules.py)."""

from __future__ import annotations

import importlib.metadata
import json
import re
import struct
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.addon.supervisor_rules import (
    BUILD_KEYS,
    REPOSITORY_OPTIONAL,
    REPOSITORY_REQUIRED,
    config_problems,
    options_problems,
    schema_problems,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
ADDON = REPO_ROOT / "addon"
SAMPLES = sorted((Path(__file__).parent / "options").glob("*.json"))


def _yaml(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict), path
    return document


@pytest.fixture
def config() -> dict[str, Any]:
    return _yaml(ADDON / "config.yaml")


def test_config_yaml_follows_the_supervisor_rules(config: dict[str, Any]) -> None:
    assert config_problems(config) == []


def test_the_rules_catch_what_the_supervisor_refuses(config: dict[str, Any]) -> None:
    broken = {**config, "arch": ["x86"], "boot": "always", "version": 1, "colour": "red"}
    del broken["slug"]
    problems = config_problems(broken)
    assert {p.split(" ")[0] for p in problems} >= {"missing", "unknown", "version", "arch", "boot"}
    assert schema_problems({"a": "text", "b": "int(1,", "c": [{"d": ["str"]}]}) == [
        "schema.a: bad element 'text'",
        "schema.b: bad element 'int(1,'",
        "schema.c.d: lists are allowed two levels deep at most",
    ]


def test_version_matches_the_python_package(config: dict[str, Any]) -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["version"] == pyproject["project"]["version"]


def test_least_privilege(config: dict[str, Any]) -> None:
    """No API access, no ports, no host access: the agent is an ordinary HTTP client."""
    for key in ("hassio_api", "homeassistant_api", "auth_api", "host_network", "full_access"):
        assert not config.get(key, False), key
    assert "ports" not in config
    assert "privileged" not in config


def test_default_options_satisfy_the_schema(config: dict[str, Any]) -> None:
    assert options_problems(config["schema"], config["options"]) == []


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_sample_options_satisfy_the_schema(config: dict[str, Any], sample: Path) -> None:
    assert options_problems(config["schema"], json.loads(sample.read_text())) == []


def test_schema_check_refuses_bad_options(config: dict[str, Any]) -> None:
    options = {**config["options"], "log_format": "xml", "cameras": [{"name": "x"}]}
    problems = options_problems(config["schema"], options)
    assert "log_format: 'xml' not one of text|json" in problems
    assert "cameras[0].camera_id: required" in problems


def test_build_yaml(config: dict[str, Any]) -> None:
    build = _yaml(ADDON / "build.yaml")
    for key, value in build.items():
        assert key in BUILD_KEYS and isinstance(value, BUILD_KEYS[key]), key
    assert set(build["build_from"]) == set(config["arch"])


def test_repository_yaml() -> None:
    repository = _yaml(REPO_ROOT / "repository.yaml")
    assert all(key in repository for key in REPOSITORY_REQUIRED)
    assert set(repository) <= {*REPOSITORY_REQUIRED, *REPOSITORY_OPTIONAL}


def test_no_other_config_yaml_confuses_the_store() -> None:
    """The Supervisor searches the whole repository for config.yaml/json files."""
    found = [
        p.relative_to(REPO_ROOT).as_posix()
        for pattern in ("config.yaml", "config.yml", "config.json")
        for p in REPO_ROOT.rglob(pattern)
        if not {".venv", "node_modules", ".git"} & set(p.parts)
    ]
    assert found == ["addon/config.yaml"]


@pytest.mark.parametrize("language", ["en", "de"])
def test_translations_cover_every_option(config: dict[str, Any], language: str) -> None:
    translations = _yaml(ADDON / "translations" / f"{language}.yaml")
    assert set(translations) <= {"configuration", "network"}
    described = translations["configuration"]
    assert set(described) == set(config["schema"])
    for key, entry in described.items():
        assert entry["name"] and entry["description"], key
    camera_schema = config["schema"]["cameras"][0]
    fields = described["cameras"]["fields"]
    assert set(fields) == set(camera_schema)
    assert all(f["name"] and f["description"] for f in fields.values())


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_icon_and_logo() -> None:
    assert _png_size(ADDON / "icon.png") == (128, 128)
    width, height = _png_size(ADDON / "logo.png")
    assert 200 <= width <= 300 and 80 <= height <= 120


def test_documents_exist() -> None:
    for name in ("README.md", "DOCS.md", "CHANGELOG.md"):
        assert (ADDON / name).read_text(encoding="utf-8").strip(), name
    changelog = (ADDON / "CHANGELOG.md").read_text(encoding="utf-8")
    assert _yaml(ADDON / "config.yaml")["version"] in changelog


def test_dockerfile_installs_the_agent_at_this_version_and_checks_health() -> None:
    dockerfile = (ADDON / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG BUILD_FROM$", dockerfile, re.M)
    assert re.search(r"^FROM \$\{BUILD_FROM\}$", dockerfile, re.M)
    assert "e2ee-nvr[agent] @ git+${E2EE_NVR_REPOSITORY}@v${BUILD_VERSION}" in dockerfile
    assert "camera_agent.addon_options" in dockerfile
    assert re.search(r"^HEALTHCHECK .*\n.*addon_options\", \"healthcheck\"", dockerfile, re.M)
    assert re.search(r'^CMD \["/run.sh"\]$', dockerfile, re.M)
    run_sh = (ADDON / "run.sh").read_text(encoding="utf-8")
    assert run_sh.startswith("#!/bin/sh\n")
    assert "exec python3 -m camera_agent.addon_options start --data-dir /data" in run_sh
    assert (ADDON / "run.sh").stat().st_mode & 0o111


def test_the_installed_package_carries_the_entry_point() -> None:
    """What `pip install e2ee-nvr[agent]` puts in the image holds addon_options and the protocol.

    The 3.11 venv installs the project in setuptools' strict editable mode: a tree of links to
    exactly the packages and package data a wheel would carry (setup.py computes the list), so
    what imports from there is what the image gets.
    """
    dist = importlib.metadata.distribution("e2ee-nvr")
    scripts = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    assert scripts["e2ee-nvr-agent"] == "camera_agent.cli:main"
    assert "agent" in (dist.metadata.get_all("Provides-Extra") or [])
    import camera_agent.addon_options
    import e2ee_nvr_protocol

    installed = Path(e2ee_nvr_protocol.__file__ or "").parent
    assert (installed / "py.typed").is_file()
    assert (installed / "wordlists" / "eff_large_wordlist.txt").is_file()
    assert Path(camera_agent.addon_options.__file__ or "").name == "addon_options.py"
    build = _yaml(ADDON / "build.yaml")
    assert build["args"]["E2EE_NVR_REPOSITORY"] == _yaml(REPO_ROOT / "repository.yaml")["url"]
