"""A malicious Home Assistant in the middle: an aiohttp reverse proxy on loopback.

It forwards the agent's (or an endpoint's) requests to an honest store and lets a test rewrite
what passes: an answer's body (swap a recipient set, alter a pairing grant), a request's body
(truncate an upload), or its pace (an upload slowed so a restart lands inside it). It keeps
every body it saw, so a test can show that no plaintext ever crossed the wire.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

Rewrite = Callable[[bytes], bytes]
HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


@dataclass
class Tamper:
    """One rule: requests whose "METHOD /path" matches `pattern` get the rewrites."""

    pattern: str
    answer: Rewrite | None = None  # rewrites the upstream's answer body
    request: Rewrite | None = None  # rewrites the request body before it goes upstream
    seconds_per_piece: float = 0.0  # slows the request body, 64 KiB at a time
    hits: int = 0

    def matches(self, line: str) -> bool:
        return re.fullmatch(self.pattern, line) is not None


@dataclass
class TamperingProxy:
    upstream: str
    port: int
    rules: list[Tamper] = field(default_factory=list)
    seen: list[bytes] = field(default_factory=list)  # every request and answer body
    requests: list[str] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, rule: Tamper) -> Tamper:
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application(client_max_size=1 << 30)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def _rule(self, line: str) -> Tamper | None:
        return next((rule for rule in reversed(self.rules) if rule.matches(line)), None)

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        line = f"{request.method} {request.path}"
        self.requests.append(line)
        rule = self._rule(line)
        if rule is not None:
            rule.hits += 1
        body = await request.read()
        self.seen.append(body)
        if rule is not None and rule.request is not None:
            body = rule.request(body)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        data: bytes | aiohttp.payload.AsyncIterablePayload = body
        if rule is not None and rule.seconds_per_piece > 0:
            data = aiohttp.payload.AsyncIterablePayload(_slowly(body, rule.seconds_per_piece))
            headers["Content-Length"] = str(len(body))
        async with self._session.request(
            request.method, self.upstream + request.path_qs, data=data, headers=headers
        ) as upstream:
            answer = await upstream.read()
            status, content_type = upstream.status, upstream.content_type
        self.seen.append(answer)
        if rule is not None and rule.answer is not None:
            answer = rule.answer(answer)
        return web.Response(status=status, body=answer, content_type=content_type)


async def _slowly(body: bytes, seconds: float):  # type: ignore[no-untyped-def]
    for at in range(0, len(body), 1 << 16):
        await asyncio.sleep(seconds)
        yield body[at : at + (1 << 16)]
