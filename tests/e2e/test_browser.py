"""The browser driver against a real hass: HA's login page, then the E2EE NVR panel loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from devstack.browser import BrowserUser, run_scenario
from devstack.ha_api import HaApi
from devstack.hass_process import HassLayout, HassProcess
from devstack.onboarding import onboard
from devstack.ports import free_port
from devstack.stack import add_integration

pytestmark = pytest.mark.slow


async def test_the_owner_logs_in_and_the_panel_loads(tmp_path: Path) -> None:
    layout = HassLayout(tmp_path / "ha-config", tmp_path / "media", free_port())
    async with HassProcess(layout) as hass:
        owner = await onboard(hass.url)
        async with HaApi(hass.url, owner.long_lived_token) as api:
            await add_integration(api)
        user = BrowserUser(
            hass.url, owner.username, owner.password, tmp_path / "shots", tmp_path / "profile"
        )
        result = await run_scenario("login", user)
    assert result["panelDefined"] is True
    assert result["url"].endswith("/e2ee-nvr")
    assert Path(result["screenshot"]).stat().st_size > 0
    assert result["consoleErrors"] == []
