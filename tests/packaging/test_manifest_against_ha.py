"""manifest.json against the installed Home Assistant: version check and dependencies.

Collected only in the Home Assistant venvs (tests/conftest.py), so it runs against the oldest and
the newest HA tested and never stands skipped in the Python 3.11 run.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from tests.packaging.rules import VERSION_STRATEGIES


def test_version_is_valid(manifest: dict[str, Any]) -> None:
    # HA's loader refuses a custom integration without a valid version, with the same check as
    # hassfest's verify_version. awesomeversion comes with Home Assistant: checked in its venvs.
    import awesomeversion

    version = manifest["version"]
    assert isinstance(version, str)
    strategies = [getattr(awesomeversion.AwesomeVersionStrategy, s) for s in VERSION_STRATEGIES]
    awesomeversion.AwesomeVersion(version, ensure_strategy=strategies)


def _components_dir() -> Path:
    spec = importlib.util.find_spec("homeassistant")
    assert spec is not None and spec.submodule_search_locations, "Home Assistant is not installed"
    return Path(next(iter(spec.submodule_search_locations))) / "components"


def test_dependencies_exist_in_home_assistant(manifest: dict[str, Any]) -> None:
    # Run in each HA venv, so every dependency exists in the oldest and the newest HA tested.
    components = _components_dir()
    named = [*manifest.get("dependencies", []), *manifest.get("after_dependencies", [])]
    missing = [dep for dep in named if not (components / dep / "manifest.json").is_file()]
    assert missing == []


def test_domain_does_not_collide_with_a_core_integration(manifest: dict[str, Any]) -> None:
    assert not (_components_dir() / manifest["domain"]).exists()
