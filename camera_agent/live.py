"""The agent's live view (protocol section 18): answer requests, run sessions, stream records.

One LiveSession per camera at most. The live key L lives only in that object while the session
runs (never on disk). A request is answered only for a key the device's own verified set lists
as an instance recipient of the camera (LiveSession.offer checks it); HA merely relays. A
session ends with an end record when the agent stops ("stopped"), capture is gone
("camera-offline"), nobody watches or the control channel is silent ("idle"), or a new set
drops a confirmed viewer, or after an hour ("rekey").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from e2ee_nvr_protocol.errors import MalformedObject, NotEnrolled, ProtocolError
from e2ee_nvr_protocol.live import (
    CONTROL_SILENCE_SECONDS,
    OFFER_TTL_SECONDS,
    RECORD_INIT,
    RECORD_MEDIA,
    SESSION_MAX_SECONDS,
    LiveRequest,
    LiveSession,
)
from e2ee_nvr_protocol.recipients import VerifiedRecipientSet

from .capture.live_tap import LiveTap, TapSubscription
from .ha_client import HaClient, HaError, HaRefused
from .health import AgentStatus
from .supervise import until_stopped
from .trust import RecordingBlocked, TrustKeeper

LOG = logging.getLogger(__name__)
# A confirmed session that HA reports without a viewer for this long ends as "idle".
IDLE_SECONDS = 10.0
# Capture without a stream for this long during a session: "camera-offline".
CAMERA_OFFLINE_SECONDS = 20.0
POLL_RETRY_SECONDS = 2.0
HOUSEKEEPING_SECONDS = 1.0
POLL_REFUSED_SECONDS = 60.0
STOP_UPLOAD_SECONDS = 5.0
# How long requests wait for a set HA says is newer (well inside HA's 15 s answer timeout).
NEWER_SET_WAIT_SECONDS = 5.0


@dataclass
class CameraSession:
    """One camera's running live session on the agent."""

    camera_id: str
    session: LiveSession
    subscription: TapSubscription
    viewers: int = 0
    no_viewer_since: float | None = None
    end_reason: str | None = None
    upload: asyncio.Task[None] | None = None
    last_offer_at: float = field(default_factory=time.monotonic)

    @property
    def session_hex(self) -> str:
        return self.session.session_id.hex()


@dataclass
class LiveManager:
    """The `live` job: the poll loop and the session bookkeeping of every camera."""

    client: HaClient
    trust: TrustKeeper
    taps: Mapping[str, LiveTap]
    status: AgentStatus
    # A camera whose capture is failing (recording cameras): requests answer camera_offline.
    camera_failing: Callable[[str], bool]
    # Told when HA's poll answer names a recipient epoch other than the one held.
    refresh_trust: Callable[[], None] = lambda: None
    sessions: dict[str, CameraSession] = field(default_factory=dict)
    last_control: float = field(default_factory=time.monotonic)
    # Set by on_new_set: a request held for a newer set wakes when one is accepted.
    new_set: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.trust.listeners.append(self.on_new_set)

    async def run(self, stop: asyncio.Event) -> None:
        keeper = asyncio.create_task(self._keep(stop), name="live-housekeeping")
        try:
            while not stop.is_set():
                try:
                    answer = await until_stopped(self.client.live_poll(), stop)
                except HaError as err:
                    LOG.debug("live poll failed: %s", err)
                    self.housekeeping()
                    # An integration without live view (404) is asked again much later.
                    wait = (
                        POLL_REFUSED_SECONDS if isinstance(err, HaRefused) else POLL_RETRY_SECONDS
                    )
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), wait)
                    continue
                if answer is None:
                    break
                self.last_control = time.monotonic()
                await self.handle(answer)
                self.housekeeping()
        finally:
            keeper.cancel()
            await self.stop_all()

    async def _keep(self, stop: asyncio.Event) -> None:
        """Housekeeping between polls too: a poll may wait 25 s, an idle end should not."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), HOUSEKEEPING_SECONDS)
            self.housekeeping()

    # ------------------------------------------------------------------ control messages
    async def handle(self, answer: dict[str, Any]) -> None:
        epoch = answer.get("recipient_epoch")
        requests = _items(answer.get("requests"))
        if isinstance(epoch, int) and epoch != self.trust.epoch:
            # A revocation ends sessions (on_new_set) as soon as the agent holds the new set.
            self.refresh_trust()
            if requests and epoch > self.trust.epoch:
                await self._await_epoch(epoch)
        viewers = answer.get("viewers")
        if isinstance(viewers, dict):
            self._count_viewers(viewers)
        for item in requests:
            await self._answer("offer", self.offer(item))
        for item in _items(answer.get("confirms")):
            await self._answer("confirmed", self.confirm(item))

    async def _await_epoch(self, epoch: int) -> None:
        """Hold requests until the set HA names as newer is verified and accepted.

        A browser revoked a moment ago still sends requests; answered from the older set, the
        device would wrap L to the revoked key (the session then ends as "rekey" once the new
        set arrives, but the key was handed out). Bounded: HA naming an epoch that never comes
        only delays the answer, then the held, verified set decides as before."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + NEWER_SET_WAIT_SECONDS
        while self.trust.epoch < epoch:
            self.new_set.clear()
            left = deadline - loop.time()
            if left <= 0:
                LOG.warning(
                    "live: recipient set epoch %d did not arrive; answering with %d",
                    epoch,
                    self.trust.epoch,
                )
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.new_set.wait(), left)

    async def _answer(self, kind: str, body: dict[str, Any] | None) -> None:
        if body is None:
            return
        try:
            await self.client.live_answer(kind, body)
        except HaError as err:
            LOG.warning("live: could not answer a %s: %s", kind, err)

    def offer(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """A live-request in, an offer or an error name out (section 18.2)."""
        request_id = item.get("request_id")
        if not isinstance(request_id, str):
            return None
        try:
            request = LiveRequest.from_json(item.get("request"))
            signed = self._offer(request)
        except ProtocolError as err:
            LOG.info("live request refused: %s: %s", type(err).__name__, err)
            return _error(request_id, type(err).__name__, str(err))
        except CameraOffline as err:
            return _error(request_id, "camera_offline", str(err))
        return {"request_id": request_id, "offer": signed}

    def _offer(self, request: LiveRequest) -> dict[str, Any]:
        trust = self.trust.trust
        try:
            recipient_set = self.trust.current_set()
        except RecordingBlocked as err:
            raise NotEnrolled(f"live-request: no verified recipient set ({err})") from None
        if trust is None:
            raise NotEnrolled("live-request: this agent is not paired")
        camera_ids = tuple(self.taps)
        # Checked before a session exists: a refused request starts no capture.
        LiveSession.check_request(
            request,
            account_id=trust.account_id,
            device_id=self.trust.device_id,
            camera_ids=camera_ids,
            recipient_set=recipient_set,
        )
        if self.camera_failing(request.camera_id):
            raise CameraOffline(f"camera {request.camera_id} is not streaming")
        current = self.sessions.get(request.camera_id)
        if current is None or current.end_reason is not None:
            tap = self.taps[request.camera_id]
            # Subscribing now starts an on-demand capture while the browser checks the offer.
            current = CameraSession(request.camera_id, LiveSession.start(), tap.open())
            self.sessions[request.camera_id] = current
            LOG.info("live session started for camera %s", request.camera_id)
        signed = current.session.offer(
            request,
            device_key=self.trust.device_key,
            account_id=trust.account_id,
            camera_ids=camera_ids,
            recipient_set=recipient_set,
        )
        current.last_offer_at = time.monotonic()
        self._report()
        return signed.to_json()

    def confirm(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """A live-confirm in; the first confirmed viewer starts the record upload."""
        request_id = item.get("request_id")
        if not isinstance(request_id, str):
            return None
        doc = item.get("confirm")
        session_hex = doc.get("session_id") if isinstance(doc, dict) else None
        current = next((s for s in self.sessions.values() if s.session_hex == session_hex), None)
        try:
            if current is None or current.end_reason is not None:
                raise MalformedObject("live-confirm: no such session")
            current.session.check_confirm(doc)
        except ProtocolError as err:
            return {"request_id": request_id, "ok": False, "error": type(err).__name__}
        if current.upload is None:
            current.upload = asyncio.create_task(
                self._upload(current), name=f"live:{current.camera_id}"
            )
        self._report()
        return {"request_id": request_id, "ok": True}

    # ------------------------------------------------------------------ session life
    def _count_viewers(self, viewers: dict[str, Any]) -> None:
        now = time.monotonic()
        for current in self.sessions.values():
            count = viewers.get(current.session_hex, 0)
            current.viewers = count if isinstance(count, int) else 0
            if current.viewers > 0:
                current.no_viewer_since = None
            elif current.no_viewer_since is None:
                current.no_viewer_since = now
        self._report()

    def housekeeping(self) -> None:
        """End what should end: idle, silent control channel, offline camera, an hour old."""
        now = time.monotonic()
        for current in list(self.sessions.values()):
            session = current.session
            session.expire_offers()
            tap = self.taps[current.camera_id]
            if current.upload is None:
                # Never confirmed: forgotten with its last offer (section 18.7's 15 s).
                if now - current.last_offer_at > OFFER_TTL_SECONDS:
                    self._discard(current)
            elif now - self.last_control > CONTROL_SILENCE_SECONDS or (
                current.no_viewer_since is not None and now - current.no_viewer_since > IDLE_SECONDS
            ):
                self.end(current, "idle")
            elif not tap.streaming and now - max(tap.idle_since, session.started_at) > (
                CAMERA_OFFLINE_SECONDS
            ):
                self.end(current, "camera-offline")
            elif now - session.started_at > SESSION_MAX_SECONDS:
                self.end(current, "rekey")

    def on_new_set(self, recipient_set: VerifiedRecipientSet) -> None:
        """A newly accepted set: a session showing video to a key it drops ends ("rekey")."""
        self.new_set.set()
        device_id = self.trust.device_id
        for current in list(self.sessions.values()):
            camera_ref = f"{device_id}/{current.camera_id}"
            if not current.session.viewers_still_listed(recipient_set, camera_ref):
                LOG.warning("live: the new recipient set drops a viewer of %s", current.camera_id)
                self.end(current, "rekey")

    def end(self, current: CameraSession, reason: str) -> None:
        """Stop the session: its upload sends the end record and finishes; L goes with it."""
        if current.end_reason is not None:
            return
        LOG.info("live session of %s ends: %s", current.camera_id, reason)
        current.end_reason = reason
        self.taps[current.camera_id].close(current.subscription)
        if current.upload is None:
            self._discard(current)
        elif self.sessions.get(current.camera_id) is current:
            del self.sessions[current.camera_id]
        self._report()

    def _discard(self, current: CameraSession) -> None:
        """A session that never streamed: nothing to send, the key is dropped."""
        current.end_reason = current.end_reason or "idle"
        self.taps[current.camera_id].close(current.subscription)
        if self.sessions.get(current.camera_id) is current:
            del self.sessions[current.camera_id]
        self._report()

    async def _upload(self, current: CameraSession) -> None:
        try:
            await self.client.live_stream(current.session_hex, self._records(current))
        except HaError as err:
            LOG.warning("live upload of %s ended: %s", current.camera_id, err)
        finally:
            # However the upload ended, this session is over: a new request starts another.
            self.end(current, current.end_reason or "stopped")

    async def _records(self, current: CameraSession) -> AsyncIterator[bytes]:
        """Seal the tap's init segments and fragments as they come; the end record last."""
        while (item := await current.subscription.get()) is not None:
            kind, data = item
            try:
                yield current.session.seal(RECORD_INIT if kind == "init" else RECORD_MEDIA, data)
            except ValueError as err:  # a fragment over 16 MiB: skipped, the reader sees a gap
                LOG.warning("live: fragment of %s not sent: %s", current.camera_id, err)
        yield current.session.end(current.end_reason or "stopped")

    async def stop_all(self) -> None:
        uploads = [c.upload for c in self.sessions.values() if c.upload is not None]
        for current in list(self.sessions.values()):
            self.end(current, "stopped")
        if uploads:
            await asyncio.wait(uploads, timeout=STOP_UPLOAD_SECONDS)
        for task in uploads:
            task.cancel()

    def _report(self) -> None:
        self.status.live = {
            c.camera_id: {
                "session_id": c.session_hex,
                "viewers": c.viewers,
                "confirmed": len(c.session.confirmed_key_ids),
            }
            for c in self.sessions.values()
        }


class CameraOffline(Exception):
    """The camera's capture is failing: the request is answered `camera_offline`."""


def _error(request_id: str, name: str, message: str) -> dict[str, Any]:
    return {"request_id": request_id, "error": name, "message": message[:500]}


def _items(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
