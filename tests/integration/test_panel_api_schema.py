"""The panel API's contract: the JSON Schema is current, complete, and documented."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from homeassistant.components.websocket_api import DOMAIN as WS_DOMAIN
from homeassistant.core import HomeAssistant

from tests.integration.panel_api_schema import panel_api_schema

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_schema_is_generated_from_the_current_zod_schemas() -> None:
    # No skip without Node: ./scripts/test installs it (and frontend/node_modules) first.
    node = shutil.which("node")
    assert node is not None, "node is needed to check docs/panel-api.schema.json"
    result = subprocess.run(  # noqa: S603 (a fixed script of this repository)
        [node, "scripts/panel-api-schema.mjs", "--check"],
        cwd=REPO_ROOT / "frontend",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.usefixtures("init_integration")
async def test_every_command_has_a_schema_and_a_section(hass: HomeAssistant) -> None:
    registered = {t for t in hass.data[WS_DOMAIN] if t.startswith("e2ee_nvr/")}
    assert registered == set(panel_api_schema()["responses"])
    documented = (REPO_ROOT / "docs" / "panel-api.md").read_text(encoding="utf-8")
    for command in registered:
        assert f"`{command}`" in documented, command
