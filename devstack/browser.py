"""Drive Debian's Chromium through the real HA UI: one Node scenario script per user action.

Why Node and not Python's `playwright` package: frontend/ already pins playwright-core in its
package-lock.json and runs it against /usr/bin/chromium (scripts/browser-tests.mjs), offline.
The Python wheel would add a second copy of the driver (with its own Node) to the py311 lock,
and the panel's authors write their selectors next to the panel, in frontend/e2e/scenarios/.
Each scenario reads JSON on stdin and prints one JSON line; screenshots land in a folder.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.hass_process import REPO_ROOT

FRONTEND = REPO_ROOT / "frontend"
RUNNER = FRONTEND / "e2e" / "run-scenario.mjs"
CHROMIUM = Path(os.environ.get("E2EE_NVR_CHROMIUM", "/usr/bin/chromium"))
SCENARIO_TIMEOUT_SECONDS = 120.0


class BrowserFailed(RuntimeError):
    """A prerequisite is missing, or the scenario failed (message, screenshot and console)."""


@dataclass(frozen=True)
class BrowserUser:
    """Who logs in, and where this browser's profile (its IndexedDB keys) and pictures go."""

    ha_url: str
    username: str
    password: str
    screenshot_dir: Path
    profile_dir: Path


def check_prerequisites() -> str:
    """The `node` to run; each missing piece is a failure that says how to install it."""
    node = shutil.which("node")
    if node is None:
        raise BrowserFailed("node is not installed: ./scripts/test installs nodejs (apt)")
    if not os.access(CHROMIUM, os.X_OK):
        raise BrowserFailed(f"{CHROMIUM} is missing: apt-get install chromium (./scripts/test)")
    if not (FRONTEND / "node_modules" / "playwright-core").is_dir():
        raise BrowserFailed("frontend/node_modules lacks playwright-core: run npm ci in frontend/")
    return node


async def run_scenario(name: str, user: BrowserUser, **fields: Any) -> dict[str, Any]:
    """Run frontend/e2e/scenarios/<name>.mjs; its JSON result, or BrowserFailed."""
    node = check_prerequisites()
    params = {
        "haUrl": user.ha_url,
        "username": user.username,
        "password": user.password,
        "screenshotDir": str(user.screenshot_dir),
        "profileDir": str(user.profile_dir),
        **fields,
    }
    process = await asyncio.create_subprocess_exec(
        node,
        str(RUNNER),
        name,
        cwd=FRONTEND,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(
            process.communicate(json.dumps(params).encode()), SCENARIO_TIMEOUT_SECONDS
        )
    except TimeoutError:
        process.kill()
        await process.wait()
        raise BrowserFailed(f"scenario {name} ran over {SCENARIO_TIMEOUT_SECONDS:.0f} s") from None
    lines = stdout.decode("utf-8", errors="replace").strip().splitlines()
    try:
        result: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise BrowserFailed(
            f"scenario {name} printed no result (exit {process.returncode}):\n"
            f"{stdout.decode(errors='replace')[-2000:]}\n{stderr.decode(errors='replace')[-2000:]}"
        ) from None
    if not result.get("ok"):
        console = "\n  ".join(result.get("console") or [])
        raise BrowserFailed(
            f"scenario {name} failed: {result.get('error')}\n"
            f"page: {result.get('url')}\nscreenshot: {result.get('screenshot')}\n"
            f"console errors: {result.get('consoleErrors')}\n"
            f"browser console (last lines):\n  {console}"
        )
    return result


def fresh_dir(folder: Path) -> Path:
    """An empty folder for a run's screenshots: last run's pictures never pass for this run's."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
