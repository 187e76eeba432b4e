"""Unauthenticated pairing requests cannot block pairing, grow the registry, or pose as trusted.

Anyone who reaches HA can POST a pairing request; each scenario below is such a client trying
to do harm, and each asserts what the server does about it.
"""

from __future__ import annotations

import time
from typing import Any
from unittest.mock import patch

import pytest
from aiohttp.test_utils import TestClient
from cryptography.hazmat.primitives.asymmetric import rsa
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.e2ee_nvr.agents import AgentRegistry, RateLimiter
from custom_components.e2ee_nvr.const import (
    DEAD_PAIRING_KEEP_SECONDS,
    MAX_DEAD_PAIRINGS,
    MAX_PENDING_PAIRINGS,
    MAX_PENDING_PER_SOURCE,
    PAIRING_LIFETIME_SECONDS,
)
from custom_components.e2ee_nvr.pairing_relay import read_request
from custom_components.e2ee_nvr.protocol import pairing, primitives
from tests.integration.nvr_helpers import AGENT, ws_ok

CLOCK = "custom_components.e2ee_nvr.websocket_account.time.time"
TEN_YEARS = 10 * 365 * 24 * 3600


def _request(key: rsa.RSAPrivateKey, now: int, expires_in: int = 600) -> dict[str, Any]:
    """A well-formed pairing request, as any client on the network can make one.

    Its expiry is whatever the client writes: a hostile one just claims a clock in the future.
    """
    maced, _request = pairing.make_pairing_request(
        pairing.new_pairing_code(),
        key,
        "Trusted Garage Agent",
        [pairing.PairingCamera("front-door", "Front door")],
        now + expires_in - 600,
        ttl_seconds=600,
    )
    return maced.to_json()


def _start(registry: AgentRegistry, request: dict[str, Any], source: str, now: int) -> None:
    maced, parsed = read_request(request)
    registry.start_pairing(maced, parsed, source, now)


async def test_far_future_requests_cannot_block_pairing_for_ever(
    init_integration: MockConfigEntry,
    client: TestClient[Any, Any],
    account_ws: Any,
) -> None:
    """Attack: fill every pending place with requests that claim to expire in ten years.

    The server clamps each request's lifetime to 10 minutes whatever the client claims, so
    once they lapse a real agent can pair again.
    """
    key = primitives.rsa_generate()
    now = int(time.time())
    response = await client.post(
        f"{AGENT}/pairing", json={"request": _request(key, now, TEN_YEARS)}
    )
    assert response.status == 201
    assert (await response.json())["expires_at"] <= now + PAIRING_LIFETIME_SECONDS + 1

    registry = init_integration.runtime_data.agents
    # The rest of the places, from many addresses (one HTTP client has only one).
    for n in range(MAX_PENDING_PAIRINGS - 1):
        _start(registry, _request(key, now, TEN_YEARS), f"10.0.{n}.1", now)
    response = await client.post(f"{AGENT}/pairing", json={"request": _request(key, now)})
    assert (response.status, (await response.json())["error"]) == (503, "too_many_pending")

    later = now + PAIRING_LIFETIME_SECONDS + 1
    with patch(CLOCK, return_value=later):
        fresh = await client.post(f"{AGENT}/pairing", json={"request": _request(key, later)})
        assert fresh.status == 201
        listed = (await ws_ok(account_ws, type="e2ee_nvr/pairing/list"))["sessions"]
    assert [s["session_id"] for s in listed] == [(await fresh.json())["session_id"]]


@pytest.mark.usefixtures("account_ws")
async def test_one_address_holds_few_pending_places(
    init_integration: MockConfigEntry, client: TestClient[Any, Any]
) -> None:
    """Attack: one host sends request after request to take every pending place itself."""
    key = primitives.rsa_generate()
    now = int(time.time())
    statuses = []
    for _ in range(MAX_PENDING_PER_SOURCE + 2):
        response = await client.post(f"{AGENT}/pairing", json={"request": _request(key, now)})
        statuses.append((response.status, (await response.json()).get("error")))
    assert statuses[:MAX_PENDING_PER_SOURCE] == [(201, None)] * MAX_PENDING_PER_SOURCE
    assert statuses[MAX_PENDING_PER_SOURCE:] == [(429, "too_many_from_source")] * 2
    # Another address still can pair.
    registry = init_integration.runtime_data.agents
    _start(registry, _request(key, now), "192.0.2.7", now)


@pytest.mark.usefixtures("account_ws")
async def test_replayed_and_stale_requests_are_refused(client: TestClient[Any, Any]) -> None:
    """Attack: replay a request seen on the network, or send one that has already expired."""
    now = int(time.time())
    request = _request(primitives.rsa_generate(), now)
    assert (await client.post(f"{AGENT}/pairing", json={"request": request})).status == 201
    replayed = await client.post(f"{AGENT}/pairing", json={"request": request})
    assert (replayed.status, (await replayed.json())["error"]) == (409, "duplicate_session")
    stale = _request(primitives.rsa_generate(), now, expires_in=-1)
    response = await client.post(f"{AGENT}/pairing", json={"request": stale})
    assert (response.status, (await response.json())["error"]) == (400, "expired")


def test_the_rate_limiter_forgets_idle_addresses() -> None:
    """Attack: one request from each of very many addresses, to grow the limiter's table."""
    limiter = RateLimiter(limit=10, window=60.0)
    for n in range(5 * RateLimiter.SWEEP_AT):
        assert limiter.allow(f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}", float(n))
    assert len(limiter) <= RateLimiter.SWEEP_AT
    assert [limiter.allow("192.0.2.1", 0.0) for _ in range(11)][-2:] == [True, False]


@pytest.mark.usefixtures("account_ws")
async def test_refused_and_expired_requests_are_forgotten(
    init_integration: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """Attack: send requests for ever (from many addresses) so that the registry grows.

    Refused and expired records are kept an hour (so their agent learns the outcome), at most
    MAX_DEAD_PAIRINGS of them, and then dropped from memory and from the stored file.
    """
    registry = init_integration.runtime_data.agents
    key = primitives.rsa_generate()
    now = int(time.time())
    for n in range(MAX_DEAD_PAIRINGS + 15):
        _start(registry, _request(key, now), f"10.1.{n // 200}.{n % 200}", now)
        registry.refuse(registry.records()[-1].session_id, now)
    registry.expire(now)
    assert len(registry.records()) == MAX_DEAD_PAIRINGS
    _start(registry, _request(key, now), "10.9.9.9", now)
    # The pending one expires; then, an hour on, nothing refused or expired is left.
    registry.expire(now + PAIRING_LIFETIME_SECONDS)
    assert sum(r.state == "expired" for r in registry.records()) == 1
    registry.expire(now + PAIRING_LIFETIME_SECONDS + DEAD_PAIRING_KEEP_SECONDS)
    assert registry.records() == ()
    await registry.async_flush()
    assert hass_storage["e2ee_nvr/agents"]["data"]["agents"] == []


async def test_self_declared_names_are_marked_unverified(
    client: TestClient[Any, Any], account_ws: Any
) -> None:
    """Attack: a request calls itself "Trusted Garage Agent" to be granted without a thought.

    The admin's list says the names are the requester's own claim.
    """
    response = await client.post(
        f"{AGENT}/pairing", json={"request": _request(primitives.rsa_generate(), int(time.time()))}
    )
    assert response.status == 201
    (session,) = (await ws_ok(account_ws, type="e2ee_nvr/pairing/list"))["sessions"]
    assert session["agent_name"] == "Trusted Garage Agent"
    assert session["names_verified"] is False
