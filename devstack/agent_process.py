"""The real camera agent as child processes: `pair` (its code parsed from stdout), then `run`."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import yaml

from devstack.camera_sim import ONVIF_USERNAME, SimulatedCamera
from devstack.hass_process import REPO_ROOT

DEFAULT_AGENT_VENV = REPO_ROOT / ".venv" / "py311"
CAMERA_ID = "front-door"
CAMERA_NAME = "Front door"
# The code as `pair` prints it on a line of its own: five groups of four base32 characters.
CODE_LINE = re.compile(r"^\s*([A-Z2-7]{4}(?:-[A-Z2-7]{4}){4})\s*$")
CODE_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0


class AgentFailed(RuntimeError):
    """The agent could not start, printed no code, or exited with an error."""


@dataclass(frozen=True)
class EventTiming:
    """Event-mode timing; short in tests so a motion burst becomes a clip within seconds."""

    preroll_seconds: float = 1.0
    postroll_seconds: float = 2.0
    max_clip_seconds: float = 30.0


@dataclass(frozen=True)
class ContinuousTiming:
    """Continuous recording cut into clips of `clip_seconds`; short in tests, so a few seconds
    give several back-to-back clips (the timeline's clip boundaries)."""

    clip_seconds: float = 4.0


def _mode(timing: EventTiming | ContinuousTiming) -> dict[str, dict[str, float]]:
    if isinstance(timing, ContinuousTiming):
        return {"continuous": {"clip_seconds": timing.clip_seconds}}
    return {
        "events": {
            "preroll_seconds": timing.preroll_seconds,
            "postroll_seconds": timing.postroll_seconds,
            "max_clip_seconds": timing.max_clip_seconds,
        }
    }


def agent_python(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not os.access(python, os.X_OK):
        raise AgentFailed(f"{python} is missing: build the agent venv with ./scripts/test --lint")
    return python


def write_agent_yaml(
    folder: Path,
    ha_url: str,
    agent_name: str,
    cameras: list[dict[str, Any]],
    **options: Any,
) -> Path:
    """`folder`/agent.yaml (camera_agent/config.py's format), its state and spool inside `folder`.

    `options` are further top-level settings (e.g. visible_event_types, log_format).
    """
    folder.mkdir(parents=True, exist_ok=True)
    document = {
        "ha_url": ha_url,
        "state_dir": str(folder / "state"),
        "spool_dir": str(folder / "spool"),
        "agent_name": agent_name,
        **options,
        "cameras": cameras,
    }
    path = folder / "agent.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    return path


def write_agent_config(
    folder: Path,
    ha_url: str,
    camera: SimulatedCamera,
    timing: EventTiming | ContinuousTiming = EventTiming(),
) -> Path:
    """The agent's YAML: one ONVIF camera recording on motion (or all the time, with
    ContinuousTiming)."""
    onvif_camera = {
        "name": CAMERA_NAME,
        "camera_id": CAMERA_ID,
        "onvif": {
            "host": "127.0.0.1",
            "port": camera.onvif_port,
            "username": ONVIF_USERNAME,
            "password": camera.onvif_password,
        },
        "mode": _mode(timing),
    }
    # The owner opts in to HA seeing that motion happened (for automations); the integration's
    # own option must allow it too (the stack's entry does).
    return write_agent_yaml(
        folder,
        ha_url,
        "simulated camera box",
        [onvif_camera],
        visible_event_types=["motion"],
    )


class AgentProcess:
    """`python -m camera_agent <command>` from the agent venv; output goes to log files."""

    def __init__(self, config_path: Path, venv: Path = DEFAULT_AGENT_VENV) -> None:
        self.config_path = config_path
        self.venv = venv
        self.log_dir = config_path.parent / "logs"
        self._pair: asyncio.subprocess.Process | None = None
        self._run: asyncio.subprocess.Process | None = None
        self._pair_reader: asyncio.Task[None] | None = None

    def log_path(self, command: str) -> Path:
        return self.log_dir / f"agent-{command}.log"

    def log_tail(self, command: str, lines: int = 30) -> str:
        try:
            text = self.log_path(command).read_text("utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    async def _spawn(
        self, command: str, stdout: int | IO[bytes], stderr: IO[bytes]
    ) -> asyncio.subprocess.Process:
        argv = [str(agent_python(self.venv)), "-m", "camera_agent", command]
        # The repo root on the path so the agent imports this checkout even without the editable
        # install; unbuffered so the code line reaches the pipe at once.
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(REPO_ROOT)}
        return await asyncio.create_subprocess_exec(
            *argv,
            "--config",
            str(self.config_path),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=env,
            cwd=REPO_ROOT,
            start_new_session=True,
        )

    async def start_pairing(self) -> str:
        """Start `pair` and return the code it shows (XXXX-XXXX-XXXX-XXXX-XXXX)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path("pair").open("ab")
        self._pair = await self._spawn("pair", asyncio.subprocess.PIPE, log)
        code: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        async def read(stream: asyncio.StreamReader) -> None:
            # Keep draining after the code: a full pipe would block the agent.
            try:
                async for raw in stream:
                    log.write(raw)
                    log.flush()
                    match = CODE_LINE.match(raw.decode("utf-8", errors="replace"))
                    if match and not code.done():
                        code.set_result(match.group(1))
            finally:
                log.close()

        if self._pair.stdout is None:
            raise AgentFailed("the pairing process has no stdout pipe")
        self._pair_reader = asyncio.create_task(read(self._pair.stdout), name="agent:pair:stdout")
        waiter: asyncio.Future[Any] = asyncio.ensure_future(self._pair.wait())
        done, _ = await asyncio.wait(
            {cast("asyncio.Future[Any]", code), waiter},
            timeout=CODE_TIMEOUT_SECONDS,
            return_when=asyncio.FIRST_COMPLETED,
        )
        waiter.cancel()
        if code in done:
            return code.result()
        raise AgentFailed(
            f"`camera_agent pair` showed no code in {CODE_TIMEOUT_SECONDS:.0f} s "
            f"(exit code {self._pair.returncode}):\n{self.log_tail('pair')}"
        )

    async def wait_paired(self, timeout: float = 30.0) -> None:
        """`pair` exits 0 once it has verified the grant and pinned the account."""
        if self._pair is None:
            raise AgentFailed("start_pairing() first")
        try:
            code = await asyncio.wait_for(self._pair.wait(), timeout)
        except TimeoutError:
            raise AgentFailed(f"`pair` still waiting after {timeout:.0f} s") from None
        if self._pair_reader is not None:
            await self._pair_reader
        if code != 0:
            raise AgentFailed(f"`pair` exited with {code}:\n{self.log_tail('pair')}")

    async def start_running(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path("run").open("ab") as log:
            self._run = await self._spawn("run", log, log)

    def run_pid(self) -> int:
        """The pid of `run` (its ffmpeg children are below it): for CPU figures."""
        if self._run is None or self._run.returncode is not None:
            raise AgentFailed("`run` is not running")
        return self._run.pid

    def check_running(self) -> None:
        if self._run is None or self._run.returncode is not None:
            code = None if self._run is None else self._run.returncode
            raise AgentFailed(f"`run` is not running (exit code {code}):\n{self.log_tail('run')}")

    async def stop(self) -> None:
        """SIGTERM (the agent finishes its clip and closes ffmpeg), then SIGKILL."""
        for process in (self._pair, self._run):
            if process is None or process.returncode is not None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
        if self._pair_reader is not None:
            with contextlib.suppress(Exception):
                await self._pair_reader
        self._pair = self._run = self._pair_reader = None
