"""What the UI tests share: the screenshot folder, the agent's log as evidence, plaintext scans."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from devstack.agent_process import AgentProcess
from devstack.browser import fresh_dir
from devstack.browser_driver import BrowserDriver
from devstack.hass_process import REPO_ROOT
from devstack.ports import free_port
from devstack.stack import DOMAIN, Stack, StackSettings, running_stack

ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
STORED_LINE = re.compile(r"clip ([0-9a-f]+) stored by Home Assistant")
EPOCH_LINE = re.compile(r"recipient set epoch (\d+) accepted")


async def account_info(stack: Stack) -> dict[str, Any]:
    """What the panel reads first: e2ee_nvr/account/get, as the admin."""
    info: dict[str, Any] = await stack.api.call_once(f"{DOMAIN}/account/get")
    return info


def artifact_dir(name: str) -> Path:
    """test-artifacts/e2e/<name>/, emptied: CI keeps it; a rerun does not mix old pictures in."""
    return fresh_dir(ARTIFACTS / name)


@asynccontextmanager
async def stack_with_browser(
    tmp_path: Path, name: str
) -> AsyncIterator[tuple[Stack, BrowserDriver, Path]]:
    """The whole stack running and a browser driver for it; screenshots go to artifact_dir(name)."""
    shots = artifact_dir(name)
    async with running_stack(StackSettings(tmp_path, free_port())) as stack:
        yield stack, BrowserDriver(shots, tmp_path / "profiles"), shots


def assert_screenshots(shots: Path, screens: Iterable[str]) -> None:
    """Every screen in `screens` has a screenshot in `shots` (its name in a file name)."""
    pictures = sorted(p.name for p in shots.glob("*.png"))
    for screen in screens:
        assert any(screen in name for name in pictures), f"no screenshot of {screen}"


def agent_run_log(agent: AgentProcess) -> str:
    try:
        return agent.log_path("run").read_text("utf-8", errors="replace")
    except OSError:
        return ""


def stored_clip_ids(agent: AgentProcess) -> list[str]:
    """Each clip the agent saw HA confirm as stored, in order (a clip twice = uploaded twice)."""
    return STORED_LINE.findall(agent_run_log(agent))


async def wait_agent_epoch(agent: AgentProcess, epoch: int, timeout: float = 45.0) -> float:
    """Until the agent has accepted recipient set `epoch` (it checks at each 30 s heartbeat);
    the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if any(int(e) >= epoch for e in EPOCH_LINE.findall(agent_run_log(agent))):
            return time.monotonic() - started
        await asyncio.sleep(0.5)
    raise AssertionError(
        f"the agent did not accept recipient set epoch {epoch} in {timeout:.0f} s:\n"
        f"{agent.log_tail('run')}"
    )


def files_containing(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


SEALED_LINE = re.compile(r"clip ([0-9a-f]+) \([^)]*\) sealed")


def sealed_clip_ids(agent: AgentProcess) -> list[str]:
    """Each clip the agent finished and encrypted into its spool, in order."""
    return SEALED_LINE.findall(agent_run_log(agent))


async def wait_sealed(agent: AgentProcess, count: int, timeout: float = 30.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while len(sealed := sealed_clip_ids(agent)) < count:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the agent sealed {len(sealed)} clips in {timeout:.0f} s, expected {count}:\n"
                f"{agent.log_tail('run')}"
            )
        await asyncio.sleep(0.2)
    return sealed
