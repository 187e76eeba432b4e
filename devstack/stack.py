"""The whole system wired together: HA (onboarded, integration set up), camera and agent."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from devstack.agent_process import AgentProcess, ContinuousTiming, EventTiming, write_agent_config
from devstack.camera_sim import SimulatedCamera
from devstack.ha_api import HaApi
from devstack.hass_process import DEFAULT_HA_VENV, HassLayout, HassProcess
from devstack.onboarding import Owner, onboard

DOMAIN = "e2ee_nvr"
STORAGE_FOLDER = "e2ee_nvr"


@dataclass(frozen=True)
class StackSettings:
    """Where the stack lives and which port HA listens on (the demo uses 8123)."""

    work_dir: Path
    port: int
    ha_venv: Path = DEFAULT_HA_VENV
    timing: EventTiming | ContinuousTiming = field(default_factory=EventTiming)


@dataclass
class Stack:
    """Handles on every running part, for a test or the demo to drive."""

    hass: HassProcess
    owner: Owner
    api: HaApi
    camera: SimulatedCamera
    agent: AgentProcess

    @property
    def storage_dir(self) -> Path:
        return self.hass.layout.media_dir / STORAGE_FOLDER


async def add_integration(api: HaApi) -> None:
    """The config flow as the UI runs it: storage in HA's media folder, a small cap."""
    await api.run_config_flow(
        DOMAIN,
        {
            "media_dir": "local",
            "folder": STORAGE_FOLDER,
            "retention_days": 7,
            "storage_cap_gb": 1.0,
            "events_visible": True,
        },
    )


@contextlib.asynccontextmanager
async def running_stack(settings: StackSettings) -> AsyncIterator[Stack]:
    """Start HA, onboard it, add the integration, start the camera; the agent is configured
    but not started (pair it with stack.agent.start_pairing()). Everything stops on exit."""
    layout = HassLayout(settings.work_dir / "ha-config", settings.work_dir / "media", settings.port)
    async with contextlib.AsyncExitStack() as stack:
        hass = await stack.enter_async_context(HassProcess(layout, settings.ha_venv))
        owner = await onboard(hass.url)
        api = await stack.enter_async_context(HaApi(hass.url, owner.long_lived_token))
        await add_integration(api)
        camera = await stack.enter_async_context(SimulatedCamera())
        config = write_agent_config(settings.work_dir / "agent", hass.url, camera, settings.timing)
        agent = AgentProcess(config)
        # Registered last, so it stops first: the agent before the camera and HA it talks to.
        stack.push_async_callback(agent.stop)
        yield Stack(hass, owner, api, camera, agent)
