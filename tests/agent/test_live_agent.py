"""The agent serving live view through a real HA to a Python viewer (protocol section 18)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from devstack.ports import free_port
from e2ee_nvr_protocol import endpoint
from e2ee_nvr_protocol.account import AccountDocument
from e2ee_nvr_protocol.primitives import p256_generate
from tests.agent.live_stack import (
    ON_DEMAND,
    RECORDING,
    LiveStack,
    LiveView,
    agent_ffmpegs,
    ffprobe_codecs,
    live_stack,
    until,
)

pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveStack]:
    async with live_stack(tmp_path_factory.mktemp("live"), free_port()) as running:
        await until(
            "the recording camera records",
            lambda: (
                running.health().get("cameras", {}).get(RECORDING, {}).get("state") == "recording"
            ),
        )
        yield running


async def test_live_frames_decrypt_to_fmp4_while_recording_goes_on(stack: LiveStack) -> None:
    clips_before = len(await stack.user.wait_for_clips(0))
    view = await stack.watch(RECORDING)
    await view.read_until(lambda opened: sum(r.record_type == 2 for r in opened) >= 3)
    assert view.opened[0].record_type == 1, "a session starts with an init record"
    # Init plus fragments is a valid fragmented MP4 of the camera's own codecs (no transcode).
    assert sorted(ffprobe_codecs(view.init() + b"".join(view.media()))) == ["aac", "h264"]
    # Recording shares that ffmpeg and goes on: a new clip arrives while live view runs.
    await stack.user.wait_for_clips(clips_before + 1, timeout=60)
    await view.read_until(lambda opened: sum(r.record_type == 2 for r in opened) >= 6)
    view.close()


async def test_two_viewers_share_one_session_and_one_ffmpeg(stack: LiveStack) -> None:
    before = agent_ffmpegs(stack.agent)  # the recording camera's ffmpeg; none for `lazy`
    assert before == 1
    first = await stack.watch(ON_DEMAND)
    second = await stack.watch(ON_DEMAND)
    assert first.verified.session_id == second.verified.session_id
    assert first.verified.live_key == second.verified.live_key
    for view in (first, second):
        await view.read_until(lambda opened: sum(r.record_type == 2 for r in opened) >= 2)
        assert ffprobe_codecs(view.init() + b"".join(view.media())) == ["h264"]
    assert agent_ffmpegs(stack.agent) == before + 1, "one on-demand ffmpeg for both viewers"
    await until(
        "the agent reports one session with two viewers",
        lambda: stack.health().get("live", {}).get(ON_DEMAND, {}).get("viewers") == 2,
    )
    first.close()
    second.close()
    # Nobody watches: the session ends ("idle") and the on-demand capture stops.
    await until(
        "the idle session ends", lambda: ON_DEMAND not in stack.health().get("live", {ON_DEMAND: 1})
    )
    await until("the on-demand ffmpeg stops", lambda: agent_ffmpegs(stack.agent) == before)


async def watch_when_admitted(
    stack: LiveStack, me: endpoint.Endpoint, document: object
) -> LiveView:
    """Watch as `me` once the agent holds the set that enrols it (it refuses until then)."""
    for _ in range(180):
        code = await stack.refused_or_none(RECORDING, me, document)
        if code is None:
            return await stack.watch(RECORDING, me, document)
        assert code == "NotEnrolled", code
        await asyncio.sleep(0.5)
    raise AssertionError("the agent never admitted the newly enrolled key")


async def enrol_and_watch(stack: LiveStack, name: str) -> tuple[endpoint.Endpoint, LiveView]:
    """Another browser enrolled by passphrase, watching once the agent admitted it."""
    user = stack.user
    assert user.document is not None and user.passphrase
    enrolled, other = endpoint.enrol_with_passphrase(user.document, user.passphrase)
    await stack.socket.call(
        "e2ee_nvr/account/enrol", account=enrolled.to_json(), instance_name=name
    )
    user.document = enrolled
    return other, await watch_when_admitted(stack, other, enrolled)


async def revoke(stack: LiveStack, other: endpoint.Endpoint) -> AccountDocument:
    """The owner revokes `other`; the account document after it."""
    user = stack.user
    assert user.document is not None and user.endpoint is not None
    revoked = endpoint.revoke_instance(user.document, user.endpoint, other.instance_key_id)
    await stack.socket.call("e2ee_nvr/account/revoke", account=revoked.to_json())
    user.document = revoked
    return revoked


async def test_revocation_ends_the_session_and_the_key_is_refused(stack: LiveStack) -> None:
    second, view = await enrol_and_watch(stack, "Second")
    await view.read_until(lambda opened: sum(r.record_type == 2 for r in opened) >= 1)

    revoked = await revoke(stack, second)
    # The agent takes the new set, which drops a confirmed viewer: the session ends, rekeyed.
    await view.read_until(lambda opened: opened[-1].record_type == 3)
    assert view.end_reason() == "rekey"
    # The revoked key cannot start another session; the owner's browser still can.
    assert await stack.refused(RECORDING, second, revoked) == "NotEnrolled"
    # Nor can HA get L wrapped to a key of its own choosing (one outside the set).
    owner = stack.user.endpoint
    assert owner is not None
    outsider = endpoint.Endpoint(revoked.account_id, owner.root_cert, p256_generate())
    assert await stack.refused(RECORDING, outsider, revoked) == "NotEnrolled"
    again = await stack.watch(RECORDING)
    assert again.verified.session_id != view.verified.session_id
    await again.read_until(lambda opened: sum(r.record_type == 2 for r in opened) >= 1)
    again.close()


async def test_a_request_right_after_a_revocation_waits_for_the_new_set(stack: LiveStack) -> None:
    """The revoked browser asks at once, before the agent fetched the new set: HA's poll names
    the newer epoch along with the request, and the agent takes that set before it answers, so
    the key is refused and L is never wrapped to it (not even for a session ended by rekey)."""
    lost, view = await enrol_and_watch(stack, "Lost")
    view.close()
    revoked = await revoke(stack, lost)
    assert await stack.refused_or_none(RECORDING, lost, revoked) == "NotEnrolled"
