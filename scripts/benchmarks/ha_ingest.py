"""Figure 6: Home Assistant ingesting 32 cameras at 8 Mbit/s: backlog, HA's CPU and memory.

Usage: python -m scripts.benchmarks.ha_ingest [--seconds 120] [--cameras 32] [--mbit 8] [--bucket]

A real `hass` (devstack/hass_process.py) is onboarded and the integration added; the user
(the Python endpoint) turns E2EE on and grants the pairing of a real `camera_agent pair`. Then
this process plays one agent with N cameras below capture: each camera writes MP4 bytes at
its bit rate, in real time, through the agent's own EncryptingSink into the agent's spool,
cut into CLIP_SECONDS clips (cameras staggered), and the agent's own Uploader sends them to
HA as `camera_agent run` would. No ffmpeg or RTSP here: 32 of those would take the cores HA
is measured on. Backlog is what waits in the spool when recording stops, in seconds of
recording; HA's CPU share and its RSS (first minute's peak against the last's) are read
from /proc for the hass process tree. Then hass restarts, timed until the integration
answers with every clip of the run in its index (integration start-up).

With --bucket the same run stores clips in an S3 bucket (issue 15): a real SeaweedFS
(`weed server -s3`, devstack/weed.py) on this machine is made the primary store through the
integration's options flow before pairing; figures are named ingest_s3.* and weed's own CPU
share is reported beside HA's (on a real install the bucket runs elsewhere).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from camera_agent.encrypting_sink import EncryptingSink
from camera_agent.ha_client import HaClient
from camera_agent.health import AgentStatus
from camera_agent.spool import Spool
from camera_agent.state import AgentState
from camera_agent.trust import TrustKeeper
from camera_agent.uploader import Uploader, UploaderSettings
from devstack.agent_process import AgentProcess, write_agent_yaml
from devstack.endpoint_user import EndpointUser
from devstack.ha_api import HaApi, HaApiError
from devstack.hass_process import HassLayout, HassProcess
from devstack.onboarding import onboard
from devstack.weed import WeedServer
from scripts.benchmarks.process_tree import TreeSample, sample_tree
from scripts.benchmarks.report import Figure, Target, emit
from tests.agent.agent_setup import free_port

CLIP_SECONDS = 10
WRITE_SECONDS = 0.5
SAMPLE_SECONDS = 2.0
WINDOW_SECONDS = 60.0
DRAIN_LIMIT_SECONDS = 120.0
SPOOL_MAX_BYTES = 64 << 30
CODECS = "avc1.640028"
DOMAIN = "e2ee_nvr"


@dataclass
class IngestRun:
    cameras: int
    seconds: float
    byte_rate: float
    samples: list[tuple[float, TreeSample, int]]  # time, hass tree, spool bytes
    backlog_bytes: int
    drain_seconds: float
    sealed_clips: int
    uploaded_clips: int
    restart_to_api_s: float
    restart_to_integration_s: float
    weed_cpu_percent: float | None = None


def hass_pid(config_dir: Path) -> int:
    """The hass process started with this config folder (HassProcess keeps its handle private)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            argv = cmdline.read_bytes().split(b"\0")
            if str(config_dir).encode() in argv and any(a.endswith(b"hass") for a in argv[:2]):
                return int(cmdline.parent.name)
    raise RuntimeError(f"no hass process for {config_dir}")


def agent_config(folder: Path, ha_url: str, cameras: int) -> Path:
    """What `pair` reads: the cameras it names are the ones HA accepts clips for (never
    started here: this process plays them)."""
    return write_agent_yaml(
        folder,
        ha_url,
        "ingest benchmark agent",
        [
            {
                "name": f"Camera {index}",
                "camera_id": f"cam{index}",
                "rtsp_url": f"rtsp://127.0.0.1:9/cam{index}",
                "mode": {"continuous": {"clip_seconds": CLIP_SECONDS}},
            }
            for index in range(cameras)
        ],
    )


async def camera(
    sink: EncryptingSink, camera_id: str, byte_rate: float, stop: asyncio.Event, offset: float
) -> int:
    """Real-time MP4-sized writes, a clip every CLIP_SECONDS; returns clips sealed."""
    piece = bytes(int(byte_rate * WRITE_SECONDS))  # the bytes' content costs AES nothing extra
    await asyncio.sleep(offset)
    sealed = 0
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        start_ms = int(time.time() * 1000)
        writer = await sink.start_clip(
            camera_id=camera_id, start_ms=start_ms, codecs=CODECS, mime="video/mp4"
        )
        clip_started = loop.time()
        for step in range(int(CLIP_SECONDS / WRITE_SECONDS)):
            await writer.write(piece)
            delay = clip_started + (step + 1) * WRITE_SECONDS - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
        await writer.finish(end_ms=int(time.time() * 1000), thumbnail_jpeg=None)
        sealed += 1
    return sealed


async def paired_agent(work: Path, hass: HassProcess, api: HaApi, cameras: int) -> Path:
    user = EndpointUser(api, await api.websocket())
    try:
        await user.create_account(fast_kdf=True)
        config = agent_config(work / "agent", hass.url, cameras)
        pairing = AgentProcess(config)
        try:
            code = await pairing.start_pairing()
            await user.grant_pairing(code)
            await pairing.wait_paired()
        finally:
            await pairing.stop()
    finally:
        await user.socket.close()
    return work / "agent"


async def add_integration(api: HaApi, cap_gb: float) -> None:
    await api.run_config_flow(
        DOMAIN,
        {
            "media_dir": "local",
            "folder": DOMAIN,
            "retention_days": 7,
            "storage_cap_gb": cap_gb,
            "events_visible": True,
        },
    )


def in_process_agent(
    agent_dir: Path, hass_url: str, spool_max_bytes: int, status: AgentStatus
) -> tuple[Spool, EncryptingSink, Uploader, HaClient]:
    """A paired agent's parts, opened from its folder and run in this process: the spool, the
    sink that records into it, and the uploader (with its client) that empties it."""
    state = AgentState(agent_dir / "state")
    trust = TrustKeeper(state)
    trust.load()
    spool = Spool(agent_dir / "spool", spool_max_bytes)
    spool.open()
    client = HaClient(hass_url, state.load_token())
    uploader = Uploader(
        client=client, spool=spool, trust=trust, status=status, settings=UploaderSettings()
    )
    return spool, EncryptingSink(spool=spool, trust=trust), uploader, client


async def wait_loaded(api: HaApi, since: float | None = None) -> None:
    """Until the integration answers a command (after setup, an options reload or a restart);
    it gives up DRAIN_LIMIT_SECONDS after `since` (by default, now)."""
    started = time.monotonic() if since is None else since
    while True:
        try:
            await api.call_once(f"{DOMAIN}/clips/list")
            return
        except HaApiError:
            if time.monotonic() - started > DRAIN_LIMIT_SECONDS:
                raise
            await asyncio.sleep(0.2)


async def use_bucket(api: HaApi, weed: WeedServer) -> None:
    """The options flow, as the UI runs it: storage -> S3 bucket."""
    entry_id = await api.entry_id(DOMAIN)
    bucket = weed.new_bucket()
    await api.run_options_flow(entry_id, "storage", {"backend": "s3"}, weed.settings(bucket))
    await wait_loaded(api)


async def ingest(
    work: Path, cameras: int, seconds: int, mbit: float, weed: WeedServer | None = None
) -> IngestRun:
    byte_rate = mbit * 1e6 / 8
    layout = HassLayout(work / "ha-config", work / "media", free_port())
    async with HassProcess(layout) as hass:
        owner = await onboard(hass.url)
        async with HaApi(hass.url, owner.long_lived_token) as api:
            # A cap above what the run writes: eviction is not what this measures.
            await add_integration(api, cap_gb=cameras * byte_rate * (seconds + 60) / 1e9 + 1)
            if weed is not None:
                await use_bucket(api, weed)
            agent_dir = await paired_agent(work, hass, api, cameras)
        status = AgentStatus()
        for index in range(cameras):
            status.set_camera(f"cam{index}", "recording")
        spool, sink, uploader, client = in_process_agent(
            agent_dir, hass.url, SPOOL_MAX_BYTES, status
        )
        stop_recording, stop_uploading = asyncio.Event(), asyncio.Event()
        upload_task = asyncio.create_task(uploader.upload_loop(stop_uploading), name="upload")
        heartbeat_task = asyncio.create_task(
            uploader.heartbeat_loop(stop_uploading), name="heartbeat"
        )
        camera_tasks = [
            asyncio.create_task(
                camera(sink, f"cam{i}", byte_rate, stop_recording, CLIP_SECONDS * i / cameras),
                name=f"camera{i}",
            )
            for i in range(cameras)
        ]
        pid = hass_pid(layout.config_dir)
        weed_pid = weed.process.pid if weed is not None and weed.process is not None else None
        weed_first = sample_tree(weed_pid) if weed_pid is not None else None
        samples: list[tuple[float, TreeSample, int]] = []
        started = time.monotonic()
        while (elapsed := time.monotonic() - started) < seconds:
            sample = sample_tree(pid)
            if sample is None:
                raise RuntimeError(f"hass exited:\n{hass.log_tail()}")
            samples.append((elapsed, sample, spool.total_bytes()))
            await asyncio.sleep(SAMPLE_SECONDS)
        final = sample_tree(pid)
        if final is not None:
            samples.append((time.monotonic() - started, final, spool.total_bytes()))
        weed_cpu = None
        if weed_pid is not None and weed_first is not None:
            weed_last = sample_tree(weed_pid)
            if weed_last is not None:
                span = time.monotonic() - started
                weed_cpu = 100 * (weed_last.cpu_seconds - weed_first.cpu_seconds) / span
        stop_recording.set()
        sealed = sum(await asyncio.gather(*camera_tasks))
        backlog = spool.total_bytes()
        drain_started = time.monotonic()
        while spool.clips() and time.monotonic() - drain_started < DRAIN_LIMIT_SECONDS:
            await asyncio.sleep(0.2)
        drain = time.monotonic() - drain_started
        stop_uploading.set()
        await upload_task
        await heartbeat_task
        await client.close()
        to_api, to_integration = await restart(hass, owner.long_lived_token)
        return IngestRun(
            cameras,
            seconds,
            byte_rate,
            samples,
            backlog,
            drain,
            sealed,
            status.uploaded_clips,
            to_api,
            to_integration,
            weed_cpu,
        )


async def restart(hass: HassProcess, token: str) -> tuple[float, float]:
    """Seconds from starting hass again until /api/ answers, and until the integration (with
    every clip of the run in its index) answers its first command."""
    await asyncio.get_running_loop().run_in_executor(None, hass.stop)
    started = time.monotonic()
    await hass.start()
    to_api = time.monotonic() - started
    async with HaApi(hass.url, token) as api:
        await wait_loaded(api, since=started)
    return to_api, time.monotonic() - started


def report(run: IngestRun, prefix: str = "ingest") -> None:
    total_rate = run.cameras * run.byte_rate
    (t0, first, _), (t1, last, _) = run.samples[0], run.samples[-1]
    cpu = (last.cpu_seconds - first.cpu_seconds) / (t1 - t0)
    window = min(WINDOW_SECONDS, t1 / 2)
    early = max(s.tree_rss_bytes for t, s, _ in run.samples if t < window)
    late = max(s.tree_rss_bytes for t, s, _ in run.samples if t >= t1 - window)
    spool_mean = statistics.fmean(b for _, _, b in run.samples if b >= 0)
    load = f"{run.cameras} cameras x {run.byte_rate * 8 / 1e6:g} Mbit/s, {run.seconds:.0f} s"
    if run.weed_cpu_percent is not None:
        load += ", clips stored in a SeaweedFS bucket on this machine"
        emit(
            Figure(
                f"{prefix}.weed_cpu_percent",
                run.weed_cpu_percent,
                "%core",
                note=f"the S3 server's process tree (weed server -s3) during the run; {load}",
            )
        )
    emit(
        Figure(
            f"{prefix}.backlog_s",
            run.backlog_bytes / total_rate,
            "s",
            Target("<=", CLIP_SECONDS),
            note=f"recording waiting in the agent's spool when recording stopped ({load}; "
            f"clips of {CLIP_SECONDS} s, so up to one clip per camera is in flight, not "
            f"backlog); mean spool {spool_mean / 1e6:.0f} MB",
        )
    )
    emit(
        Figure(
            f"{prefix}.drain_s",
            run.drain_seconds,
            "s",
            note=f"to empty the spool after recording stopped; {run.uploaded_clips} of "
            f"{run.sealed_clips} clips stored",
        )
    )
    emit(Figure(f"{prefix}.ha_cpu_percent", 100 * cpu, "%core", note=f"hass process tree; {load}"))
    emit(
        Figure(
            f"{prefix}.ha_rss_last_over_first",
            late / early,
            "ratio",
            note=f"hass peak RSS in the last {window:.0f} s over the first {window:.0f} s "
            f"({early / (1 << 20):.0f} -> {late / (1 << 20):.0f} MiB)",
        )
    )


def report_restart(run: IngestRun, prefix: str = "ingest") -> None:
    note = f"hass restarted after the run, {run.uploaded_clips} clips in the index"
    emit(Figure(f"{prefix}.restart_to_api_s", run.restart_to_api_s, "s", note=note))
    emit(
        Figure(
            f"{prefix}.restart_to_integration_s",
            run.restart_to_integration_s,
            "s",
            note=note + "; until e2ee_nvr answers clips/list (integration start-up)",
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--cameras", type=int, default=32)
    parser.add_argument("--mbit", type=float, default=8.0)
    parser.add_argument("--bucket", action="store_true", help="an S3 bucket as primary store")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as folder:
        if args.bucket:
            with WeedServer(Path(folder) / "weed") as weed:
                run = asyncio.run(ingest(Path(folder), args.cameras, args.seconds, args.mbit, weed))
        else:
            run = asyncio.run(ingest(Path(folder), args.cameras, args.seconds, args.mbit))
    prefix = "ingest_s3" if args.bucket else "ingest"
    report(run, prefix)
    report_restart(run, prefix)


if __name__ == "__main__":
    main()
