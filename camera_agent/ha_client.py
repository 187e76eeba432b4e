"""HTTP client for Home Assistant's agent API (docs/agent-api.md); transport only, no policy.

Failures are sorted by what the caller must do: HaUnavailable (network, 5xx, 429: retry
later), Unauthorized (401: the agent must be paired again), HaRefused (another 4xx: this
request will not succeed as it is).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import aiohttp

from e2ee_nvr_protocol.encoding import loads as strict_loads
from e2ee_nvr_protocol.envelope import MacedEnvelope, SignedEnvelope
from e2ee_nvr_protocol.errors import MalformedObject

API_PREFIX = "/api/e2ee_nvr/agent/"
_V = TypeVar("_V")
CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60
# The largest answer the agent reads from Home Assistant. The biggest real one is the recipient
# set (a few KiB per enrolled browser); anything beyond this is refused after reading this much,
# so a hostile or broken HA cannot make the agent buffer a 600 MiB reply.
MAX_RESPONSE_BYTES = 1 << 20
READ_PIECE_BYTES = 64 * 1024


class HaError(Exception):
    """A failed call: the HTTP status (0 without a response), the API's error code and text."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}" if status else message)
        self.status = status
        self.code = code
        self.message = message


class HaUnavailable(HaError):
    """Home Assistant is unreachable or temporarily failing; retry with back-off."""


class Unauthorized(HaError):
    """The agent token is missing, unknown or revoked: the agent needs pairing again."""


class HaRefused(HaError):
    """A 4xx other than 401: the request is refused as it stands (the `code` says why)."""


class ResponseTooLarge(HaRefused):
    """Home Assistant's answer exceeded MAX_RESPONSE_BYTES; the rest was never read."""


@dataclass(frozen=True)
class HeartbeatAnswer:
    recipient_epoch: int
    # The integration's "let Home Assistant see event types" option.
    events_visible: bool


@dataclass(frozen=True)
class UploadStatus:
    stored: bool
    missing: tuple[str, ...]


@dataclass(frozen=True)
class PairingStarted:
    session_id: str
    agent_token: str
    expires_at: int


@dataclass(frozen=True)
class PairingPoll:
    """`pending`, or `granted` with the grant envelope."""

    state: str
    grant: MacedEnvelope | None


class HaClient:
    """One aiohttp session against one Home Assistant; the token may be set after pairing."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=CONNECT_TIMEOUT_SECONDS, sock_read=READ_TIMEOUT_SECONDS
        )
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    async def close(self) -> None:
        await self._session.close()

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json_body: object = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201),
        timeout: aiohttp.ClientTimeout | None = None,
    ) -> tuple[int, dict[str, Any]]:
        url = self.base_url + API_PREFIX + path
        try:
            async with self._session.request(
                method,
                url,
                json=json_body,
                data=data,
                headers=self._headers(headers),
                timeout=self._timeout if timeout is None else timeout,
            ) as response:
                body = await _read_capped(response)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            raise HaUnavailable(0, "unreachable", f"{url}: {type(err).__name__}: {err}") from err
        return status, parse_answer(status, body, ok)

    # -- pairing ------------------------------------------------------------------------------
    async def start_pairing(self, request: MacedEnvelope) -> PairingStarted:
        _status, body = await self._call(
            "POST", "pairing", json_body={"request": request.to_json()}
        )
        return pairing_started(body)

    async def poll_pairing(self, session_id: str) -> PairingPoll:
        status, body = await self._call("GET", f"pairing/{session_id}", ok=(200, 202))
        if status == 202:
            return PairingPoll("pending", None)
        if body.get("state") != "granted":
            raise HaRefused(status, "malformed", f"unexpected pairing state {body.get('state')!r}")
        return PairingPoll("granted", MacedEnvelope.from_json(body.get("grant")))

    async def report_pairing(self, session_id: str, *, accepted: bool, reason: str) -> None:
        await self._call(
            "POST",
            f"pairing/{session_id}/result",
            json_body={"accepted": accepted, "reason": reason},
        )

    # -- trust and heartbeat ------------------------------------------------------------------
    async def fetch_trust(self) -> SignedEnvelope:
        _status, body = await self._call("GET", "trust")
        return SignedEnvelope.from_json(body.get("recipient_set"))

    async def heartbeat(self, body: dict[str, Any]) -> HeartbeatAnswer:
        """Send the heartbeat; return the store's recipient epoch and event visibility."""
        _status, answer = await self._call("POST", "heartbeat", json_body=body)
        return heartbeat_answer(answer)

    # -- clips --------------------------------------------------------------------------------
    async def put_manifest(self, clip_id: str, manifest: object) -> UploadStatus:
        _status, body = await self._call("PUT", f"clips/{clip_id}/manifest", json_body=manifest)
        return upload_status(body)

    async def put_object(self, clip_id: str, kind: str, path: Path) -> UploadStatus:
        """Stream a spooled object from disk: aiohttp reads the file in chunks as it sends."""
        size = path.stat().st_size
        with path.open("rb") as handle:
            _status, body = await self._call(
                "PUT",
                f"clips/{clip_id}/{kind}",
                data=handle,
                headers={
                    "Content-Type": "application/octet-stream",
                    "Content-Length": str(size),
                },
            )
        return upload_status(body)

    # -- live view (section 18) --------------------------------------------------------------
    async def live_poll(self) -> dict[str, Any]:
        """The long-poll: live requests and confirms for this agent, and viewer counts."""
        _status, body = await self._call("GET", "live/poll")
        return body

    async def live_answer(self, kind: str, body: dict[str, Any]) -> None:
        """POST live/offer or live/confirmed: the answer to one request_id."""
        await self._call("POST", f"live/{kind}", json_body=body)

    async def live_stream(self, session_hex: str, records: AsyncIterator[bytes]) -> None:
        """One chunked POST carrying a session's records for as long as the session runs.

        HA answers only when the upload ends, so no read timeout applies (a connect timeout
        still does); a dropped connection raises HaUnavailable.
        """
        await self._call(
            "POST",
            f"live/stream/{session_hex}",
            data=records,
            headers={"Content-Type": "application/octet-stream"},
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT_SECONDS),
        )


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    """The body, read piece by piece and refused as soon as it passes MAX_RESPONSE_BYTES."""
    if (response.content_length or 0) > MAX_RESPONSE_BYTES:
        raise ResponseTooLarge(response.status, "too_large", "answer over the size limit")
    body = bytearray()
    async for piece in response.content.iter_chunked(READ_PIECE_BYTES):
        body += piece
        if len(body) > MAX_RESPONSE_BYTES:
            raise ResponseTooLarge(response.status, "too_large", "answer over the size limit")
    return bytes(body)


def parse_answer(status: int, body: bytes, ok: tuple[int, ...]) -> dict[str, Any]:
    """The JSON object of an answer with an `ok` status; the matching HaError otherwise.

    The protocol's strict parser: duplicate keys, floats, deep nesting (never RecursionError)
    and non-UTF-8 all become HaRefused(malformed_response).
    """
    if status in ok:
        try:
            return strict_loads(body or b"{}", max_bytes=MAX_RESPONSE_BYTES)
        except MalformedObject as err:
            raise HaRefused(status, "malformed_response", str(err)) from err
    document = _json_object(body)
    code = str(document.get("error", "http_error"))[:100]
    message = str(document.get("message", code))[:500]
    if status == 401:
        raise Unauthorized(status, code, message)
    if status >= 500 or status == 429:
        raise HaUnavailable(status, code, message)
    raise HaRefused(status, code, message)


def _typed(body: dict[str, Any], name: str, kind: type[_V]) -> _V:
    value = body.get(name)
    if not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool):
        raise HaRefused(0, "malformed_response", f"{name} is not a {kind.__name__}")
    return value


def pairing_started(body: dict[str, Any]) -> PairingStarted:
    return PairingStarted(
        session_id=_typed(body, "session_id", str),
        agent_token=_typed(body, "agent_token", str),
        expires_at=_typed(body, "expires_at", int),
    )


def heartbeat_answer(body: dict[str, Any]) -> HeartbeatAnswer:
    epoch = body.get("recipient_epoch", 0)
    return HeartbeatAnswer(
        recipient_epoch=epoch if isinstance(epoch, int) and not isinstance(epoch, bool) else 0,
        # Only an explicit true opens it: an integration that predates the field, or any other
        # value, leaves every event kind hidden.
        events_visible=body.get("events_visible") is True,
    )


def _json_object(body: bytes) -> dict[str, Any]:
    """An error answer's JSON object, or a stand-in: an error body is only ever shown."""
    try:
        return strict_loads(body, max_bytes=MAX_RESPONSE_BYTES) if body else {}
    except MalformedObject:
        return {"error": "not_json", "message": body[:200].decode("utf-8", "replace")}


def upload_status(body: dict[str, Any]) -> UploadStatus:
    missing = body.get("missing", [])
    return UploadStatus(
        stored=body.get("stored") is True,
        missing=tuple(str(m) for m in missing) if isinstance(missing, list) else (),
    )
