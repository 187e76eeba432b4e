"""contrib/systemd/e2ee-nvr-agent.service parses, runs the agent and keeps its hardening."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
UNIT = REPO_ROOT / "contrib" / "systemd" / "e2ee-nvr-agent.service"
INSTALLED_PYTHON = "/opt/e2ee-nvr/venv/bin/python"
HARDENING = {
    "DynamicUser": "yes",
    "StateDirectory": "e2ee-nvr-agent",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "CapabilityBoundingSet": "",
    "LoadCredential": "agent.yaml:/etc/e2ee-nvr/agent.yaml",
}


def _sections() -> dict[str, dict[str, list[str]]]:
    """The unit as section -> key -> values (systemd keys may repeat; configparser's may not)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in UNIT.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"key outside a section: {line}"
        key, sep, value = line.partition("=")
        assert sep, f"not key=value: {line}"
        current.setdefault(key, []).append(value)
    return sections


def test_unit_structure_and_hardening() -> None:
    sections = _sections()
    assert set(sections) == {"Unit", "Service", "Install"}
    service = sections["Service"]
    assert service["ExecStart"] == [
        f"{INSTALLED_PYTHON} -m camera_agent run --config %d/agent.yaml"
    ]
    for key, value in HARDENING.items():
        assert service.get(key) == [value], key
    assert sections["Install"]["WantedBy"] == ["multi-user.target"]
    # configparser agrees it is an INI-shaped file (catches stray continuation lines).
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text(encoding="utf-8"))


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    """systemd's own parser: every directive known, every value valid (ExecStart made to exist)."""
    unit = tmp_path / UNIT.name
    unit.write_text(
        UNIT.read_text(encoding="utf-8").replace(INSTALLED_PYTHON, sys.executable),
        encoding="utf-8",
    )
    done = subprocess.run(  # noqa: S603
        ["systemd-analyze", "verify", str(unit)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert UNIT.name not in done.stderr, done.stderr
