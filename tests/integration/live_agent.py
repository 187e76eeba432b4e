"""A camera agent's live side played over the real agent API: poll, offer, confirm, upload.

The relay never opens a record, so the records here carry the real 36-byte header (section 18)
around bytes that stand in for ciphertext; the agent tests (tests/agent/test_live_*.py) run the
real agent, its real LiveSession and a real reader end to end.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import struct
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient

from custom_components.e2ee_nvr.protocol.encoding import b64encode
from custom_components.e2ee_nvr.protocol.envelope import sign
from tests.integration.nvr_helpers import AGENT, Agent

RECORD_INIT, RECORD_MEDIA, RECORD_END = 1, 2, 3


def record(session_id: bytes, record_type: int, seq: int, body: bytes) -> bytes:
    """One record: magic, type, reserved, session_id, seq, ct_len, then `body` as ciphertext."""
    header = (
        b"E2LV" + bytes([record_type, 0, 0, 0]) + session_id + struct.pack(">QI", seq, len(body))
    )
    return header + body


def split_records(data: bytes) -> list[tuple[int, int, bytes]]:
    """(type, seq, body) of each whole record in `data`; fails on a partial one."""
    found = []
    while data:
        assert len(data) >= 36 and data[:4] == b"E2LV", "not a whole record"
        seq, ct_len = struct.unpack(">QI", data[24:36])
        assert len(data) >= 36 + ct_len, "a partial record"
        found.append((data[4], seq, data[36 : 36 + ct_len]))
        data = data[36 + ct_len :]
    return found


def offer_for(agent: Agent, camera_id: str, session_id: bytes, request: dict[str, Any]) -> Any:
    """A signed live-offer as the device makes it; only its routing fields matter to HA."""
    return sign(
        "live-offer",
        {
            "v": 1,
            "type": "live-offer",
            "account_id": request.get("account_id", ""),
            "device_id": agent.device_id,
            "camera_id": camera_id,
            "session_id": session_id.hex(),
            "request_nonce": request.get("nonce", ""),
            "recipient_epoch": 1,
            "recipient_sha256": b64encode(bytes(32)),
            "issued_at_ms": int(time.time() * 1000),
        },
        agent.key,
    ).to_json()


@dataclass
class LiveAgentSide:
    """Polls like the agent; offers one session per camera; confirms what it is told to."""

    client: TestClient[Any, Any]
    agent: Agent
    session_id: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    refuse_with: str | None = None
    viewers: list[dict[str, int]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    confirms: list[dict[str, Any]] = field(default_factory=list)
    polled: asyncio.Event = field(default_factory=asyncio.Event)

    async def poll_once(self) -> None:
        response = await self.client.get(f"{AGENT}/live/poll", headers=self.agent.auth)
        assert response.status == 200, await response.text()
        answer = await response.json()
        self.viewers.append(answer["viewers"])
        self.polled.set()
        for item in answer["requests"]:
            self.requests.append(item["request"])
            await self.answer_request(item)
        for item in answer["confirms"]:
            self.confirms.append(item["confirm"])
            await self.post("live/confirmed", {"request_id": item["request_id"], "ok": True})

    async def answer_request(self, item: dict[str, Any]) -> None:
        if self.refuse_with is not None:
            body = {"request_id": item["request_id"], "error": self.refuse_with, "message": "no"}
        else:
            camera_id = item["request"]["camera_ref"].split("/")[1]
            offer = offer_for(self.agent, camera_id, self.session_id, item["request"])
            body = {"request_id": item["request_id"], "offer": offer}
        await self.post("live/offer", body)

    async def post(self, path: str, body: dict[str, Any]) -> None:
        response = await self.client.post(f"{AGENT}/{path}", json=body, headers=self.agent.auth)
        assert response.status == 200, await response.text()

    async def run(self) -> None:
        while True:
            await self.poll_once()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[LiveAgentSide]:
        task = asyncio.create_task(self.run())
        try:
            await self.polled.wait()
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


class Upload:
    """An agent's streaming POST of records, fed by the test one record at a time."""

    def __init__(self, client: TestClient[Any, Any], agent: Agent, session_hex: str) -> None:
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.task = asyncio.create_task(self._post(client, agent, session_hex))

    async def _body(self) -> AsyncIterator[bytes]:
        while (piece := await self._queue.get()) is not None:
            yield piece

    async def _post(self, client: TestClient[Any, Any], agent: Agent, session_hex: str) -> Any:
        response = await client.post(
            f"{AGENT}/live/stream/{session_hex}", data=self._body(), headers=agent.auth
        )
        return response.status, await response.json()

    def send(self, data: bytes) -> None:
        self._queue.put_nowait(data)

    async def finish(self) -> tuple[int, dict[str, Any]]:
        self._queue.put_nowait(None)
        status, body = await self.task
        return status, body
