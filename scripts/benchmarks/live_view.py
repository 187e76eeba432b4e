"""Figure 10 (Chromium): live view's camera-to-screen latency and the agent's CPU per viewer.

Usage: python -m scripts.benchmarks.live_view [PHASE_SECONDS]

The whole product on loopback (devstack/stack.py): a real `hass`, the simulated camera (GStreamer
RTSP, 320x240 10 fps H.264 + AAC, a keyframe every second), the real agent (`camera_agent run`,
recording continuously) and Debian's Chromium, which turns E2EE on and pairs the agent through
the panel. Then, in frontend/e2e/scenarios/bench-live.mjs, the panel's Live tab watches the
camera; the camera stamps its wall clock into each keyframe, and the page takes the moment that
keyframe is presented (requestVideoFrameCallback): camera-to-screen latency on one machine's
clock, with nothing in the product instrumented.

CPU is the agent's process tree (the agent and its ffmpeg) from /proc, per phase of equal length:
recording only (no viewer), one viewer, then 1 + EXTRA_VIEWERS viewers on the same camera (the
agent shares one live session between them: the extra ones cost a key wrap each and HA's fan-out,
not a second capture or encryption). Figures are differences of CPU rates measured in the same
run, so they read as the agent's extra share of one core.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devstack.browser_driver import BrowserDriver
from devstack.ports import free_port
from devstack.stack import Stack, StackSettings, running_stack
from scripts.benchmarks.process_tree import sample_tree
from scripts.benchmarks.report import Figure, Target, emit, not_measured

# devstack/rtsp_server.py: 10 fps with a keyframe every 10 frames.
GOP_SECONDS = 1.0
LATENCY_TARGET = Target("<=", 2.0 + GOP_SECONDS)
EXTRA_VIEWERS = 2
DEFAULT_PHASE_SECONDS = 30
SAMPLE_SECONDS = 0.5
# Recording settles (ffmpeg connected, first clip open) before the no-viewer phase.
SETTLE_SECONDS = 8.0


@dataclass(frozen=True)
class CpuSample:
    wall: float  # Unix seconds, the clock the page's Date.now() marks use too
    cpu_seconds: float


class CpuRecorder:
    """Samples the agent's process tree until stopped; CPU rate over any wall-clock window."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[CpuSample] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="bench:cpu")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while (sample := sample_tree(self.pid)) is not None:
            self.samples.append(CpuSample(time.time(), sample.cpu_seconds))
            await asyncio.sleep(SAMPLE_SECONDS)

    def rate(self, start: float, end: float) -> float:
        """CPU seconds per wall second between the samples nearest inside [start, end]."""
        inside = [s for s in self.samples if start <= s.wall <= end]
        if len(inside) < 2:
            raise RuntimeError(f"fewer than two CPU samples between {start} and {end}")
        first, last = inside[0], inside[-1]
        return (last.cpu_seconds - first.cpu_seconds) / (last.wall - first.wall)

    def spread(self, start: float, end: float, parts: int = 3) -> float:
        """Half the range of the rates over `parts` equal slices of [start, end]: the noise floor.

        A viewer's extra cost on a small test stream is a fraction of a percent of a core, the same
        order as the scheduler's jitter; the spread says which differences mean anything.
        """
        step = (end - start) / parts
        rates = [self.rate(start + i * step, start + (i + 1) * step) for i in range(parts)]
        return (max(rates) - min(rates)) / 2


async def measure(folder: Path, phase_seconds: int) -> dict[str, Any]:
    async with running_stack(StackSettings(folder, free_port())) as stack:
        driver = BrowserDriver(folder / "screens", folder / "profiles")
        await driver.turn_on(stack)
        await driver.pair(stack, await stack.agent.start_pairing())
        await stack.agent.wait_paired()
        await stack.agent.start_running()
        cpu = CpuRecorder(stack.agent.run_pid())
        cpu.start()
        try:
            await asyncio.sleep(SETTLE_SECONDS)
            idle_from = time.time()
            await asyncio.sleep(phase_seconds)
            idle_to = time.time()
            result = await driver.scenario(
                stack, "bench-live", phaseMs=phase_seconds * 1000, extraViewers=EXTRA_VIEWERS
            )
        finally:
            await cpu.stop()
        check_agent(stack)
    marks = {name: float(value) / 1000 for name, value in result["marks"].items()}
    return {
        "latencies_s": [float(ms) / 1000 for ms in result["latencies"]],
        "skipped": int(result["skipped"]),
        "viewers": int(result["viewers"]),
        "cpu_idle": cpu.rate(idle_from, idle_to),
        "cpu_noise": cpu.spread(idle_from, idle_to),
        "cpu_one": cpu.rate(marks["oneFrom"], marks["oneTo"]),
        "cpu_many": cpu.rate(marks["manyFrom"], marks["manyTo"]),
    }


def check_agent(stack: Stack) -> None:
    """The agent must still be running: a figure from a crashed agent would mean nothing."""
    stack.agent.check_running()


def report(results: dict[str, Any], phase_seconds: int) -> None:
    latencies = sorted(results["latencies_s"])
    if not latencies:
        raise RuntimeError("no keyframe was seen presented")
    median = statistics.median(latencies)
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    seen = f"{len(latencies)} keyframes ({results['skipped']} skipped by a jump to the live edge)"
    emit(
        Figure(
            "live.latency_median_s",
            median,
            "s",
            LATENCY_TARGET,
            f"camera stamp to presented frame, median of {seen}; GOP {GOP_SECONDS:.0f} s; "
            f"ratio to the target {median / LATENCY_TARGET.bound:.2f}",
        )
    )
    emit(
        Figure(
            "live.latency_p95_s",
            p95,
            "s",
            LATENCY_TARGET,
            f"95th percentile of the same keyframes; worst {latencies[-1]:.2f} s",
        )
    )
    idle, one, many = results["cpu_idle"], results["cpu_one"], results["cpu_many"]
    extra_viewers = results["viewers"] - 1
    noise = f"; the recording-only phase's thirds spread by +-{results['cpu_noise'] * 100:.2f}%"
    emit(
        Figure(
            "live.agent_cpu_first_viewer",
            (one - idle) * 100,
            "%core",
            note=f"agent tree {one * 100:.1f}% of a core with one viewer against "
            f"{idle * 100:.1f}% recording only ({phase_seconds} s each); the live session "
            f"reuses the recording's ffmpeg, so this is sealing and uploading the records{noise}",
        )
    )
    emit(
        Figure(
            "live.agent_cpu_per_extra_viewer",
            (many - one) * 100 / extra_viewers,
            "%core",
            note=f"{results['viewers']} viewers of one camera: {many * 100:.1f}% against "
            f"{one * 100:.1f}% with one, per extra viewer (one shared session: a key wrap "
            f"each, fan-out in HA){noise}",
        )
    )


FIGURES = (
    ("live.latency_median_s", "s", LATENCY_TARGET),
    ("live.latency_p95_s", "s", LATENCY_TARGET),
    ("live.agent_cpu_first_viewer", "%core", None),
    ("live.agent_cpu_per_extra_viewer", "%core", None),
)


def main(argv: list[str]) -> None:
    phase_seconds = int(argv[0]) if argv else DEFAULT_PHASE_SECONDS
    try:
        with tempfile.TemporaryDirectory(prefix="bench-live-") as folder:
            results = asyncio.run(measure(Path(folder), phase_seconds))
        report(results, phase_seconds)
    except Exception as err:  # every failure becomes a missed figure, with its reason
        reason = f"the live run failed: {type(err).__name__}: {' '.join(str(err).split())}"
        for name, unit, target in FIGURES:
            emit(not_measured(name, unit, target, reason[:600]))
        raise SystemExit(1) from err


if __name__ == "__main__":
    main(sys.argv[1:])
