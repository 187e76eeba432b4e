"""The agent registry: pairing sessions, per-agent credentials (hashed), cameras, liveness.

A credential is 32 random bytes the agent receives once; the registry keeps only its SHA-256,
so a stolen registry file (or an HA backup) does not let anyone upload as an agent. A token is
inactive until the user grants the pairing in the panel.

The event loop owns this registry: every method that changes it is a callback run on the loop,
and it is persisted through HA's `Store` with a delayed save. Nothing here runs in an executor,
so no thread ever sees a half-changed dict. Readers on executor threads (media_source) call
`records()`, a tuple that is replaced, never mutated, when a record is added or removed.

Pairing requests come from unauthenticated clients, so everything they declare is bounded by
the server: the record's lifetime (PAIRING_LIFETIME_SECONDS, whatever `expires_at` the request
claims), the number pending per source address, and how long finished records are kept.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .const import (
    DEAD_PAIRING_KEEP_SECONDS,
    MAX_DEAD_PAIRINGS,
    MAX_PENDING_PAIRINGS,
    MAX_PENDING_PER_SOURCE,
    PAIRING_LIFETIME_SECONDS,
    PAIRING_RATE_PER_MINUTE,
    STORAGE_SUBDIR,
)
from .json_file import read_json, remove_file
from .protocol.envelope import MacedEnvelope
from .protocol.identifiers import key_id
from .protocol.pairing import PairingRequest

LEGACY_FILE_NAME = "agents.json"
STORE_KEY = f"{STORAGE_SUBDIR}/agents"
STORE_VERSION = 1
# Changes are rare (pairing, renames); a second's delay still folds a burst into one write, and
# HA flushes a pending delayed save when it stops.
SAVE_DELAY_SECONDS = 1.0
TOKEN_BYTES = 32
MAX_CAMERA_NAME = 64
# A bearer credential is unpadded base64url of TOKEN_BYTES; anything else is refused as
# unknown before it is hashed (a non-ASCII header must be a 401, never a 500).
MAX_TOKEN_CHARS = 128
TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
AgentState = Literal["pending", "active", "refused", "revoked", "expired"]
DEAD_STATES: frozenset[str] = frozenset({"refused", "expired"})


class PairingError(Exception):
    """A pairing call the registry refuses; `code` is the agent API's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def camera_key(device_id: str, camera_id: str) -> str:
    """The key of a camera in options and the device registry: agent key id and camera id."""
    return f"{device_id}:{camera_id}"


@dataclass
class CameraRecord:
    camera_id: str
    name: str


@dataclass
class AgentRecord:
    """One agent (one device key) from its pairing request on."""

    session_id: str
    token_sha256: str
    state: AgentState
    device_id: str
    agent_name: str
    cameras: list[CameraRecord]
    request: dict[str, str]
    expires_at: int
    created_at: int
    grant: dict[str, str] | None = None
    device_cert: str | None = None
    result: dict[str, Any] | None = None
    last_seen: float | None = None
    heartbeat: dict[str, Any] | None = None
    # The address the pairing request came from: only for the per-source limit, so kept in
    # memory (not written to disk, not in diagnostics).
    source: str = field(default="", compare=False)

    def to_json(self) -> dict[str, Any]:
        document = asdict(self)
        del document["source"]
        return document

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> AgentRecord:
        fields = dict(document)
        cameras = [CameraRecord(**c) for c in fields.pop("cameras")]
        return cls(cameras=cameras, **fields)

    def device_cert_der(self) -> bytes | None:
        if self.device_cert is None:
            return None
        return base64.b64decode(self.device_cert)

    def camera(self, camera_id: str) -> CameraRecord | None:
        return next((c for c in self.cameras if c.camera_id == camera_id), None)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def well_formed_token(token: str) -> bool:
    """Could this be a credential we issued? (Checked before hashing; never raises.)"""
    return 0 < len(token) <= MAX_TOKEN_CHARS and set(token) <= TOKEN_ALPHABET


class RateLimiter:
    """At most `limit` events per `window` seconds per key (client address)."""

    # Keys whose events are all older than the window are dropped once there are this many,
    # so a flood from many addresses cannot grow the table without bound.
    SWEEP_AT = 1024

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self._limit = limit
        self._window = window
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str, now: float) -> bool:
        if len(self._events) >= self.SWEEP_AT:
            self._sweep(now)
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self._window:
            events.popleft()
        if len(events) >= self._limit:
            return False
        events.append(now)
        return True

    def _sweep(self, now: float) -> None:
        stale = [k for k, e in self._events.items() if not e or e[-1] <= now - self._window]
        for key in stale:
            del self._events[key]

    def __len__(self) -> int:
        return len(self._events)


class AgentRegistry:
    """Agents in HA's Store; owned by the event loop (see the module docstring)."""

    def __init__(self, hass: HomeAssistant, legacy_folder: Path) -> None:
        self._hass = hass
        self._store: Store[dict[str, Any]] = Store(hass, STORE_VERSION, STORE_KEY)
        self._legacy_path = legacy_folder / LEGACY_FILE_NAME
        self._agents: dict[str, AgentRecord] = {}
        self._records: tuple[AgentRecord, ...] = ()
        self.rate_limiter = RateLimiter(PAIRING_RATE_PER_MINUTE)

    # ------------------------------------------------------------------ persistence
    async def async_load(self) -> None:
        stored = await self._store.async_load()
        if stored is None:
            # Before the Store, the registry was a plain JSON file of the same document; take
            # it over once, write it through the Store, then remove the old file.
            stored = await self._hass.async_add_executor_job(read_json, self._legacy_path)
            if stored is not None:
                await self._store.async_save(stored)
                await self._hass.async_add_executor_job(remove_file, self._legacy_path)
        records = [AgentRecord.from_json(item) for item in (stored or {"agents": []})["agents"]]
        self._agents = {r.session_id: r for r in records}
        self._changed()

    def _document(self) -> dict[str, Any]:
        return {"agents": [r.to_json() for r in self._agents.values()]}

    @callback
    def _save(self) -> None:
        self._store.async_delay_save(self._document, SAVE_DELAY_SECONDS)

    async def async_flush(self) -> None:
        """Write now (on unload), so a reload reads what this instance knew."""
        await self._store.async_save(self._document())

    @callback
    def _changed(self) -> None:
        self._records = tuple(self._agents.values())

    # ------------------------------------------------------------------ reading
    def records(self) -> tuple[AgentRecord, ...]:
        """Every record, in any state; safe to iterate from any thread."""
        return self._records

    def get(self, session_id: str) -> AgentRecord | None:
        return self._agents.get(session_id)

    def active(self) -> list[AgentRecord]:
        return [r for r in self._records if r.state == "active"]

    def by_device(self, device_id: str) -> AgentRecord | None:
        return next((r for r in self.active() if r.device_id == device_id), None)

    def device_certs(self, device_id: str | None = None) -> list[bytes]:
        """Device certificates ever granted, revoked ones too (exports and old clips need them)."""
        return [
            der
            for r in self._records
            if (device_id is None or r.device_id == device_id)
            and (der := r.device_cert_der()) is not None
        ]

    def authenticate(self, token: str, *, allow_pending: bool = False) -> AgentRecord | None:
        """The agent whose token this is, if it is active (or pending, where allowed)."""
        if not well_formed_token(token):
            return None
        wanted = hash_token(token)
        for record in self._records:
            if hmac.compare_digest(record.token_sha256, wanted):
                usable = record.state == "active" or (allow_pending and record.state != "revoked")
                return record if usable else None
        return None

    # ------------------------------------------------------------------ pairing
    @callback
    def start_pairing(
        self, maced: MacedEnvelope, request: PairingRequest, source: str, now: int
    ) -> tuple[AgentRecord, str]:
        """Keep a verified, relayed pairing request; return its record and the inactive token."""
        if request.expires_at <= now:
            raise PairingError("expired", "the pairing request has expired")
        self.expire(now)
        if request.session_id in self._agents:
            raise PairingError("duplicate_session", "this pairing session exists already")
        pending = [r for r in self._records if r.state == "pending"]
        if sum(1 for r in pending if r.source == source) >= MAX_PENDING_PER_SOURCE:
            raise PairingError("too_many_from_source", "too many pending pairings from here")
        if len(pending) >= MAX_PENDING_PAIRINGS:
            raise PairingError("too_many_pending", "too many pending pairing sessions")
        token = base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).rstrip(b"=").decode()
        record = AgentRecord(
            session_id=request.session_id,
            token_sha256=hash_token(token),
            state="pending",
            device_id=key_id(request.device_public_key),
            agent_name=request.agent_name,
            cameras=[CameraRecord(c.camera_id, c.name) for c in request.cameras],
            request=maced.to_json(),
            # The client chose its expiry; the server's clock decides how long a pending
            # request may hold one of the MAX_PENDING_PAIRINGS places (spec: 10 minutes).
            expires_at=min(request.expires_at, now + PAIRING_LIFETIME_SECONDS),
            created_at=now,
            source=source,
        )
        self._agents[record.session_id] = record
        self._changed()
        self._save()
        return record, token

    @callback
    def expire(self, now: int) -> None:
        """Mark overdue requests expired and forget finished requests after a while."""
        changed = False
        for record in self._records:
            if record.state == "pending" and record.expires_at <= now:
                record.state = "expired"
                changed = True
        # Refused and expired records are kept a while so their agent can learn the outcome
        # (410) when it polls, then dropped; their number is capped too, since anyone on the
        # network can create them.
        dead = sorted(
            (r for r in self._records if r.state in DEAD_STATES),
            key=lambda r: (r.expires_at, r.created_at),
        )
        overflow = max(0, len(dead) - MAX_DEAD_PAIRINGS)
        drop = [
            r
            for i, r in enumerate(dead)
            if i < overflow or r.expires_at + DEAD_PAIRING_KEEP_SECONDS <= now
        ]
        for record in drop:
            del self._agents[record.session_id]
        if drop:
            self._changed()
        if changed or drop:
            self._save()

    @callback
    def pending(self, session_id: str, now: int) -> AgentRecord:
        """The pending session, or PairingError (not_found, expired, not_pending)."""
        self.expire(now)
        record = self._agents.get(session_id)
        if record is None:
            raise PairingError("not_found", "no such pairing session")
        if record.state == "expired":
            raise PairingError("expired", "the pairing session has expired")
        if record.state != "pending":
            raise PairingError("not_pending", f"the pairing session is {record.state}")
        return record

    @callback
    def activate(
        self, session_id: str, grant: MacedEnvelope, device_der: bytes, now: int
    ) -> AgentRecord:
        """Keep a grant whose device certificate the caller has checked against this session."""
        record = self.pending(session_id, now)
        record.grant = grant.to_json()
        record.device_cert = base64.b64encode(device_der).decode()
        record.state = "active"
        self._save()
        return record

    @callback
    def refuse(self, session_id: str, now: int) -> AgentRecord:
        record = self.pending(session_id, now)
        record.state = "refused"
        self._save()
        return record

    @callback
    def report_result(self, record: AgentRecord, accepted: bool, reason: str) -> None:
        record.result = {"accepted": accepted, "reason": reason[:256]}
        if not accepted:
            record.state = "revoked"
        self._save()

    # ------------------------------------------------------------------ paired agents
    @callback
    def rename_camera(self, device_id: str, camera_id: str, name: str) -> None:
        record = self.by_device(device_id)
        camera = None if record is None else record.camera(camera_id)
        if record is None or camera is None:
            raise PairingError("not_found", "no such camera")
        camera.name = name[:MAX_CAMERA_NAME]
        self._save()

    @callback
    def unpair(self, device_id: str) -> None:
        """Revoke the agent's credential; its clips stay (they are still readable)."""
        record = self.by_device(device_id)
        if record is None:
            raise PairingError("not_found", "no such device")
        record.state = "revoked"
        self._save()

    @callback
    def revoke_all(self) -> None:
        for record in self._records:
            record.state = "revoked"
        self._save()

    @callback
    def touch(self, record: AgentRecord, heartbeat: dict[str, Any] | None = None) -> None:
        """Liveness is kept in memory; heartbeats are frequent and not worth a disk write."""
        record.last_seen = time.time()
        if heartbeat is not None:
            record.heartbeat = heartbeat
