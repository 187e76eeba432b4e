"""Live-view HTTP API: the agent's poll, answers and record upload, and the viewers' GET stream.

The agent views use the agent bearer credential like every other agent endpoint (401 without
raising, so agents never count as failed user logins). The viewer's GET is an ordinary HA API
view (`requires_auth`): any HA user who can open the panel may watch, as with clips; what they
receive is sealed records only an enrolled browser can open.
"""

from __future__ import annotations

import logging

from aiohttp import web
from homeassistant.components.http import KEY_HASS, HomeAssistantView
from homeassistant.core import HomeAssistant

from .const import AGENT_API_PREFIX
from .http_agent import AgentCall, _AgentView, _read_json, agent_authenticated, error
from .live_relay import SESSION_ID_RE, RelayError
from .protocol.errors import ProtocolError
from .runtime import runtime_data

_LOGGER = logging.getLogger(__name__)
LIVE_STREAM_URL = "/api/e2ee_nvr/live/{session_id}"


def _relay_error(err: RelayError) -> web.Response:
    status = {"not_found": 404, "conflict": 409, "busy": 503}.get(err.code, 400)
    return error(status, err.code, str(err))


class LivePollView(_AgentView):
    url = f"{AGENT_API_PREFIX}/live/poll"
    name = "api:e2ee_nvr:agent:live:poll"

    @agent_authenticated
    async def get(self, request: web.Request, agent: AgentCall) -> web.Response:
        agent.runtime.agents.touch(agent.record)
        account = agent.runtime.account

        def epoch() -> int:
            # The agent fetches the set when this differs: a revocation reaches live sessions
            # within seconds, not at the next heartbeat.
            return 0 if account.state is None else account.state.recipient_set.epoch

        return web.json_response(await agent.runtime.live.poll(agent.record.device_id, epoch=epoch))


class _LiveAnswerView(_AgentView):
    kind = ""

    @agent_authenticated
    async def post(self, request: web.Request, agent: AgentCall) -> web.Response:
        try:
            body = await _read_json(request)
        except ValueError as err:
            return error(400, "malformed", str(err))
        try:
            agent.runtime.live.answer(agent.record.device_id, self.kind, body)
        except RelayError as err:
            return _relay_error(err)
        return web.json_response({})


class LiveOfferView(_LiveAnswerView):
    url = f"{AGENT_API_PREFIX}/live/offer"
    name = "api:e2ee_nvr:agent:live:offer"
    kind = "offer"


class LiveConfirmedView(_LiveAnswerView):
    url = f"{AGENT_API_PREFIX}/live/confirmed"
    name = "api:e2ee_nvr:agent:live:confirmed"
    kind = "confirm"


class LiveUploadView(_AgentView):
    url = AGENT_API_PREFIX + "/live/stream/{session_id}"
    name = "api:e2ee_nvr:agent:live:stream"

    @agent_authenticated
    async def post(self, request: web.Request, agent: AgentCall, session_id: str) -> web.Response:
        try:
            count = await agent.runtime.live.upload(
                agent.record.device_id, session_id, request.content.readexactly
            )
        except RelayError as err:
            return _relay_error(err)
        except ProtocolError as err:
            # The upload is dropped: the session ends for its viewers (their GET closes).
            _LOGGER.warning("live upload for %s refused: %s", session_id, err)
            return error(400, type(err).__name__, str(err))
        return web.json_response({"records": count})


class LiveStreamView(HomeAssistantView):
    """A viewer's stream of sealed records; one open GET is one viewer."""

    url = LIVE_STREAM_URL
    name = "api:e2ee_nvr:live:stream"
    requires_auth = True

    async def get(self, request: web.Request, session_id: str) -> web.StreamResponse:
        hass: HomeAssistant = request.app[KEY_HASS]
        runtime = runtime_data(hass)
        if runtime is None:
            return error(503, "not_loaded", "the e2ee_nvr integration is not loaded")
        if not SESSION_ID_RE.match(session_id):
            return error(404, "not_found", "no such live session")
        try:
            viewer = runtime.live.open_viewer(session_id)
        except RelayError as err:
            return _relay_error(err)
        response = web.StreamResponse(
            headers={"Content-Type": "application/octet-stream", "Cache-Control": "no-store"}
        )
        try:
            await response.prepare(request)
            while (record := await viewer.next()) is not None:
                await response.write(record)
            await response.write_eof()
        except ConnectionResetError:
            pass  # the client left (a cancelled handler says the same, through finally)
        finally:
            runtime.live.close_viewer(session_id, viewer)
        return response


LIVE_AGENT_VIEWS: tuple[type[HomeAssistantView], ...] = (
    LivePollView,
    LiveOfferView,
    LiveConfirmedView,
    LiveUploadView,
)
