"""A small aiohttp server implementing docs/agent-api.md, for the agent's tests.

It plays Home Assistant's role faithfully where the agent can tell: bearer tokens kept as
SHA-256 hashes (inactive until granted), manifests verified with the protocol package against
the device certificate of the token's agent, objects streamed to a staging file with
Content-Length, header and hash checks, and commit only when every object is in. The user's
side of pairing (the panel) is driven by the test through `pending_request` and `grant`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography import x509

from e2ee_nvr_protocol import certs
from e2ee_nvr_protocol.clip import verify_clip_manifest
from e2ee_nvr_protocol.encoding import loads
from e2ee_nvr_protocol.envelope import MacedEnvelope, SignedEnvelope
from e2ee_nvr_protocol.errors import ProtocolError
from e2ee_nvr_protocol.manifest import ClipManifest, check_stream_against_manifest
from e2ee_nvr_protocol.stream_format import HEADER_BYTES, ContentKind

PREFIX = "/api/e2ee_nvr/agent/"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
KINDS = ("video", "thumbnail", "events")


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


@dataclass
class AgentRecord:
    token_sha256: bytes
    session_id: str
    active: bool = False
    device_cert: x509.Certificate | None = None


@dataclass
class PairingRecord:
    request: MacedEnvelope
    expires_at: int
    state: str = "pending"  # pending | granted | refused
    grant: MacedEnvelope | None = None
    result: dict[str, Any] | None = None


@dataclass
class StoredClip:
    manifest_envelope: SignedEnvelope
    manifest: ClipManifest
    objects: dict[str, bytes] = field(default_factory=dict)
    committed: bool = False


class FakeStore:
    """State plus aiohttp handlers; `recipient_set` is whatever the test wants served."""

    def __init__(self, folder: Path, root_cert: x509.Certificate, recipient_set: SignedEnvelope):
        self.folder = folder
        self.root_cert = root_cert
        self.recipient_set = recipient_set
        self.agents: list[AgentRecord] = []
        self.pairings: dict[str, PairingRecord] = {}
        self.clips: dict[str, StoredClip] = {}
        self.commits: list[str] = []  # every commit, so a test can see a clip stored twice
        self.heartbeats: list[dict[str, Any]] = []
        self.object_puts = 0
        # The integration's "let HA see event types" option, carried in heartbeat answers.
        self.events_visible = False
        # "METHOD path" of every request, to check what the agent asked for (and never).
        self.requests: list[str] = []

    # -- test-side controls -------------------------------------------------------------------
    def register_agent(self, device_cert: x509.Certificate) -> str:
        """An already-paired agent: returns its (active) token."""
        token = secrets.token_urlsafe(32)
        self.agents.append(
            AgentRecord(hashlib.sha256(token.encode()).digest(), "", True, device_cert)
        )
        return token

    def pending_request(self, session_id: str) -> MacedEnvelope:
        return self.pairings[session_id].request

    def grant(self, session_id: str, grant: MacedEnvelope, device_cert: x509.Certificate) -> None:
        """What the panel posts after the user typed the code: the grant and the device cert."""
        record = self.pairings[session_id]
        record.state, record.grant = "granted", grant
        for agent in self.agents:
            if agent.session_id == session_id:
                agent.active, agent.device_cert = True, device_cert

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._note_request])
        app.router.add_post(PREFIX + "pairing", self.post_pairing)
        app.router.add_get(PREFIX + "pairing/{session_id}", self.get_pairing)
        app.router.add_post(PREFIX + "pairing/{session_id}/result", self.post_result)
        app.router.add_get(PREFIX + "trust", self.get_trust)
        app.router.add_post(PREFIX + "heartbeat", self.post_heartbeat)
        app.router.add_put(PREFIX + "clips/{clip_id}/manifest", self.put_manifest)
        app.router.add_put(PREFIX + "clips/{clip_id}/{kind}", self.put_object)
        return app

    @web.middleware
    async def _note_request(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append(f"{request.method} {request.path}")
        return await handler(request)

    # -- authentication -----------------------------------------------------------------------
    def _agent(self, request: web.Request, *, session_id: str | None = None) -> AgentRecord | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        digest = hashlib.sha256(header[len("Bearer ") :].encode()).digest()
        for agent in self.agents:
            if hmac.compare_digest(agent.token_sha256, digest):
                usable = agent.active or (session_id is not None and agent.session_id == session_id)
                return agent if usable else None
        return None

    # -- pairing ------------------------------------------------------------------------------
    async def post_pairing(self, request: web.Request) -> web.Response:
        try:
            maced = MacedEnvelope.from_json((await request.json())["request"])
            payload = loads(maced.payload)
            session_id, expires_at = str(payload["session_id"]), int(payload["expires_at"])
        except (ValueError, KeyError, TypeError, ProtocolError) as err:
            return _error(400, "malformed", str(err))
        if expires_at <= time.time():
            return _error(400, "expired", "pairing request already expired")
        if session_id in self.pairings:
            return _error(409, "duplicate_session", "session already pending")
        self.pairings[session_id] = PairingRecord(maced, expires_at)
        token = secrets.token_urlsafe(32)
        self.agents.append(AgentRecord(hashlib.sha256(token.encode()).digest(), session_id))
        return web.json_response(
            {"session_id": session_id, "agent_token": token, "expires_at": expires_at}, status=201
        )

    async def get_pairing(self, request: web.Request) -> web.Response:
        session_id = request.match_info["session_id"]
        if self._agent(request, session_id=session_id) is None:
            return _error(401, "unauthorized", "unknown token")
        record = self.pairings.get(session_id)
        if record is None or record.state == "refused":
            return _error(410, "refused", "pairing refused")
        if record.state == "pending":
            return web.json_response({"state": "pending"}, status=202)
        assert record.grant is not None
        return web.json_response({"state": "granted", "grant": record.grant.to_json()})

    async def post_result(self, request: web.Request) -> web.Response:
        session_id = request.match_info["session_id"]
        agent = self._agent(request, session_id=session_id)
        if agent is None or session_id not in self.pairings:
            return _error(401, "unauthorized", "unknown token")
        body = await request.json()
        self.pairings[session_id].result = body
        if body.get("accepted") is not True:
            agent.active = False  # a refused grant revokes the token
            self.agents.remove(agent)
        return web.json_response({})

    # -- trust and heartbeat ------------------------------------------------------------------
    async def get_trust(self, request: web.Request) -> web.Response:
        if self._agent(request) is None:
            return _error(401, "unauthorized", "unknown token")
        return web.json_response(
            {
                "recipient_set": self.recipient_set.to_json(),
                "root_cert": certs.cert_der(self.root_cert).hex(),
            }
        )

    async def post_heartbeat(self, request: web.Request) -> web.Response:
        if self._agent(request) is None:
            return _error(401, "unauthorized", "unknown token")
        self.heartbeats.append(await request.json())
        epoch = int(json.loads(self.recipient_set.payload)["epoch"])
        return web.json_response({"recipient_epoch": epoch, "events_visible": self.events_visible})

    # -- clips --------------------------------------------------------------------------------
    def _status(self, clip: StoredClip) -> dict[str, Any]:
        missing = [k for k in KINDS if clip.manifest.blob(ContentKind(k)) and k not in clip.objects]
        return {"stored": clip.committed, "missing": missing}

    async def put_manifest(self, request: web.Request) -> web.Response:
        agent = self._agent(request)
        if agent is None or agent.device_cert is None:
            return _error(401, "unauthorized", "unknown token")
        clip_id = request.match_info["clip_id"]
        try:
            signed = SignedEnvelope.from_json(await request.json())
            manifest = verify_clip_manifest(signed, agent.device_cert, self.root_cert)
        except ProtocolError as err:
            return _error(403, "bad_signature", f"{type(err).__name__}: {err}")
        except ValueError as err:
            return _error(400, "malformed", str(err))
        if manifest.clip_id != clip_id:
            return _error(400, "malformed", "clip_id differs from the path")
        existing = self.clips.get(clip_id)
        if existing is not None:
            if existing.manifest_envelope != signed:
                return _error(409, "conflict", "another manifest exists for this clip")
            return web.json_response(self._status(existing), status=200)
        clip = StoredClip(signed, manifest)
        self.clips[clip_id] = clip
        return web.json_response(self._status(clip), status=201)

    async def put_object(self, request: web.Request) -> web.Response:
        if self._agent(request) is None:
            return _error(401, "unauthorized", "unknown token")
        clip_id, kind = request.match_info["clip_id"], request.match_info["kind"]
        clip = self.clips.get(clip_id)
        if kind not in KINDS or clip is None:
            return _error(404, "not_found", "no such clip or kind")
        blob = clip.manifest.blob(ContentKind(kind))
        if blob is None:
            return _error(400, "malformed", f"manifest has no {kind}")
        if request.content_length is None:
            return _error(411, "length_required", "Content-Length is required")
        if request.content_length != blob.stream.ciphertext_size:
            return _error(413, "size_mismatch", "Content-Length differs from the manifest")
        self.object_puts += 1
        staging = self.folder / f"{clip_id}.{kind}.tmp"
        digest = hashlib.sha256()
        with staging.open("wb") as handle:
            async for piece in request.content.iter_chunked(1 << 16):
                digest.update(piece)
                handle.write(piece)
        body = staging.read_bytes()
        staging.unlink()
        if len(body) != blob.stream.ciphertext_size:
            return _error(400, "size_mismatch", "body size differs from the manifest")
        try:
            check_stream_against_manifest(body[:HEADER_BYTES], blob, clip_id, ContentKind(kind))
        except ProtocolError as err:
            return _error(400, "header_mismatch", str(err))
        if digest.digest() != blob.stream.ciphertext_sha256:
            return _error(400, "hash_mismatch", "SHA-256 differs from the manifest")
        clip.objects[kind] = body
        if not self._status(clip)["missing"] and not clip.committed:
            clip.committed = True
            self.commits.append(clip_id)
        return web.json_response(self._status(clip), status=201)


class RunningStore:
    """A FakeStore served on a fixed loopback port that can be stopped and started again."""

    def __init__(self, store: FakeStore, port: int) -> None:
        self.store = store
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self.store.app())
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
