"""Talks to Home Assistant for the running agent: uploads, heartbeats, recipient-set refresh.

Three jobs, each a supervised loop: `upload` drains the spool oldest first (manifest, then each
object the store says is missing, streamed from disk; the clip is deleted only on
`"stored": true`); `heartbeat` every 30 s; `trust` fetches and admits recipient sets at start,
every 10 minutes, and whenever a heartbeat shows the store's epoch differs from ours.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from e2ee_nvr_protocol.errors import ProtocolError

from .ha_client import HaClient, HaError, HaRefused, HaUnavailable, Unauthorized
from .health import HEARTBEAT_STATE, AgentStatus
from .spool import Spool, SpooledClip
from .supervise import Backoff, BackoffSettings, sleep_or_stop
from .trust import RecordingBlocked, TrustKeeper

LOG = logging.getLogger(__name__)
AGENT_VERSION = "0.1.0"


@dataclass(frozen=True)
class UploaderSettings:
    """Timings of the agent's conversation with Home Assistant (all in seconds)."""

    heartbeat_interval_seconds: float = 30.0
    trust_refresh_seconds: float = 600.0
    # A clip the store refused (a 4xx) waits this long before it is offered again, so one bad
    # clip never holds up the queue behind it, yet is not given up on either.
    refused_retry_seconds: float = 600.0
    backoff: BackoffSettings = field(default_factory=BackoffSettings)


class Uploader:
    """The agent's side of docs/agent-api.md once paired."""

    def __init__(
        self,
        *,
        client: HaClient,
        spool: Spool,
        trust: TrustKeeper,
        status: AgentStatus,
        settings: UploaderSettings | None = None,
        on_events_visible: Callable[[bool], None] | None = None,
    ) -> None:
        self._client = client
        self._spool = spool
        self._trust = trust
        self._status = status
        self.settings = settings or UploaderSettings()
        self._refused_until: dict[str, float] = {}
        self._on_events_visible = on_events_visible
        self._trust_wanted = asyncio.Event()
        self._trust_wanted.set()

    def request_trust_refresh(self) -> None:
        """Fetch the recipient set now (live view saw HA hold a newer epoch)."""
        self._trust_wanted.set()

    # -- upload -------------------------------------------------------------------------------
    async def upload_loop(self, stop: asyncio.Event) -> None:
        backoff = Backoff(self.settings.backoff)
        while not stop.is_set():
            self._spool.clip_added.clear()
            try:
                await self.upload_pending()
                backoff.reset()
                wait = self._next_refused_retry()
            except HaUnavailable as err:
                self._status.ha_reachable = False
                self._status.failed_upload_rounds += 1
                wait = backoff.next_delay()
                LOG.warning("Home Assistant unavailable (%s); retrying in %.1f s", err, wait)
            except Unauthorized as err:
                self._needs_pairing(err)
                wait = backoff.next_delay()
            await wait_for_either(self._spool.clip_added, stop, wait)

    def _next_refused_retry(self) -> float:
        if not self._refused_until:
            return self.settings.trust_refresh_seconds
        return max(0.1, min(self._refused_until.values()) - time.monotonic())

    async def upload_pending(self) -> int:
        """Upload every due clip, oldest first; return how many HA confirmed stored."""
        uploaded = 0
        for clip in self._spool.clips():
            if self._refused_until.get(clip.clip_id, 0.0) > time.monotonic():
                continue
            try:
                await self.upload_clip(clip)
            except HaRefused as err:
                LOG.error(
                    "Home Assistant refused clip %s (%s); it stays in the spool and is offered "
                    "again in %.0f s",
                    clip.clip_id,
                    err,
                    self.settings.refused_retry_seconds,
                )
                self._refused_until[clip.clip_id] = (
                    time.monotonic() + self.settings.refused_retry_seconds
                )
                continue
            uploaded += 1
        return uploaded

    async def upload_clip(self, clip: SpooledClip) -> None:
        """Manifest first, then the objects the store lacks; delete only once it says stored."""
        manifest = json.loads(clip.manifest_path.read_bytes())
        result = await self._client.put_manifest(clip.clip_id, manifest)
        self._status.ha_reachable = True
        for kind in result.missing:
            path = clip.objects.get(kind)
            if path is None:
                raise HaRefused(0, "missing_object", f"store wants {kind!r}, the clip has none")
            result = await self._client.put_object(clip.clip_id, kind, path)
        if not result.stored:
            raise HaRefused(0, "not_stored", f"store still misses {list(result.missing)}")
        self._spool.delete(clip.clip_id)
        self._refused_until.pop(clip.clip_id, None)
        self._status.last_upload_unix = time.time()
        self._status.uploaded_clips += 1
        LOG.info("clip %s stored by Home Assistant and removed from the spool", clip.clip_id)

    def _needs_pairing(self, err: HaError) -> None:
        if not self._status.needs_pairing:
            LOG.error(
                "Home Assistant no longer accepts this agent's token (%s): the agent must be "
                "paired again (`python -m camera_agent pair`); clips stay in the spool",
                err,
            )
        self._status.needs_pairing = True

    # -- heartbeat ----------------------------------------------------------------------------
    def heartbeat_body(self) -> dict[str, Any]:
        depth = self._spool.depth()
        return {
            "agent_version": AGENT_VERSION,
            "recipient_epoch": self._trust.epoch,
            "spool_clips": depth.clips,
            "spool_bytes": depth.size_bytes,
            "cameras": [
                {
                    "camera_id": camera_id,
                    "state": HEARTBEAT_STATE[c.state],
                    "detail": (f"{c.state}: {c.detail}" if c.detail else c.state)[:200],
                }
                for camera_id, c in sorted(self._status.cameras.items())
            ],
        }

    async def heartbeat_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                answer = await self._client.heartbeat(self.heartbeat_body())
                self._status.ha_reachable = True
                if self._on_events_visible is not None:
                    self._on_events_visible(answer.events_visible)
                if answer.recipient_epoch != self._trust.epoch:
                    self._trust_wanted.set()
            except HaUnavailable as err:
                self._status.ha_reachable = False
                LOG.warning("heartbeat failed: %s", err)
            except Unauthorized as err:
                self._needs_pairing(err)
            if await sleep_or_stop(stop, self.settings.heartbeat_interval_seconds):
                return

    # -- recipient set ------------------------------------------------------------------------
    async def refresh_trust(self) -> int:
        """Fetch, verify and persist the store's recipient set; return the epoch in use.

        A refused set (RolledBack, UntrustedKey, ...) propagates after TrustKeeper has stopped
        recording and said why.
        """
        signed = await self._client.fetch_trust()
        try:
            return self._trust.admit(signed)
        finally:
            self._status.recording_blocked = self._trust.blocked_reason

    async def trust_loop(self, stop: asyncio.Event) -> None:
        backoff = Backoff(self.settings.backoff)
        while not stop.is_set():
            self._trust_wanted.clear()
            wait = self.settings.trust_refresh_seconds
            try:
                await self.refresh_trust()
                backoff.reset()
            except HaUnavailable as err:
                wait = backoff.next_delay()
                LOG.warning("recipient set refresh failed (%s); retry in %.1f s", err, wait)
            except Unauthorized as err:
                self._needs_pairing(err)
                wait = backoff.next_delay()
            except (ProtocolError, RecordingBlocked, HaRefused) as err:
                self._status.recording_blocked = self._trust.blocked_reason or str(err)
                wait = backoff.next_delay()
            await wait_for_either(self._trust_wanted, stop, wait)


async def wait_for_either(event: asyncio.Event, stop: asyncio.Event, seconds: float) -> None:
    """Until `event` or `stop` is set, or `seconds` have passed, whichever comes first."""
    woken = asyncio.ensure_future(event.wait())
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({woken, stopped}, timeout=seconds, return_when="FIRST_COMPLETED")
    finally:
        woken.cancel()
        stopped.cancel()
