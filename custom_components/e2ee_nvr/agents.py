"""The agent registry: pairing sessions, per-agent credentials (hashed), cameras, liveness.

A credential is 32 random bytes the agent receives once; the registry keeps only its SHA-256,
so a stolen registry file (or an HA backup) does not let anyone upload as an agent. A token is
inactive until the user grants the pairing in the panel.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from .const import MAX_PENDING_PAIRINGS, PAIRING_RATE_PER_MINUTE
from .json_file import read_json, remove_file, write_json_atomic
from .protocol import certs
from .protocol.envelope import MacedEnvelope
from .protocol.errors import PairingExpired, UntrustedKey
from .protocol.identifiers import key_id
from .protocol.pairing import read_relayed_grant, read_relayed_request

FILE_NAME = "agents.json"
TOKEN_BYTES = 32
MAX_CAMERA_NAME = 64
AgentState = Literal["pending", "active", "refused", "revoked", "expired"]


class PairingError(Exception):
    """A pairing call the registry refuses; `code` is the agent API's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


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

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> AgentRecord:
        cameras = [CameraRecord(**c) for c in document.pop("cameras")]
        return cls(cameras=cameras, **document)

    def device_cert_der(self) -> bytes | None:
        if self.device_cert is None:
            return None
        return base64.b64decode(self.device_cert)

    def camera(self, camera_id: str) -> CameraRecord | None:
        return next((c for c in self.cameras if c.camera_id == camera_id), None)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class RateLimiter:
    """At most `limit` events per `window` seconds per key (client address)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self._limit = limit
        self._window = window
        self._events: dict[str, deque[float]] = {}

    def allow(self, key: str, now: float) -> bool:
        events = self._events.setdefault(key, deque())
        while events and events[0] <= now - self._window:
            events.popleft()
        if len(events) >= self._limit:
            return False
        events.append(now)
        return True


class AgentRegistry:
    """Agents on disk (one atomic JSON file); synchronous, run in an executor."""

    def __init__(self, folder: Path) -> None:
        self._path = folder / FILE_NAME
        self.agents: dict[str, AgentRecord] = {}
        self.rate_limiter = RateLimiter(PAIRING_RATE_PER_MINUTE)

    def load(self) -> None:
        stored = read_json(self._path) or {"agents": []}
        records = [AgentRecord.from_json(item) for item in stored["agents"]]
        self.agents = {r.session_id: r for r in records}

    def save(self) -> None:
        write_json_atomic(self._path, {"agents": [r.to_json() for r in self.agents.values()]})

    def destroy(self) -> None:
        self.agents = {}
        remove_file(self._path)

    def start_pairing(self, request_json: object, now: int) -> tuple[AgentRecord, str]:
        """Keep a relayed pairing request; return its record and the (inactive) token."""
        maced = MacedEnvelope.from_json(request_json)
        request = read_relayed_request(maced)
        if request.expires_at <= now:
            raise PairingError("expired", "the pairing request has expired")
        self.expire(now)
        if request.session_id in self.agents:
            raise PairingError("duplicate_session", "this pairing session exists already")
        if sum(1 for r in self.agents.values() if r.state == "pending") >= MAX_PENDING_PAIRINGS:
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
            expires_at=request.expires_at,
            created_at=now,
        )
        self.agents[record.session_id] = record
        self.save()
        return record, token

    def authenticate(self, token: str, *, allow_pending: bool = False) -> AgentRecord | None:
        """The agent whose token this is, if it is active (or pending, where allowed)."""
        wanted = hash_token(token)
        for record in self.agents.values():
            if hmac.compare_digest(record.token_sha256, wanted):
                usable = record.state == "active" or (allow_pending and record.state != "revoked")
                return record if usable else None
        return None

    def expire(self, now: int) -> None:
        for record in self.agents.values():
            if record.state == "pending" and record.expires_at <= now:
                record.state = "expired"

    def grant(self, session_id: str, grant_json: object, root_der: bytes, now: int) -> AgentRecord:
        """Relay the panel's grant; keep the device certificate after checking it ourselves."""
        record = self._pending(session_id, now)
        maced = MacedEnvelope.from_json(grant_json)
        grant_session, device_der = read_relayed_grant(maced)
        if grant_session != session_id:
            raise PairingError("malformed", "the grant belongs to another session")
        public = certs.verify_issued(
            certs.load_cert(device_der), certs.load_cert(root_der), certs.Role.device
        )
        # The certificate must be for the key in this session's CSR, or one agent could be
        # given the right to upload as another.
        if key_id(public) != record.device_id:
            raise UntrustedKey("the device certificate is not for this session's key")
        record.grant = maced.to_json()
        record.device_cert = base64.b64encode(device_der).decode()
        record.state = "active"
        self.save()
        return record

    def refuse(self, session_id: str, now: int) -> AgentRecord:
        record = self._pending(session_id, now)
        record.state = "refused"
        self.save()
        return record

    def _pending(self, session_id: str, now: int) -> AgentRecord:
        self.expire(now)
        record = self.agents.get(session_id)
        if record is None:
            raise PairingError("not_found", "no such pairing session")
        if record.state == "expired":
            raise PairingExpired("the pairing session has expired")
        if record.state != "pending":
            raise PairingError("not_pending", f"the pairing session is {record.state}")
        return record

    def report_result(self, record: AgentRecord, accepted: bool, reason: str) -> None:
        record.result = {"accepted": accepted, "reason": reason[:256]}
        if not accepted:
            record.state = "revoked"
        self.save()

    def by_device(self, device_id: str) -> AgentRecord | None:
        return next(
            (r for r in self.agents.values() if r.device_id == device_id and r.state == "active"),
            None,
        )

    def rename_camera(self, device_id: str, camera_id: str, name: str) -> None:
        record = self.by_device(device_id)
        camera = None if record is None else record.camera(camera_id)
        if record is None or camera is None:
            raise PairingError("not_found", "no such camera")
        camera.name = name[:MAX_CAMERA_NAME]
        self.save()

    def unpair(self, device_id: str) -> None:
        """Revoke the agent's credential; its clips stay (they are still readable)."""
        record = self.by_device(device_id)
        if record is None:
            raise PairingError("not_found", "no such device")
        record.state = "revoked"
        self.save()

    def revoke_all(self) -> None:
        for record in self.agents.values():
            record.state = "revoked"
        self.save()

    def touch(self, record: AgentRecord, heartbeat: dict[str, Any] | None = None) -> None:
        """Liveness is kept in memory; heartbeats are frequent and not worth a disk write."""
        record.last_seen = time.time()
        if heartbeat is not None:
            record.heartbeat = heartbeat

    def active(self) -> list[AgentRecord]:
        return [r for r in self.agents.values() if r.state == "active"]

    def device_certs(self) -> list[bytes]:
        """Every device certificate ever granted (the export archive needs the revoked too)."""
        return [der for r in self.agents.values() if (der := r.device_cert_der()) is not None]
