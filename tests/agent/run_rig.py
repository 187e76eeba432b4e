"""A whole-agent test rig: `python -m camera_agent run` as a real child process, for real.

Home Assistant is tests/agent/fake_store.py and the ONVIF camera devstack/fake_onvif.py, both
served from an event loop in a background thread, so the synchronous tests can stop and start
them while the agent runs. The cameras are GStreamer RTSP servers (devstack/rtsp_camera.py).
The agent is paired by `python -m camera_agent pair`, with the protocol's endpoint code playing
the user who types the code into the panel. The agent gets a private cwd and TMPDIR, so that a
test can scan every folder it could write to for the plaintext marker.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from devstack.agent_process import write_agent_yaml
from devstack.fake_onvif import FakeOnvifCamera, serve
from devstack.ports import free_port
from devstack.rtsp_camera import MARKER, RtspCamera
from e2ee_nvr_protocol import endpoint, pairing
from e2ee_nvr_protocol.clip import (
    ClipEvent,
    decode_events,
    decrypt_blob,
    open_clip_key,
    verify_clip_manifest,
)
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.manifest import ClipManifest
from e2ee_nvr_protocol.stream_format import ContentKind
from tests.agent.agent_setup import new_account
from tests.agent.fake_store import FakeStore, RunningStore
from tests.protocol.account_setup import AccountFixture

_T = TypeVar("_T")
WAIT_LIMIT_SECONDS = 60.0  # a guard against a hung test, never a measurement
PAIR_LIMIT_SECONDS = 60.0
STOP_LIMIT_SECONDS = 30.0
SEALED = re.compile(r"^clip ([0-9a-f]{32}) \(([a-z0-9_-]+)\) sealed")
CODE_LINE = re.compile(r"^\s*([A-Z2-7]{4}(?:-[A-Z2-7]{4}){4})\s*$")


def read_pairing_code(process: subprocess.Popen[str], shown: list[str] | None = None) -> str | None:
    """The code `camera_agent pair` prints, read off its output as the user would (None when it
    prints none within PAIR_LIMIT_SECONDS); every line read is added to `shown`."""
    assert process.stdout is not None
    deadline = time.monotonic() + PAIR_LIMIT_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            return None
        if shown is not None:
            shown.append(line)
        if match := CODE_LINE.match(line):
            return match.group(1)
    return None


class Services:
    """An asyncio loop in a daemon thread, hosting the fake store and the fake ONVIF camera."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="services", daemon=True)
        self._thread.start()

    def run(self, work: Coroutine[Any, Any, _T]) -> _T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(WAIT_LIMIT_SECONDS)

    def call(self, function: Callable[[], _T]) -> _T:
        """Run `function` on the loop's thread: the fakes' state is only touched there."""

        async def inside() -> _T:
            return function()

        return self.run(inside())

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(WAIT_LIMIT_SECONDS)
        self.loop.close()


@dataclass(frozen=True)
class StoredClip:
    """A committed clip as the store holds it (a copy, taken on the services thread)."""

    clip_id: str
    envelope: SignedEnvelope
    manifest: ClipManifest  # as the store verified it; Rig.open verifies it again
    objects: dict[str, bytes]


@dataclass(frozen=True)
class OpenedClip:
    """A stored clip verified and decrypted by the user's enrolled endpoint (in memory only)."""

    manifest: ClipManifest
    video: bytes
    thumbnail: bytes | None
    events: tuple[ClipEvent, ...]


def wait_for(
    condition: Callable[[], _T | None],
    what: str,
    timeout: float = WAIT_LIMIT_SECONDS,
    explain: Callable[[], str] = lambda: "",
) -> _T:
    """Poll `condition` until it returns something truthy; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{explain()}")
        time.sleep(0.2)


class PlaintextWatch:
    """Reads every new or changed file under `folders` while the agent runs, looking for MARKER.

    The scan after the run sees only what is left; this also catches a plaintext file that
    existed for a moment (a temporary file, a part file before encryption) and was deleted.
    """

    def __init__(self, folders: list[Path], interval: float = 0.1) -> None:
        self.folders = folders
        self.interval = interval
        self.hits: list[Path] = []
        self.seen: set[str] = set()  # names of every file read at least once
        self._versions: dict[Path, tuple[int, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="plaintext-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(WAIT_LIMIT_SECONDS)
        self.scan_once()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.scan_once()

    def scan_once(self) -> None:
        for folder in self.folders:
            for path in folder.rglob("*") if folder.exists() else []:
                try:
                    stat = path.stat()
                    if not path.is_file() or self._versions.get(path) == (
                        stat.st_size,
                        stat.st_mtime_ns,
                    ):
                        continue
                    content = path.read_bytes()
                except OSError:  # gone meanwhile (renamed, uploaded, evicted)
                    continue
                self._versions[path] = (stat.st_size, stat.st_mtime_ns)
                self.seen.add(path.name)
                if MARKER in content and path not in self.hits:
                    self.hits.append(path)


@dataclass
class AgentProcess:
    """`python -m camera_agent run` as a child; its JSON log lines go to a file we read."""

    config_path: Path
    cwd: Path
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    runs: int = 0
    groups: list[int] = field(default_factory=list)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "camera_agent", *args, "--config", str(self.config_path)]

    def start(self) -> None:
        assert self.process is None, "the agent already runs"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                self.command("run"),
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                # Its own process group: teardown can end the ffmpegs a SIGKILL orphaned.
                start_new_session=True,
            )
        self.groups.append(self.process.pid)
        self.runs += 1

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> int:
        """SIGTERM, as a supervisor stops it: open clips are finished, ffmpeg ends."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(STOP_LIMIT_SECONDS)
        self.process = None
        return code

    def kill(self) -> None:
        """SIGKILL to the agent alone: no handler runs, nothing is flushed (a power cut)."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(STOP_LIMIT_SECONDS)
        self.process = None

    def end_process_groups(self) -> None:
        """Teardown only: the agent, if it still runs, and what is left of the process groups
        it led (ffmpegs orphaned by a SIGKILL end by themselves on a broken pipe, normally)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(STOP_LIMIT_SECONDS)
        self.process = None
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)

    def cli(
        self, *args: str, timeout: float = WAIT_LIMIT_SECONDS
    ) -> subprocess.CompletedProcess[str]:
        """Another sub-command (`status`, `doctor`) against the same configuration."""
        return subprocess.run(  # noqa: S603
            self.command(*args),
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def log_entries(self) -> list[dict[str, Any]]:
        entries = []
        for line in self.log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                entry = {"level": "RAW", "logger": "", "message": line}
            if isinstance(entry, dict):
                entries.append(entry)
        return entries

    def messages(self) -> list[str]:
        return [str(entry.get("message", "")) for entry in self.log_entries()]

    def sealed(self) -> dict[str, str]:
        """clip id -> camera id of every clip the agent sealed into its spool, over all runs."""
        found = {}
        for message in self.messages():
            match = SEALED.match(message)
            if match:
                found[match.group(1)] = match.group(2)
        return found

    def tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        code = None if self.process is None else self.process.poll()
        state = "" if code is None else f"THE AGENT EXITED with code {code}\n"
        return state + "agent log, last lines:\n" + "\n".join(text[-lines:])


@dataclass
class Rig:
    """Everything one agent run needs; built once per test module."""

    root: Path
    account: AccountFixture
    services: Services
    store: RunningStore
    onvif: FakeOnvifCamera
    cameras: dict[str, RtspCamera]
    agent: AgentProcess
    state_dir: Path
    spool_dir: Path
    agent_tmp: Path
    agent_cwd: Path
    watch: PlaintextWatch | None = None
    onvif_runner: Any = None
    store_up: bool = True
    pair_output: str = ""
    _data_key: rsa.RSAPrivateKey | None = field(default=None, repr=False)

    # -- the store ----------------------------------------------------------------------------
    def stop_store(self) -> None:
        self.services.run(self.store.stop())
        self.store_up = False

    def start_store(self) -> None:
        self.services.run(self.store.start())
        self.store_up = True

    def committed(self) -> list[StoredClip]:
        """Committed clips in commit order."""

        def snapshot() -> list[StoredClip]:
            store = self.store.store
            return [
                StoredClip(
                    clip_id,
                    store.clips[clip_id].manifest_envelope,
                    store.clips[clip_id].manifest,
                    dict(store.clips[clip_id].objects),
                )
                for clip_id in store.commits
            ]

        return self.services.call(snapshot)

    def commits(self) -> list[str]:
        return self.services.call(lambda: list(self.store.store.commits))

    def heartbeats(self) -> list[dict[str, Any]]:
        return self.services.call(lambda: list(self.store.store.heartbeats))

    def device_cert(self) -> x509.Certificate:
        def find() -> x509.Certificate:
            certs = [a.device_cert for a in self.store.store.agents if a.active and a.device_cert]
            assert len(certs) == 1, "exactly one paired agent"
            cert = certs[0]
            assert cert is not None
            return cert

        return self.services.call(find)

    def motion(self, active: bool, **kwargs: str) -> None:
        """The ONVIF camera notices (or stops noticing) something; its next pull delivers it."""
        self.services.loop.call_soon_threadsafe(lambda: self.onvif.motion(active, **kwargs))

    # -- the user's side ------------------------------------------------------------------------
    def data_key(self) -> rsa.RSAPrivateKey:
        if self._data_key is None:
            keys = endpoint.unlock_with_instance(self.account.document, self.account.first)
            self._data_key = endpoint.open_data_key(self.account.document, keys.rdk)
        return self._data_key

    def open(self, stored: StoredClip) -> OpenedClip:
        """Verify the manifest against the pinned root, unwrap the clip key with the endpoint's
        instance key and (separately) with the account data key, and decrypt every object."""
        manifest = verify_clip_manifest(
            stored.envelope, self.device_cert(), self.account.first.root_cert
        )
        assert manifest.clip_id == stored.clip_id
        clip_key = open_clip_key(manifest, [self.account.first.instance_key])
        assert open_clip_key(manifest, [self.data_key()]) == clip_key
        video = decrypt_blob(manifest, clip_key, ContentKind.VIDEO, stored.objects["video"])
        thumbnail = None
        if "thumbnail" in stored.objects:
            thumbnail = decrypt_blob(
                manifest, clip_key, ContentKind.THUMBNAIL, stored.objects["thumbnail"]
            )
        events: tuple[ClipEvent, ...] = ()
        if "events" in stored.objects:
            events = decode_events(
                decrypt_blob(manifest, clip_key, ContentKind.EVENTS, stored.objects["events"])
            )
        return OpenedClip(manifest, video, thumbnail, events)

    def user_grants(self, typed_code: str) -> None:
        """What the panel does once the user typed the code: check the request, grant it."""

        def grant() -> None:
            session_id = pairing.derive_pairing_keys(typed_code).session_id
            request = self.store.store.pending_request(session_id)
            opened = pairing.open_pairing_request(request, typed_code, now=int(time.time()))
            keys = endpoint.unlock_with_instance(self.account.document, self.account.first)
            data_key_id = endpoint.verify_current_set(
                self.account.document, self.account.first
            ).data_key_id
            envelope, device_cert = pairing.make_pairing_grant(
                request,
                opened,
                typed_code,
                self.account.first.root_cert,
                keys.signing,
                self.account.document.recipient_set,
                data_key_id,
            )
            self.store.store.grant(session_id, envelope, device_cert)

        self.services.call(grant)

    def pair(self) -> str:
        """`python -m camera_agent pair`, the user reading the code off its terminal."""
        process = subprocess.Popen(  # noqa: S603
            self.agent.command("pair"),
            cwd=self.agent_cwd,
            env=self.agent.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        shown: list[str] = []
        code = read_pairing_code(process, shown)
        if code is None:
            process.kill()
            _, err = process.communicate()
            raise AssertionError(f"pair showed no code:\n{''.join(shown)}\n{err}")
        self.user_grants(code)
        out, err = process.communicate(timeout=PAIR_LIMIT_SECONDS)
        assert process.returncode == 0, f"pair failed: {out}\n{err}"
        return "".join(shown) + out

    # -- files the agent wrote ------------------------------------------------------------------
    def agent_folders(self) -> list[Path]:
        return [self.state_dir, self.spool_dir, self.agent_tmp, self.agent_cwd]

    def files_with_marker(self) -> tuple[list[Path], int]:
        """Every file under the rig's root holding the marker, and how many files were read."""
        found, scanned = [], 0
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                scanned += 1
                if MARKER in path.read_bytes():
                    found.append(path)
        return found, scanned


# The cameras of the one agent run: each continuous camera shows one audio case.
CONTINUOUS_CAMERAS = {"front": "aac", "g711": "pcma", "silent": "none"}
EVENT_CAMERA = "porch"
CLIP_SECONDS = 3.0
PREROLL_SECONDS = 3.0
POSTROLL_SECONDS = 2.0
ONVIF_USER, ONVIF_PASSWORD = "admin", "s3cret"


def write_config(
    rig_root: Path, ha_url: str, cameras: dict[str, RtspCamera], onvif_port: int
) -> Path:
    continuous = [
        {
            "name": f"{camera_id.title()} camera",
            "camera_id": camera_id,
            "rtsp_url": cameras[camera_id].url,
            "mode": {"continuous": {"clip_seconds": CLIP_SECONDS}},
            "g711": "transcode",
        }
        for camera_id in CONTINUOUS_CAMERAS
    ]
    porch = {
        "name": "Porch",
        "camera_id": EVENT_CAMERA,
        "onvif": {
            "host": "127.0.0.1",
            "port": onvif_port,
            "username": ONVIF_USER,
            "password": ONVIF_PASSWORD,
        },
        "mode": {
            "events": {
                "preroll_seconds": PREROLL_SECONDS,
                "postroll_seconds": POSTROLL_SECONDS,
                "max_clip_seconds": 20,
                "event_types": ["motion", "person"],
            }
        },
    }
    return write_agent_yaml(
        rig_root,
        ha_url,
        agent_name="whole-agent test",
        # Home Assistant may see that a clip had motion; "person" stays inside the encryption.
        visible_event_types=["motion"],
        log_format="json",
        cameras=[*continuous, porch],
    )


@contextlib.contextmanager
def build_rig(root: Path) -> Iterator[Rig]:
    """Cameras, store and ONVIF camera up, the agent configured (not paired, not running)."""
    services = Services()
    cameras: dict[str, RtspCamera] = {}
    rig: Rig | None = None
    try:
        for camera_id, audio in [*CONTINUOUS_CAMERAS.items(), (EVENT_CAMERA, "aac")]:
            camera = RtspCamera(video="h264", audio=audio)
            camera.start()
            cameras[camera_id] = camera
        account = new_account()
        (root / "store").mkdir()
        store = FakeStore(root / "store", account.first.root_cert, account.document.recipient_set)
        store.events_visible = True  # the integration lets HA see event types
        running = RunningStore(store, free_port())
        services.run(running.start())
        onvif = FakeOnvifCamera(ONVIF_USER, ONVIF_PASSWORD, cameras[EVENT_CAMERA].url)
        onvif_runner = services.run(serve(onvif))
        config = write_config(root, running.url, cameras, onvif.port)
        agent_tmp, agent_cwd, logs = root / "agent-tmp", root / "agent-cwd", root / "logs"
        for folder in (agent_tmp, agent_cwd, logs):
            folder.mkdir()
        env = dict(os.environ)
        env.update({"TMPDIR": str(agent_tmp), "PYTHONDONTWRITEBYTECODE": "1"})
        agent = AgentProcess(config, agent_cwd, env, logs / "agent.log")
        rig = Rig(
            root=root,
            account=account,
            services=services,
            store=running,
            onvif=onvif,
            cameras=cameras,
            agent=agent,
            state_dir=root / "state",
            spool_dir=root / "spool",
            agent_tmp=agent_tmp,
            agent_cwd=agent_cwd,
            onvif_runner=onvif_runner,
        )
        rig.watch = PlaintextWatch(rig.agent_folders())
        rig.watch.start()
        yield rig
    finally:
        if rig is not None:
            rig.agent.end_process_groups()
            if rig.watch is not None:
                rig.watch.stop()
            if rig.onvif_runner is not None:
                services.run(rig.onvif_runner.cleanup())
            if rig.store_up:
                services.run(rig.store.stop())
        for camera in cameras.values():
            camera.kill()
        services.close()
