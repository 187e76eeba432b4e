"""A real `hass` process on a free loopback port, with a temporary config folder."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_HA_VENV = REPO_ROOT / ".venv" / "ha2025"
# E2EE_NVR_INTEGRATION: another copy of the integration (e.g. with a candidate frontend bundle).
INTEGRATION = Path(
    os.environ.get("E2EE_NVR_INTEGRATION", REPO_ROOT / "custom_components" / "e2ee_nvr")
)
# PLATFORM.md measured 6-12 s on two cores; a loaded CI machine gets generous headroom.
START_TIMEOUT_SECONDS = 90.0
STOP_TIMEOUT_SECONDS = 20.0
# Onboarding steps other than `user` pre-marked done: they would otherwise write core config,
# analytics and discovery choices, side effects a test does not want (PLATFORM.md).
PRESEEDED_ONBOARDING_STEPS = ("core_config", "analytics", "integration")
ONBOARDING_STORAGE_VERSION = 4


class HassFailed(RuntimeError):
    """Home Assistant could not be found, did not start, or exited; the message says which."""


@dataclass(frozen=True)
class HassLayout:
    """Where one Home Assistant instance keeps its files."""

    config_dir: Path
    media_dir: Path
    port: int

    @property
    def log_path(self) -> Path:
        return self.config_dir / "hass.stdout.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def hass_executable(venv: Path) -> Path:
    """The venv's `hass`; a missing one is a failure that says how to build it."""
    executable = venv / "bin" / "hass"
    if not os.access(executable, os.X_OK):
        raise HassFailed(
            f"{executable} is missing: build the Home Assistant venv with ./scripts/test --lint "
            "or ./scripts/test (it creates .venv/ha2025)"
        )
    return executable


def write_config(layout: HassLayout) -> None:
    """configuration.yaml (no default_config: only what the panel and the flow need),
    pre-seeded onboarding, and the integration linked in as a custom component."""
    layout.config_dir.mkdir(parents=True, exist_ok=True)
    layout.media_dir.mkdir(parents=True, exist_ok=True)
    config = {
        # media_dirs is explicit: inside a container HA would otherwise default to /media.
        "homeassistant": {
            "name": "E2EE NVR test",
            "media_dirs": {"local": str(layout.media_dir)},
        },
        "http": {"server_host": "127.0.0.1", "server_port": layout.port},
        "frontend": {},
        "logger": {"default": "warning", "logs": {"custom_components.e2ee_nvr": "debug"}},
    }
    (layout.config_dir / "configuration.yaml").write_text(yaml.safe_dump(config), "utf-8")
    storage = layout.config_dir / ".storage"
    storage.mkdir(exist_ok=True)
    onboarding = {
        "version": ONBOARDING_STORAGE_VERSION,
        "minor_version": 1,
        "key": "onboarding",
        "data": {"done": list(PRESEEDED_ONBOARDING_STEPS)},
    }
    onboarding_file = storage / "onboarding"
    # Only on first start: a restart keeps what HA itself wrote (the owner step done).
    if not onboarding_file.exists():
        onboarding_file.write_text(json.dumps(onboarding), "utf-8")
    components = layout.config_dir / "custom_components"
    components.mkdir(exist_ok=True)
    link = components / INTEGRATION.name
    if not link.exists():
        # A symlink, not a copy: the running HA executes exactly the code under test.
        link.symlink_to(INTEGRATION, target_is_directory=True)


class HassProcess:
    """Start, wait for and stop one `hass`; its stdout and stderr go to layout.log_path."""

    def __init__(self, layout: HassLayout, venv: Path = DEFAULT_HA_VENV) -> None:
        self.layout = layout
        self.venv = venv
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return self.layout.url

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.layout.log_path.read_text("utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    async def start(self) -> None:
        executable = hass_executable(self.venv)
        write_config(self.layout)
        with self.layout.log_path.open("ab") as log:
            # --skip-pip: everything the integration needs is in the venv; HA must never reach
            # for PyPI at start-up. A new session so stop() can signal hass and nothing else.
            self._process = subprocess.Popen(  # noqa: S603 (fixed argv)
                [str(executable), "--config", str(self.layout.config_dir), "--skip-pip"],
                stdin=subprocess.DEVNULL,
                # No PYTHONPATH (scripts/demo sets it to the repo root): through it, the repo's
                # custom_components/ would shadow the integration linked into the config folder.
                env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        await self.wait_ready()

    async def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        """Until /api/ answers: 401 without a token means HTTP and auth are both up."""
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                self._check_alive()
                try:
                    async with session.get(f"{self.url}/api/") as response:
                        if response.status in (200, 401):
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.25)
        raise HassFailed(
            f"hass did not answer {self.url}/api/ in {timeout:.0f} s:\n{self.log_tail()}"
        )

    def _check_alive(self) -> None:
        if self._process is None:
            raise HassFailed("hass was not started")
        code = self._process.poll()
        if code is not None:
            raise HassFailed(f"hass exited with code {code}:\n{self.log_tail()}")

    def stop(self) -> int | None:
        """SIGTERM (HA's clean shutdown writes its storage), then SIGKILL after a timeout."""
        process, self._process = self._process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                return process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        return process.wait()

    def kill(self) -> int:
        """SIGKILL, as a power cut or the OOM killer would: no clean shutdown, nothing saved."""
        process, self._process = self._process, None
        if process is None:
            raise HassFailed("hass was not started")
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait()

    async def __aenter__(self) -> HassProcess:
        try:
            await self.start()
        except BaseException:
            self.stop()
            raise
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.stop)
