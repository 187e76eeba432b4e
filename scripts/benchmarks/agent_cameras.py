"""Figure 5: the real agent with 1, 4 and 8 simulated 1080p 4 Mbit/s cameras.

Usage: python -m scripts.benchmarks.agent_cameras [--seconds 120] [--counts 1,4,8]

Each run starts `python -m camera_agent run` (paired by code, as a user would) against the tests'
fake Home Assistant store (tests/agent/fake_store.py, which verifies and commits every clip), with
every camera an RTSP stream replaying one pre-encoded MP4 (made once with ffmpeg, cached; see
devstack/rtsp_server.py --replay) without re-encoding. The agent's process tree (the agent and its
ffmpeg children) is read from /proc every two seconds: CPU seconds over wall time give its CPU
share (in % of one core) per camera, RSS per camera is the mean over the run, and memory is flat
when the agent's peak RSS in the last minute is within 10% of its peak in the first (a peak, not a
mean: the first minute's mean would include the start-up climb).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from devstack.fake_onvif import FakeOnvifCamera
from scripts.benchmarks.process_tree import TreeSample, sample_tree
from scripts.benchmarks.report import Figure, Target, emit, not_measured
from tests.agent.agent_setup import free_port, new_account
from tests.agent.fake_store import FakeStore, RunningStore
from tests.agent.run_rig import AgentProcess, Rig, Services

REPO_ROOT = Path(__file__).resolve().parents[2]
REPLAY_SCRIPT = Path(__file__).parents[2] / "devstack" / "rtsp_server.py"
SYSTEM_PYTHON = "/usr/bin/python3"  # has PyGObject (gi); a venv does not
CACHE = Path.home() / ".cache" / "e2ee-nvr" / "bench"
FPS = 15
BITRATE = "4M"
SAMPLE_SECONDS = 2.0
WINDOW_SECONDS = 60.0
FLAT_RATIO = 1.1
STORE_TRIM_SECONDS = 10.0


def camera_mp4(seconds: int) -> Path:
    """A 1080p H.264 file at ~4 Mbit/s, keyframe each second, as long as a run needs (cached)."""
    path = CACHE / f"camera-1080p{FPS}-{BITRATE}-{seconds}s.mp4"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part.mp4")
    subprocess.run(  # noqa: S603
        [
            *("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"),
            *("-i", f"testsrc2=size=1920x1080:rate={FPS}", "-t", str(seconds)),
            *("-c:v", "libx264", "-preset", "ultrafast", "-b:v", BITRATE, "-maxrate", BITRATE),
            *("-bufsize", "8M", "-g", str(FPS), "-keyint_min", str(FPS), "-bf", "0"),
            *("-pix_fmt", "yuv420p", str(partial)),
        ],
        check=True,
    )
    partial.rename(path)
    return path


class ReplayServer:
    """devstack/rtsp_server.py serving /cam0.. /cam<N-1> from one MP4."""

    def __init__(self, mp4: Path, cameras: int) -> None:
        self._process = subprocess.Popen(  # noqa: S603
            [SYSTEM_PYTHON, str(REPLAY_SCRIPT), "--replay", str(mp4), "--cameras", str(cameras)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
        )
        if self._process.stdout is None:
            raise RuntimeError("no stdout pipe")
        line = self._process.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "READY":
            self.stop()
            raise RuntimeError(f"the RTSP replay server did not start: {line!r}")
        self.port = int(line[1])

    def url(self, index: int) -> str:
        return f"rtsp://127.0.0.1:{self.port}/cam{index}"

    def stop(self) -> None:
        self._process.kill()
        self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()


@dataclass(frozen=True)
class CameraRun:
    cameras: int
    seconds: float
    samples: list[tuple[float, TreeSample]]
    clips_stored: int


def write_config(root: Path, ha_url: str, server: ReplayServer, cameras: int, clip_s: int) -> Path:
    document = {
        "ha_url": ha_url,
        "state_dir": str(root / "state"),
        "spool_dir": str(root / "spool"),
        "agent_name": "benchmark agent",
        "log_format": "json",
        "cameras": [
            {
                "name": f"Camera {index}",
                "camera_id": f"cam{index}",
                "rtsp_url": server.url(index),
                "mode": {"continuous": {"clip_seconds": clip_s}},
            }
            for index in range(cameras)
        ],
    }
    path = root / "agent.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    return path


def trim_store(store: FakeStore) -> int:
    """Drop committed clips' bytes (the benchmark reads none): the store's memory stays flat."""
    for clip in store.clips.values():
        clip.objects.clear()
    return len(store.commits)


def run_agent(cameras: int, seconds: int, mp4: Path) -> CameraRun:
    clip_seconds = max(5, min(60, seconds // 4))
    services = Services()
    server = ReplayServer(mp4, cameras)
    with tempfile.TemporaryDirectory(prefix="bench-agent-") as folder:
        root = Path(folder)
        account = new_account()
        (root / "store").mkdir()
        store = FakeStore(root / "store", account.first.root_cert, account.document.recipient_set)
        running = RunningStore(store, free_port())
        services.run(running.start())
        config = write_config(root, running.url, server, cameras, clip_seconds)
        cwd, logs = root / "cwd", root / "logs"
        cwd.mkdir()
        logs.mkdir()
        agent = AgentProcess(config, cwd, dict(os.environ), logs / "agent.log")
        rig = Rig(
            root=root,
            account=account,
            services=services,
            store=running,
            onvif=FakeOnvifCamera("unused", "unused", server.url(0)),
            cameras={},
            agent=agent,
            state_dir=root / "state",
            spool_dir=root / "spool",
            agent_tmp=root,
            agent_cwd=cwd,
        )
        try:
            rig.pair()
            agent.start()
            if agent.process is None:
                raise RuntimeError("the agent did not start")
            samples = watch(agent.process.pid, seconds, services, store)
            clips = services.call(lambda: trim_store(store))
            agent.stop()
        except BaseException:
            print(agent.tail(), flush=True)
            raise
        finally:
            agent.end_process_groups()
            services.run(running.stop())
            server.stop()
            services.close()
    return CameraRun(cameras, seconds, samples, clips)


def watch(
    pid: int, seconds: int, services: Services, store: FakeStore
) -> list[tuple[float, TreeSample]]:
    started = time.monotonic()
    samples: list[tuple[float, TreeSample]] = []
    last_trim = started
    while (elapsed := time.monotonic() - started) < seconds:
        sample = sample_tree(pid)
        if sample is None:
            raise RuntimeError("the agent exited during the benchmark")
        samples.append((elapsed, sample))
        if time.monotonic() - last_trim > STORE_TRIM_SECONDS:
            services.call(lambda: trim_store(store))
            last_trim = time.monotonic()
        time.sleep(SAMPLE_SECONDS)
    final = sample_tree(pid)
    if final is not None:
        samples.append((time.monotonic() - started, final))
    return samples


def report(run: CameraRun) -> None:
    prefix = f"cameras.{run.cameras}"
    (first_t, first), (last_t, last) = run.samples[0], run.samples[-1]
    cpu_share = (last.cpu_seconds - first.cpu_seconds) / (last_t - first_t)
    mean_tree_rss = statistics.fmean(s.tree_rss_bytes for _, s in run.samples)
    window = min(WINDOW_SECONDS, last_t / 2)
    early = [s.root_rss_bytes for t, s in run.samples if t < window]
    late = [s.root_rss_bytes for t, s in run.samples if t >= last_t - window]
    growth = max(late) / max(early)
    duration = f"{run.seconds:.0f} s run"
    emit(
        Figure(
            f"{prefix}.cpu_percent_per_camera",
            100 * cpu_share / run.cameras,
            "%core",
            note=f"agent + its ffmpegs: {100 * cpu_share:.1f}% of one core for {run.cameras}; "
            + duration,
        )
    )
    emit(
        Figure(
            f"{prefix}.rss_mib_per_camera",
            mean_tree_rss / run.cameras / (1 << 20),
            "MiB",
            note=f"mean RSS of agent + ffmpegs {mean_tree_rss / (1 << 20):.0f} MiB in all",
        )
    )
    emit(
        Figure(
            f"{prefix}.agent_rss_last_over_first",
            growth,
            "ratio",
            Target("<=", FLAT_RATIO),
            note=f"agent peak RSS in the last {window:.0f} s over the first {window:.0f} s "
            f"({max(early) / (1 << 20):.0f} -> {max(late) / (1 << 20):.0f} MiB)",
        )
    )
    emit(
        Figure(
            f"{prefix}.clips_stored",
            run.clips_stored,
            "clips",
            Target(">=", run.cameras),
            note="clips the store verified and committed: a run that stored none measured nothing",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--counts", default="1,4,8")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    if shutil.which("ffmpeg") is None or not Path(SYSTEM_PYTHON).exists():
        for count in counts:
            emit(
                not_measured(f"cameras.{count}.cpu_percent_per_camera", "%core", None, "no ffmpeg")
            )
        return
    mp4 = camera_mp4(args.seconds + 30)
    for count in counts:
        report(run_agent(count, args.seconds, mp4))


if __name__ == "__main__":
    main()
