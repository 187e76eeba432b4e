"""Live view end to end: a real hass, the real agent (`run`), real RTSP cameras, a Python viewer.

The viewer plays the browser's part with the protocol's endpoint code: it sends a live-request
over HA's websocket, verifies the device's signed offer against the pinned root, confirms with
the proof, and reads the GET stream through LiveRecordReader. Only plaintext it holds in memory
is ever checked (ffprobe reads it from a pipe).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from devstack.agent_process import AgentProcess, write_agent_yaml
from devstack.endpoint_user import EndpointUser, decode_der_b64
from devstack.ha_api import HaApi, HaWebsocket
from devstack.hass_process import HassLayout, HassProcess
from devstack.onboarding import onboard
from devstack.rtsp_camera import RtspCamera
from devstack.stack import add_integration
from e2ee_nvr_protocol import certs, endpoint
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.live import (
    RECORD_END,
    RECORD_INIT,
    RECORD_MEDIA,
    LiveRecordReader,
    OpenedRecord,
    VerifiedOffer,
    confirm_for,
    new_live_request,
    verify_live_offer,
)

GUARD_SECONDS = 90.0  # a hung test fails here; never a measurement
RECORDING, ON_DEMAND = "front", "lazy"
CLIP_SECONDS = 3.0


async def until(what: str, condition: Callable[[], bool], seconds: float = GUARD_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {seconds:.0f} s: {what}")
        await asyncio.sleep(0.2)


@dataclass
class LiveView:
    """One viewer's open stream: records opened by the reader as they arrive."""

    verified: VerifiedOffer
    response: aiohttp.ClientResponse
    reader: LiveRecordReader
    opened: list[OpenedRecord] = field(default_factory=list)

    async def read_until(self, condition: Callable[[list[OpenedRecord]], bool]) -> None:
        async with asyncio.timeout(GUARD_SECONDS):
            while not condition(self.opened):
                piece = await self.response.content.readany()
                if not piece:
                    self.reader.close()  # Truncated unless the stream ended after an end record
                    return
                self.opened += self.reader.feed(piece)

    def media(self) -> list[bytes]:
        return [r.plaintext for r in self.opened if r.record_type == RECORD_MEDIA]

    def init(self) -> bytes:
        return next(r.plaintext for r in self.opened if r.record_type == RECORD_INIT)

    def end_reason(self) -> str | None:
        ends = [r.plaintext for r in self.opened if r.record_type == RECORD_END]
        return json.loads(ends[0])["reason"] if ends else None

    def close(self) -> None:
        self.response.close()


@dataclass
class LiveStack:
    hass: HassProcess
    api: HaApi
    socket: HaWebsocket
    user: EndpointUser
    agent: AgentProcess
    state_dir: Path
    http: aiohttp.ClientSession
    token: str

    @property
    def device_id(self) -> str:
        return self._device_id

    async def find_device(self) -> None:
        devices = (await self.socket.call("e2ee_nvr/cameras/list"))["devices"]
        self._device_id: str = devices[0]["device_id"]

    def health(self) -> dict[str, Any]:
        try:
            document: dict[str, Any] = json.loads((self.state_dir / "health.json").read_bytes())
        except (OSError, ValueError):
            return {}
        return document

    async def watch(
        self, camera_id: str, me: endpoint.Endpoint | None = None, document: Any = None
    ) -> LiveView:
        """Request, verify the offer, confirm, open the GET stream: what the browser does."""
        me = me or self.user.endpoint
        document = document or self.user.document
        assert me is not None and document is not None
        held = endpoint.verify_current_set(document, me)
        request = new_live_request(
            document.account_id, f"{self.device_id}/{camera_id}", me.instance_key_id
        )
        reply = await self.start(request.to_json())
        assert reply.get("success"), reply
        started = reply["result"]
        verified = verify_live_offer(
            SignedEnvelope.from_json(started["offer"]),
            root_cert=me.root_cert,
            device_cert=certs.load_cert(decode_der_b64(started["device_cert"])),
            request=request,
            own_private_key=me.instance_key,
            held_epoch=held.epoch,
            held_sha256=held.payload_sha256,
        )
        confirm = confirm_for(verified, me.instance_key_id, request.nonce)
        await self.socket.call("e2ee_nvr/live/confirm", confirm=confirm)
        response = await self.http.get(
            f"{self.hass.url}/api/e2ee_nvr/live/{verified.session_id.hex()}",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status == 200, await response.text()
        return LiveView(
            verified, response, LiveRecordReader(verified.session_id, verified.live_key)
        )

    async def refused(self, camera_id: str, me: endpoint.Endpoint, document: Any) -> str:
        """The websocket error code a live request of `me` gets."""
        code = await self.refused_or_none(camera_id, me, document)
        assert code is not None, "the live request was answered with an offer"
        return code

    async def refused_or_none(
        self, camera_id: str, me: endpoint.Endpoint, document: Any
    ) -> str | None:
        """The error code of a live request of `me`, or None if it was offered."""
        request = new_live_request(
            document.account_id, f"{self.device_id}/{camera_id}", me.instance_key_id
        )
        reply = await self.start(request.to_json())
        if reply.get("success"):
            return None
        code: str = reply["error"]["code"]
        return code

    async def start(self, request: dict[str, Any]) -> dict[str, Any]:
        """live/start's reply; retried while the just-started agent has not polled yet."""
        deadline = time.monotonic() + GUARD_SECONDS
        while True:
            reply = await self.socket.call_raw({"type": "e2ee_nvr/live/start", "request": request})
            if reply.get("success") or reply["error"]["code"] != "agent_offline":
                return reply
            assert time.monotonic() < deadline, "the agent never polled for live requests"
            await asyncio.sleep(0.5)


def agent_ffmpegs(agent: AgentProcess) -> int:
    """ffmpeg processes whose parent is the agent's `run` process (capture, not ffprobe)."""
    run = agent._run
    assert run is not None
    count = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            argv0 = (entry / "cmdline").read_bytes().split(b"\0")[0]
            if ppid == run.pid and argv0.endswith(b"ffmpeg"):
                count += 1
    return count


def ffprobe_codecs(mp4: bytes) -> list[str]:
    """The codec of each stream ffprobe finds in plaintext fed through a pipe (never a file)."""
    completed = subprocess.run(
        ["ffprobe", "-v", "error", "-f", "mp4", "-i", "pipe:0", "-of", "json", "-show_streams"],  # noqa: S607
        input=mp4,
        capture_output=True,
        check=False,
        timeout=GUARD_SECONDS,
    )
    assert completed.returncode == 0, completed.stderr.decode("replace")
    return [s["codec_name"] for s in json.loads(completed.stdout)["streams"]]


def write_agent_config(folder: Path, ha_url: str, cameras: dict[str, RtspCamera]) -> Path:
    return write_agent_yaml(
        folder,
        ha_url,
        agent_name="live test box",
        cameras=[
            {
                "name": "Front",
                "camera_id": RECORDING,
                "rtsp_url": cameras[RECORDING].url,
                "mode": {"continuous": {"clip_seconds": CLIP_SECONDS}},
                "thumbnails": False,
            },
            {
                "name": "Lazy",
                "camera_id": ON_DEMAND,
                "rtsp_url": cameras[ON_DEMAND].url,
                "record": False,
            },
        ],
    )


@contextlib.asynccontextmanager
async def live_stack(root: Path, port: int) -> AsyncIterator[LiveStack]:
    cameras = {RECORDING: RtspCamera(), ON_DEMAND: RtspCamera(audio="none")}
    layout = HassLayout(root / "ha-config", root / "media", port)
    async with contextlib.AsyncExitStack() as stack:
        for camera in cameras.values():
            camera.start()
            stack.callback(camera.kill)
        hass = await stack.enter_async_context(HassProcess(layout))
        owner = await onboard(hass.url)
        api = await stack.enter_async_context(HaApi(hass.url, owner.long_lived_token))
        await add_integration(api)
        socket = await api.websocket()
        stack.push_async_callback(socket.close)
        user = EndpointUser(api, socket)
        await user.create_account(fast_kdf=True)
        agent = AgentProcess(write_agent_config(root / "agent", hass.url, cameras))
        stack.push_async_callback(agent.stop)
        code = await agent.start_pairing()
        await user.grant_pairing(code)
        await agent.wait_paired()
        await agent.start_running()
        http = await stack.enter_async_context(aiohttp.ClientSession())
        live = LiveStack(
            hass,
            api,
            socket,
            user,
            agent,
            root / "agent" / "state",
            http,
            owner.long_lived_token,
        )
        await live.find_device()
        yield live
