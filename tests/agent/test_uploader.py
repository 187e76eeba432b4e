"""Uploader against the fake store: exactly-once delivery across an outage, trust refresh."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from camera_agent.ha_client import HaClient
from camera_agent.state import AgentState
from camera_agent.trust import RecordingBlocked
from camera_agent.uploader import Uploader
from e2ee_nvr_protocol import endpoint
from e2ee_nvr_protocol.envelope import SignedEnvelope
from e2ee_nvr_protocol.errors import RolledBack
from tests.agent.agent_setup import AgentParts, agent_parts, new_account, served_store, uploader_for
from tests.agent.fake_store import RunningStore
from tests.protocol.account_setup import AccountFixture

SAFETY_TIMEOUT_SECONDS = 60  # only so a broken test fails instead of hanging


async def _record(parts: AgentParts, size: int = 300_000) -> str:
    writer = await parts.sink.start_clip(
        camera_id="front-door", start_ms=1_000, codecs="avc1.64001f", mime="video/mp4"
    )
    await writer.write(os.urandom(size))
    await writer.finish(end_ms=2_000, thumbnail_jpeg=b"\xff\xd8thumb")
    return writer.clip_id


@asynccontextmanager
async def _uploading(
    tmp_path: Path,
    agent_account: AccountFixture | None = None,
    store_account: AccountFixture | None = None,
) -> AsyncIterator[tuple[AgentParts, RunningStore, Uploader, HaClient]]:
    """An agent paired to `agent_account` (a new one by default), its uploader and a served
    store holding `store_account` (by default the agent's); the client closes on exit."""
    agent_account = agent_account or new_account()
    parts = agent_parts(tmp_path, agent_account)
    async with served_store(tmp_path, store_account or agent_account) as running:
        uploader, client = uploader_for(parts, running)
        try:
            yield parts, running, uploader, client
        finally:
            await client.close()


async def _until(condition: Callable[[], bool]) -> None:
    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), SAFETY_TIMEOUT_SECONDS)


async def test_outage_then_every_clip_arrives_exactly_once(tmp_path: Path) -> None:
    async with _uploading(tmp_path) as (parts, running, uploader, _client):
        first = await _record(parts)
        await running.stop()  # Home Assistant goes away
        stop = asyncio.Event()
        loop = asyncio.create_task(uploader.upload_loop(stop), name="upload")
        second = await _record(parts)
        await _until(lambda: parts.status.failed_upload_rounds >= 3)
        third = await _record(parts)
        assert {c.clip_id for c in parts.spool.clips()} == {first, second, third}

        await running.start()  # ... and comes back
        await _until(lambda: not parts.spool.clips())
        fourth = await _record(parts)
        await _until(lambda: not parts.spool.clips())
        stop.set()
        await loop

    store = running.store
    assert sorted(store.commits) == sorted([first, second, third, fourth])
    # Every clip carries its padded events stream, even with no events (protocol 9.3).
    assert all(
        set(store.clips[c].objects) == {"video", "thumbnail", "events"} for c in store.commits
    )
    assert parts.status.uploaded_clips == 4


async def test_lost_response_is_retried_without_a_duplicate(tmp_path: Path) -> None:
    async with _uploading(tmp_path) as (parts, running, uploader, client):
        clip_id = await _record(parts)
        clip = parts.spool.clips()[0]
        # The store committed the clip, but the agent never heard (say, the answer was lost).
        manifest = json.loads(clip.manifest_path.read_bytes())
        await client.put_manifest(clip_id, manifest)
        for kind, path in clip.objects.items():
            await client.put_object(clip_id, kind, path)
        puts = running.store.object_puts
        assert await uploader.upload_pending() == 1
    assert running.store.commits == [clip_id]
    assert running.store.object_puts == puts  # the manifest answer said "stored": no re-send
    assert parts.spool.clips() == []


async def test_refused_clip_stays_in_the_spool(tmp_path: Path) -> None:
    async with _uploading(tmp_path) as (parts, running, uploader, _client):
        clip_id = await _record(parts)
        video = parts.spool.object_path(clip_id, "video")
        damaged = bytearray(video.read_bytes())
        damaged[-1] ^= 1
        video.write_bytes(bytes(damaged))
        assert await uploader.upload_pending() == 0
    assert running.store.commits == []
    assert [c.clip_id for c in parts.spool.clips()] == [clip_id]


@pytest.fixture
def account_with_two_epochs() -> tuple[AccountFixture, AccountFixture]:
    """The same account before and after a second browser enrolled (epoch 1, then 2)."""
    account = new_account()
    document, _second = endpoint.enrol_with_passphrase(account.document, account.passphrase)
    return account, AccountFixture(account.passphrase, document, account.first)


async def test_new_set_is_persisted_and_rollback_stops_recording(
    tmp_path: Path, account_with_two_epochs: tuple[AccountFixture, AccountFixture]
) -> None:
    before, after = account_with_two_epochs
    async with _uploading(tmp_path, before, after) as (parts, running, uploader, _client):
        assert await uploader.refresh_trust() == 2
        reloaded = AgentState(tmp_path / "state").load_trust()
        assert reloaded is not None and reloaded.current_set().epoch == 2
        clip_id = await _record(parts)
        envelope = json.loads(parts.spool.manifest_path(clip_id).read_bytes())
        manifest = json.loads(SignedEnvelope.from_json(envelope).payload)
        # Encrypted to the new set: the data key and both browsers.
        assert (manifest["recipient_epoch"], len(manifest["wrapped_keys"])) == (2, 3)

        running.store.recipient_set = before.document.recipient_set  # HA replays epoch 1
        with pytest.raises(RolledBack):
            await uploader.refresh_trust()

    assert "RolledBack" in (parts.status.recording_blocked or "")
    with pytest.raises(RecordingBlocked, match="RolledBack"):
        await _record(parts)
    reloaded = AgentState(tmp_path / "state").load_trust()
    assert reloaded is not None and reloaded.current_set().epoch == 2


async def test_heartbeat_reports_spool_and_epoch(tmp_path: Path) -> None:
    async with _uploading(tmp_path) as (parts, running, uploader, _client):
        parts.status.set_camera("front-door", "recording")
        await _record(parts)
        stop = asyncio.Event()
        task = asyncio.create_task(uploader.heartbeat_loop(stop), name="heartbeat")
        await _until(lambda: bool(running.store.heartbeats))
        stop.set()
        await task
    beat = running.store.heartbeats[0]
    assert beat["recipient_epoch"] == 1
    assert beat["spool_clips"] == 1
    assert beat["cameras"] == [
        {"camera_id": "front-door", "state": "recording", "detail": "recording"}
    ]


async def test_revoked_token_means_needs_pairing(tmp_path: Path) -> None:
    async with _uploading(tmp_path) as (parts, running, uploader, _client):
        await _record(parts)
        running.store.agents.clear()  # unpaired in the panel
        stop = asyncio.Event()
        task = asyncio.create_task(uploader.upload_loop(stop), name="upload")
        await _until(lambda: parts.status.needs_pairing)
        stop.set()
        await task
    assert parts.spool.depth().clips == 1
    assert parts.status.overall() == "needs_pairing"
