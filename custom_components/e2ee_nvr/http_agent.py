"""The agent HTTP API of docs/agent-api.md: pairing, trust, heartbeat and clip uploads.

These views do not use HA's user authentication (`requires_auth = False`): agents hold a
per-agent bearer credential issued at pairing, checked against its stored SHA-256. A failed
check answers 401 without raising, so HA does not count agents as failed user logins.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Concatenate

from aiohttp import web
from homeassistant.components.http import KEY_HASS, HomeAssistantView
from homeassistant.core import HomeAssistant

from .agents import AgentRecord, PairingError
from .clip_store import UnsafePath, check_clip_id
from .const import AGENT_API_PREFIX
from .ingest import ClipIngest, UploadRefused, UploadState
from .pairing_relay import read_request
from .protocol.encoding import b64encode
from .protocol.errors import ProtocolError
from .runtime import E2eeRuntimeData, runtime_data

MAX_JSON_BYTES = 1 << 20
HEARTBEAT_STATES = ("recording", "reconnecting", "error", "idle")


def error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


def _bearer(request: web.Request) -> str | None:
    """The bearer token, or None; the registry refuses (401) any token it could not have issued.

    The header may hold anything a client sends, including non-ASCII or undecodable bytes:
    nothing here encodes or parses it beyond splitting off the scheme.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _runtime(request: web.Request) -> E2eeRuntimeData | None:
    hass: HomeAssistant = request.app[KEY_HASS]
    return runtime_data(hass)


async def read_capped(request: web.Request, limit: int) -> bytes:
    """The whole body, refusing (ValueError) more than `limit` bytes without reading them all."""
    body = bytearray()
    async for piece in request.content.iter_chunked(1 << 16):
        body += piece
        if len(body) > limit:
            raise ValueError(f"body larger than {limit} bytes")
    return bytes(body)


async def _read_json(request: web.Request) -> Any:
    return json.loads(await read_capped(request, MAX_JSON_BYTES))


@dataclass(frozen=True)
class AgentCall:
    """A request whose bearer credential named an agent: the loaded integration and its record."""

    runtime: E2eeRuntimeData
    record: AgentRecord


class _AgentView(HomeAssistantView):
    requires_auth = False
    # Pairing status is polled with the credential of a pairing nobody has granted yet.
    allow_pending = False

    def _auth(self, request: web.Request) -> AgentCall | web.Response:
        runtime = _runtime(request)
        if runtime is None:
            return error(503, "not_loaded", "the e2ee_nvr integration is not loaded")
        token = _bearer(request)
        record = (
            None
            if token is None
            else runtime.agents.authenticate(token, allow_pending=self.allow_pending)
        )
        if record is None:
            return error(401, "unauthorized", "unknown or revoked agent credential: pair again")
        return AgentCall(runtime, record)


def agent_authenticated[View: _AgentView, **Args](
    handler: Callable[Concatenate[View, web.Request, AgentCall, Args], Awaitable[web.Response]],
) -> Callable[Concatenate[View, web.Request, Args], Awaitable[web.Response]]:
    """Run `handler` for an authenticated agent; answer 503 or 401 for it otherwise."""

    @functools.wraps(handler)
    async def checked(
        view: View, request: web.Request, /, *args: Args.args, **kwargs: Args.kwargs
    ) -> web.Response:
        agent = view._auth(request)
        if isinstance(agent, web.Response):
            return agent
        return await handler(view, request, agent, *args, **kwargs)

    return checked


class PairingStartView(_AgentView):
    url = f"{AGENT_API_PREFIX}/pairing"
    name = "api:e2ee_nvr:agent:pairing"

    async def post(self, request: web.Request) -> web.Response:
        runtime = _runtime(request)
        if runtime is None:
            return error(503, "not_loaded", "the e2ee_nvr integration is not loaded")
        if runtime.account.state is None:
            return error(409, "no_account", "turn E2EE on in the panel before pairing")
        source = str(request.remote)
        if not runtime.agents.rate_limiter.allow(source, time.monotonic()):
            return error(429, "rate_limited", "at most 10 pairing requests a minute")
        try:
            body = await _read_json(request)
            maced, pairing_request = await runtime.hass.async_add_executor_job(
                read_request, body.get("request") if isinstance(body, dict) else None
            )
            record, token = runtime.agents.start_pairing(
                maced, pairing_request, source, int(time.time())
            )
        except PairingError as err:
            status = {
                "duplicate_session": 409,
                "too_many_pending": 503,
                "too_many_from_source": 429,
            }.get(err.code, 400)
            return error(status, err.code, str(err))
        except (ProtocolError, ValueError) as err:
            return error(400, "malformed", str(err))
        runtime.agents_changed()
        return web.json_response(
            {
                "session_id": record.session_id,
                "agent_token": token,
                "expires_at": record.expires_at,
            },
            status=201,
        )


class PairingStatusView(_AgentView):
    url = AGENT_API_PREFIX + "/pairing/{session_id}"
    name = "api:e2ee_nvr:agent:pairing:status"

    allow_pending = True

    @agent_authenticated
    async def get(self, request: web.Request, agent: AgentCall, session_id: str) -> web.Response:
        if agent.record.session_id != session_id:
            return error(401, "unauthorized", "this credential belongs to another session")
        agent.runtime.agents.expire(int(time.time()))
        if agent.record.state == "active" and agent.record.grant is not None:
            return web.json_response({"state": "granted", "grant": agent.record.grant})
        if agent.record.state == "pending":
            return web.json_response({"state": "pending"}, status=202)
        reason = "expired" if agent.record.state == "expired" else "refused"
        return error(410, reason, f"the pairing was {reason}")


class PairingResultView(_AgentView):
    url = AGENT_API_PREFIX + "/pairing/{session_id}/result"
    name = "api:e2ee_nvr:agent:pairing:result"

    @agent_authenticated
    async def post(self, request: web.Request, agent: AgentCall, session_id: str) -> web.Response:
        if agent.record.session_id != session_id:
            return error(401, "unauthorized", "this credential belongs to another session")
        try:
            body = await _read_json(request)
            accepted, reason = body["accepted"], body.get("reason", "")
            if not isinstance(accepted, bool) or not isinstance(reason, str):
                raise TypeError("accepted must be a boolean, reason a string")
        except (ValueError, KeyError, TypeError) as err:
            return error(400, "malformed", str(err))
        agent.runtime.agents.report_result(agent.record, accepted, reason)
        agent.runtime.agents_changed()
        return web.json_response({"ok": True})


class TrustView(_AgentView):
    url = f"{AGENT_API_PREFIX}/trust"
    name = "api:e2ee_nvr:agent:trust"

    @agent_authenticated
    async def get(self, request: web.Request, agent: AgentCall) -> web.Response:
        state = agent.runtime.account.state
        if state is None:
            return error(409, "no_account", "E2EE is off")
        return web.json_response(
            {
                "recipient_set": state.document.recipient_set.to_json(),
                "root_cert": b64encode(state.document.root_cert_der),
            }
        )


class HeartbeatView(_AgentView):
    url = f"{AGENT_API_PREFIX}/heartbeat"
    name = "api:e2ee_nvr:agent:heartbeat"

    @agent_authenticated
    async def post(self, request: web.Request, agent: AgentCall) -> web.Response:
        try:
            body = _check_heartbeat(await _read_json(request))
        except (ValueError, KeyError, TypeError) as err:
            return error(400, "malformed", str(err))
        agent.runtime.agents.touch(agent.record, body)
        agent.runtime.agents_changed()
        state = agent.runtime.account.state
        return web.json_response(
            {
                "recipient_epoch": 0 if state is None else state.recipient_set.epoch,
                # The "let HA see event types" option: agents send visible kinds only while
                # it is on (and their own configuration lists them).
                "events_visible": agent.runtime.settings.events_visible,
            }
        )


def _check_heartbeat(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise TypeError("heartbeat must be an object")
    for name in ("recipient_epoch", "spool_clips", "spool_bytes"):
        if not isinstance(body.get(name), int) or isinstance(body.get(name), bool):
            raise TypeError(f"{name} must be an integer")
    cameras = body.get("cameras")
    if not isinstance(body.get("agent_version"), str) or not isinstance(cameras, list):
        raise TypeError("agent_version must be a string, cameras a list")
    for camera in cameras:
        if not isinstance(camera, dict) or camera.get("state") not in HEARTBEAT_STATES:
            raise ValueError("each camera needs camera_id, state and detail")
    return {
        "agent_version": str(body["agent_version"])[:64],
        "recipient_epoch": body["recipient_epoch"],
        "spool_clips": body["spool_clips"],
        "spool_bytes": body["spool_bytes"],
        "cameras": [
            {
                "camera_id": str(c.get("camera_id", ""))[:32],
                "state": c["state"],
                "detail": str(c.get("detail", ""))[:256],
            }
            for c in cameras[:32]
        ],
    }


async def _clip_upload(agent: AgentCall, upload: Awaitable[UploadState]) -> web.Response:
    """Answer an upload of a clip's manifest or object; a stored part counts as a sign of life."""
    try:
        state = await upload
    except UploadRefused as err:
        return error(err.status, err.code, str(err))
    except UnsafePath as err:
        return error(400, "bad_path", str(err))
    except ProtocolError as err:
        return error(400, "malformed", str(err))
    agent.runtime.agents.touch(agent.record)
    return web.json_response(
        {"stored": state.stored, "missing": list(state.missing)}, status=state.status
    )


async def _put_manifest(request: web.Request, agent: AgentCall, clip_id: str) -> UploadState:
    check_clip_id(clip_id)  # before the body: a path that cannot be stored is not read
    try:
        raw = await read_capped(request, MAX_JSON_BYTES)
    except ValueError as err:
        raise UploadRefused(413, "too_large", str(err)) from err
    return await ClipIngest(agent.runtime).put_manifest(agent.record, clip_id, raw)


class ClipManifestView(_AgentView):
    url = AGENT_API_PREFIX + "/clips/{clip_id}/manifest"
    name = "api:e2ee_nvr:agent:clip:manifest"

    @agent_authenticated
    async def put(self, request: web.Request, agent: AgentCall, clip_id: str) -> web.Response:
        return await _clip_upload(agent, _put_manifest(request, agent, clip_id))


class ClipObjectView(_AgentView):
    url = AGENT_API_PREFIX + "/clips/{clip_id}/{kind}"
    name = "api:e2ee_nvr:agent:clip:object"

    @agent_authenticated
    async def put(
        self, request: web.Request, agent: AgentCall, clip_id: str, kind: str
    ) -> web.Response:
        body = request.content.iter_chunked(1 << 16)
        upload = ClipIngest(agent.runtime).put_object(
            agent.record, clip_id, kind, request.content_length, body
        )
        return await _clip_upload(agent, upload)


AGENT_VIEWS: tuple[type[HomeAssistantView], ...] = (
    PairingStartView,
    PairingStatusView,
    PairingResultView,
    TrustView,
    HeartbeatView,
    ClipManifestView,
    ClipObjectView,
)
