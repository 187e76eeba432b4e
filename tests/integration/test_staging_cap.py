"""Issue 11: incomplete uploads count against the storage cap, and cannot grow past it."""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.e2ee_nvr.const import CONF_STORAGE_CAP_GB
from custom_components.e2ee_nvr.retention import enforce
from tests.integration.conftest import entry_options
from tests.integration.nvr_helpers import (
    AGENT,
    MARKER,
    AccountFixture,
    create_account,
    pair_agent,
    seal_clip,
    upload_clip,
    ws_ok,
)

MIB = 1 << 20


async def test_staged_uploads_count_against_the_cap(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    media_root: Path,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    account: AccountFixture,
) -> None:
    hass.config_entries.async_update_entry(
        init_integration, options=entry_options(**{CONF_STORAGE_CAP_GB: 0.1})
    )
    await hass.async_block_till_done()
    client = await hass_client()
    ws = await hass_ws_client()
    await create_account(ws, account)
    agent = await pair_agent(client, ws, account)
    committed = seal_clip(agent)
    await upload_clip(client, agent, committed)

    # Four 40 MiB videos whose thumbnails never arrive: 160 MiB staged under a 0.1 GB cap.
    plaintext = (MARKER * (40 * MIB // len(MARKER) + 1))[: 40 * MIB]
    statuses = []
    for _ in range(4):
        clip = seal_clip(agent, plaintext, thumbnail=b"\xff\xd8 jpeg", chunk_size=MIB)
        response = await client.put(
            f"{AGENT}/clips/{clip.clip_id}/manifest", json=clip.manifest_json, headers=agent.auth
        )
        assert response.status == 201
        response = await client.put(
            f"{AGENT}/clips/{clip.clip_id}/video",
            data=clip.objects["video"],
            headers={**agent.auth, "Content-Type": "application/octet-stream"},
        )
        body = await response.json()
        statuses.append((response.status, body.get("error")))
    # Two fit (84 MB); the third would pass 100 MB: refused as retryable, and nothing of it
    # stays behind.
    assert statuses[:2] == [(200, None), (200, None)]
    assert statuses[2:] == [(507, "storage_full"), (507, "storage_full")]
    staging = media_root / "nvr" / ".staging"
    staged = sum(p.stat().st_size for p in staging.rglob("*") if p.is_file())
    assert 80 * MIB < staged < 100_000_000
    assert not list(staging.rglob(".video.part-*"))

    # Retention counts the staged bytes: under a 0.05 GB cap the committed clip must go,
    # because the incomplete uploads alone fill it.
    hass.config_entries.async_update_entry(
        init_integration, options=entry_options(**{CONF_STORAGE_CAP_GB: 0.05})
    )
    await hass.async_block_till_done()
    assert await hass.async_add_executor_job(enforce, init_integration.runtime_data) == 0
    ws = await hass_ws_client()
    listed = await ws_ok(ws, type="e2ee_nvr/clips/list")
    assert listed["clips"] == []
