"""Event kinds reach Home Assistant only when both the owner's agent and the integration allow.

The leak: with the integration's "let HA see event types" off, the agent still wrote its
visible kinds into every manifest (plaintext to HA), and the add-on and the agent defaulted to
sending `motion`. Now the default is none, and the heartbeat answer carries the option.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import yaml

from camera_agent.config import parse_config
from e2ee_nvr_protocol.clip import ClipEvent
from e2ee_nvr_protocol.envelope import SignedEnvelope
from tests.agent.agent_setup import AgentParts, agent_parts, new_account, served_store, uploader_for
from tests.agent.fake_store import RunningStore

ADDON_CONFIG = Path(__file__).parents[2] / "addon" / "config.yaml"
SAFETY_TIMEOUT_SECONDS = 30.0


async def _clip_visible_events(parts: AgentParts) -> list[str]:
    """Seal one clip with a motion and a person event; the manifest's plaintext kinds."""
    parts.sink.events.record("front-door", ClipEvent("motion", 1_200, 1_500, "onvif"))
    parts.sink.events.record("front-door", ClipEvent("person", 1_300, 1_400, "onvif"))
    writer = await parts.sink.start_clip(
        camera_id="front-door", start_ms=1_000, codecs="avc1.64001f", mime="video/mp4"
    )
    await writer.write(os.urandom(1000))
    await writer.finish(end_ms=2_000, thumbnail_jpeg=None)
    raw = json.loads(parts.spool.manifest_path(writer.clip_id).read_bytes())
    kinds: list[str] = json.loads(SignedEnvelope.from_json(raw).payload)["visible_events"]
    return kinds


async def _one_heartbeat(parts: AgentParts, running: RunningStore) -> None:
    uploader, client = uploader_for(parts, running, parts.sink.set_ha_events_visible)
    seen = len(running.store.heartbeats)
    stop = asyncio.Event()
    task = asyncio.create_task(uploader.heartbeat_loop(stop))

    async def answered() -> None:
        while len(running.store.heartbeats) <= seen:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.05)  # the answer is applied right after the store logs the beat

    await asyncio.wait_for(answered(), SAFETY_TIMEOUT_SECONDS)
    stop.set()
    await task
    await client.close()


async def test_kinds_are_visible_only_while_the_integration_option_is_on(tmp_path: Path) -> None:
    """Leak: HA's option off, agent configured with `motion` visible: nothing may show."""
    account = new_account()
    parts = agent_parts(tmp_path, account)  # the agent's own list allows `motion`
    async with served_store(tmp_path, account) as running:
        # Before Home Assistant has said anything, nothing is visible.
        assert await _clip_visible_events(parts) == []
        await _one_heartbeat(parts, running)  # option off (the fake store's default)
        assert await _clip_visible_events(parts) == []
        running.store.events_visible = True
        await _one_heartbeat(parts, running)
        # Both locks open: only the kinds the agent lists; `person` stays encrypted.
        assert await _clip_visible_events(parts) == ["motion"]
        running.store.events_visible = False
        await _one_heartbeat(parts, running)
        assert await _clip_visible_events(parts) == []


def test_defaults_send_no_event_kind() -> None:
    """Leak: the add-on's default options and the agent's default configuration."""
    addon = yaml.safe_load(ADDON_CONFIG.read_text(encoding="utf-8"))
    assert addon["options"]["visible_event_types"] == []
    config = parse_config(
        {
            "ha_url": "http://ha:8123",
            "state_dir": "/tmp/s",  # noqa: S108 (never created: parsing only)
            "spool_dir": "/tmp/p",  # noqa: S108
            "cameras": [{"name": "c", "camera_id": "c", "rtsp_url": "rtsp://h/c"}],
        }
    )
    assert config.visible_event_types == ()
