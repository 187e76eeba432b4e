"""The live-view relay (protocol section 18): requests, offers and confirms between browsers and
agents, and sealed records from an agent to every viewer of its session.

Home Assistant holds no live key: it routes plain JSON (a request names its requester; only the
device decides whom it wraps L to, against its own verified recipient set), and it splits the
agent's upload into records by their cleartext header alone. Everything here lives in memory on
the event loop, and every collection is capped, so neither a browser nor an agent can make it
grow without bound.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .live_fanout import RECORD_END, RECORD_INIT, RECORD_MEDIA, Viewer
from .protocol.encoding import loads as strict_loads
from .protocol.envelope import SignedEnvelope
from .protocol.errors import HeaderMismatch, MalformedObject, ProtocolError, Truncated
from .protocol.live_records import RECORD_HEADER_BYTES, parse_record_header

POLL_WAIT_SECONDS = 25.0
EPOCH_CHECK_SECONDS = 2.0
# No poll for this long: the agent is offline (a poll waits at most POLL_WAIT_SECONDS).
AGENT_OFFLINE_SECONDS = 35.0
ANSWER_TIMEOUT_SECONDS = 15.0
# An offered session whose upload has not begun by then is forgotten (the device forgets an
# unconfirmed offer after 15 s).
UNSTARTED_SESSION_SECONDS = 30.0
MAX_SESSIONS = 16
MAX_VIEWERS_PER_SESSION = 8
MAX_WAITING_PER_AGENT = 32
SESSION_ID_RE = re.compile(r"^[0-9a-f]{32}$")
# The upload body's readexactly (aiohttp's StreamReader): IncompleteReadError at its end.
ReadExactly = Callable[[int], Awaitable[bytes]]


class RelayError(Exception):
    """A live call the relay answers with an error; `code` is the websocket error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class AgentChannel:
    """What waits for one agent's next poll."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    confirms: list[dict[str, Any]] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    last_poll: float | None = None
    polling: int = 0
    told: dict[str, int] = field(default_factory=dict)
    told_epoch: int | None = None


@dataclass
class Waiting:
    """A request or confirm handed to an agent, waiting for its answer."""

    device_id: str
    kind: str  # "offer" or "confirm"
    camera_id: str
    answer: asyncio.Future[dict[str, Any]]


@dataclass
class LiveStream:
    """One live session as HA sees it: whose it is, its latest records, its viewers."""

    session_id: str
    device_id: str
    camera_id: str
    created: float
    uploading: bool = False
    latest_init: bytes | None = None
    latest_media: bytes | None = None
    viewers: list[Viewer] = field(default_factory=list)
    records: int = 0


class LiveRelay:
    """All live state of one loaded entry; owned by the event loop."""

    def __init__(self) -> None:
        self._channels: dict[str, AgentChannel] = {}
        self._waiting: dict[str, Waiting] = {}
        self.sessions: dict[str, LiveStream] = {}

    # ------------------------------------------------------------------ browser side
    async def request_offer(
        self, device_id: str, camera_id: str, request: dict[str, Any]
    ) -> dict[str, Any]:
        """Hand a live-request to the device's agent; its offer (signed envelope JSON)."""
        answer = await self._ask(device_id, "offer", camera_id, request, "requests", "request")
        offer = answer.get("offer")
        self._open_stream(device_id, camera_id, offer)
        assert isinstance(offer, dict)  # noqa: S101 (checked by _open_stream)
        return offer

    async def confirm(self, confirm: dict[str, Any]) -> None:
        """Hand a live-confirm to the agent whose session it names; raise its refusal."""
        session_id = confirm.get("session_id")
        stream = self.sessions.get(session_id) if isinstance(session_id, str) else None
        if stream is None:
            raise RelayError("not_found", "no such live session")
        await self._ask(
            stream.device_id, "confirm", stream.camera_id, confirm, "confirms", "confirm"
        )

    async def _ask(
        self,
        device_id: str,
        kind: str,
        camera_id: str,
        document: dict[str, Any],
        queue: str,
        name: str,
    ) -> dict[str, Any]:
        channel = self._channels.get(device_id)
        now = time.monotonic()
        if channel is None or (
            channel.polling == 0
            and (channel.last_poll is None or now - channel.last_poll > AGENT_OFFLINE_SECONDS)
        ):
            raise RelayError("agent_offline", "the camera's agent has not polled for 35 s")
        if sum(1 for w in self._waiting.values() if w.device_id == device_id) >= (
            MAX_WAITING_PER_AGENT
        ):
            raise RelayError("busy", "too many live requests wait for this agent")
        request_id = secrets.token_hex(16)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = Waiting(device_id, kind, camera_id, future)
        getattr(channel, queue).append({"request_id": request_id, name: document})
        channel.wake.set()
        try:
            async with asyncio.timeout(ANSWER_TIMEOUT_SECONDS):
                answer = await future
        except TimeoutError:
            raise RelayError(
                "timeout", f"the agent gave no answer in {ANSWER_TIMEOUT_SECONDS:.0f} s"
            ) from None
        finally:
            self._waiting.pop(request_id, None)
            for pending in (channel.requests, channel.confirms):
                pending[:] = [item for item in pending if item["request_id"] != request_id]
        error = answer.get("error")
        if error is not None:
            raise RelayError(str(error)[:64], str(answer.get("message", error))[:500])
        return answer

    def _open_stream(self, device_id: str, camera_id: str, offer: object) -> None:
        """Register (or join) the session an offer names; only routing facts are read."""
        try:
            payload = strict_loads(SignedEnvelope.from_json(offer).payload)
        except ProtocolError as err:
            raise RelayError(
                "malformed_offer", f"the agent's offer is not an envelope: {err}"
            ) from None
        session_id = payload.get("session_id")
        if (
            payload.get("type") != "live-offer"
            or payload.get("device_id") != device_id
            or payload.get("camera_id") != camera_id
            or not isinstance(session_id, str)
            or not SESSION_ID_RE.match(session_id)
        ):
            raise RelayError("malformed_offer", "the agent's offer names another session or camera")
        stream = self.sessions.get(session_id)
        if stream is not None:
            if stream.device_id != device_id or stream.camera_id != camera_id:
                raise RelayError("malformed_offer", "the session belongs to another camera")
            return
        self._expire()
        if len(self.sessions) >= MAX_SESSIONS:
            raise RelayError("busy", f"at most {MAX_SESSIONS} live sessions at once")
        self.sessions[session_id] = LiveStream(session_id, device_id, camera_id, time.monotonic())

    # ------------------------------------------------------------------ agent side
    async def poll(
        self,
        device_id: str,
        wait: float | None = None,
        epoch: Callable[[], int] = lambda: 0,
    ) -> dict[str, Any]:
        """The agent's long-poll: waits until something is for it, or `wait` seconds.

        A new recipient epoch is news too (checked every EPOCH_CHECK_SECONDS): the agent then
        fetches the set, so a revocation ends the live sessions it affects within seconds.
        """
        channel = self._channels.setdefault(device_id, AgentChannel())
        channel.last_poll = time.monotonic()
        self._expire()
        channel.polling += 1
        deadline = time.monotonic() + (POLL_WAIT_SECONDS if wait is None else wait)
        try:
            while not self._has_news(device_id, channel, epoch()):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                channel.wake.clear()
                try:
                    async with asyncio.timeout(min(left, EPOCH_CHECK_SECONDS)):
                        await channel.wake.wait()
                except TimeoutError:
                    pass
        finally:
            channel.polling -= 1
            channel.last_poll = time.monotonic()
        requests, channel.requests = channel.requests, []
        confirms, channel.confirms = channel.confirms, []
        channel.told = self.viewer_counts(device_id)
        channel.told_epoch = epoch()
        return {
            "requests": requests,
            "confirms": confirms,
            "viewers": dict(channel.told),
            "recipient_epoch": channel.told_epoch,
        }

    def _has_news(self, device_id: str, channel: AgentChannel, epoch: int) -> bool:
        return bool(
            channel.requests
            or channel.confirms
            or channel.told != self.viewer_counts(device_id)
            or (channel.told_epoch is not None and channel.told_epoch != epoch)
        )

    def answer(self, device_id: str, kind: str, body: object) -> None:
        """An agent's answer to a request (kind "offer") or a confirm (kind "confirm")."""
        if not isinstance(body, dict) or not isinstance(body.get("request_id"), str):
            raise RelayError("malformed", "request_id must be a string")
        waiting = self._waiting.get(body["request_id"])
        # Another agent cannot answer for this one: a request id is only good for its agent.
        if waiting is None or waiting.device_id != device_id or waiting.kind != kind:
            raise RelayError("not_found", "no such request waits for this agent")
        if not waiting.answer.done():
            waiting.answer.set_result(body)

    def viewer_counts(self, device_id: str) -> dict[str, int]:
        return {
            s.session_id: len(s.viewers) for s in self.sessions.values() if s.device_id == device_id
        }

    def _wake(self, device_id: str) -> None:
        channel = self._channels.get(device_id)
        if channel is not None:
            channel.wake.set()

    async def upload(self, device_id: str, session_id: str, read_exactly: ReadExactly) -> int:
        """Relay one agent upload of records; return how many passed. Refusals raise."""
        stream = self.sessions.get(session_id)
        if stream is None or stream.device_id != device_id:
            raise RelayError("not_found", "no such live session for this agent")
        if stream.uploading:
            raise RelayError("conflict", "this session is being uploaded already")
        stream.uploading = True
        try:
            async for record_type, record in _records(session_id, read_exactly):
                self._publish(stream, record_type, record)
                if record_type == RECORD_END:
                    break
        finally:
            self._end(stream)
        return stream.records

    def _publish(self, stream: LiveStream, record_type: int, record: bytes) -> None:
        stream.records += 1
        if record_type == RECORD_INIT:
            stream.latest_init, stream.latest_media = record, None
        elif record_type == RECORD_MEDIA:
            stream.latest_media = record
        for viewer in stream.viewers:
            viewer.push(record_type, record)

    def _end(self, stream: LiveStream) -> None:
        if self.sessions.get(stream.session_id) is stream:
            del self.sessions[stream.session_id]
        for viewer in stream.viewers:
            viewer.close()
        stream.viewers.clear()
        stream.latest_init = stream.latest_media = None
        self._wake(stream.device_id)

    def _expire(self) -> None:
        """Forget sessions that were offered but never uploaded."""
        now = time.monotonic()
        for stream in list(self.sessions.values()):
            if not stream.uploading and now - stream.created > UNSTARTED_SESSION_SECONDS:
                self._end(stream)

    # ------------------------------------------------------------------ viewers
    def open_viewer(self, session_id: str) -> Viewer:
        """A new viewer, given the latest init and the latest fragment to start from."""
        stream = self.sessions.get(session_id)
        if stream is None:
            raise RelayError("not_found", "no such live session")
        if len(stream.viewers) >= MAX_VIEWERS_PER_SESSION:
            raise RelayError("busy", f"at most {MAX_VIEWERS_PER_SESSION} viewers per session")
        viewer = Viewer()
        if stream.latest_init is not None:
            viewer.push(RECORD_INIT, stream.latest_init)
            if stream.latest_media is not None:
                viewer.push(RECORD_MEDIA, stream.latest_media)
        stream.viewers.append(viewer)
        self._wake(stream.device_id)
        return viewer

    def close_viewer(self, session_id: str, viewer: Viewer) -> None:
        viewer.close()
        stream = self.sessions.get(session_id)
        if stream is not None and viewer in stream.viewers:
            stream.viewers.remove(viewer)
            self._wake(stream.device_id)

    def shutdown(self) -> None:
        """Unload: end every stream (viewers see their GET end) and fail waiting calls."""
        for stream in list(self.sessions.values()):
            self._end(stream)
        for waiting in self._waiting.values():
            if not waiting.answer.done():
                waiting.answer.set_result({"error": "not_loaded", "message": "unloading"})


async def _records(session_id: str, read_exactly: ReadExactly) -> AsyncIterator[tuple[int, bytes]]:
    """Whole records from the upload; a refusal raises (the upload is dropped)."""
    wanted = bytes.fromhex(session_id)
    while True:
        try:
            header = await read_exactly(RECORD_HEADER_BYTES)
        except asyncio.IncompleteReadError as err:
            if err.partial:
                raise Truncated("the upload ended inside a record header") from None
            return
        parsed = parse_record_header(header)  # MalformedObject: magic, reserved, type, ct_len
        if parsed.session_id != wanted:
            # A record of another session would splice streams: refused, upload dropped.
            raise HeaderMismatch("a record of another session in this upload")
        try:
            body = await read_exactly(parsed.ct_len)
        except asyncio.IncompleteReadError:
            raise Truncated("the upload ended inside a record") from None
        yield parsed.record_type, header + body


__all__ = ["LiveRelay", "LiveStream", "MalformedObject", "RelayError"]
