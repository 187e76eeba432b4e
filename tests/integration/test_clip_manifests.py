"""`e2ee_nvr/clips/manifests`: a day of clips' manifests and encrypted event details at once.

Every answer is checked against docs/panel-api.schema.json by ws_call. The bucket-down case is
in test_s3_storage.py, with the other clip commands.
"""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from homeassistant.auth.models import User

from custom_components.e2ee_nvr.protocol.encoding import b64decode
from custom_components.e2ee_nvr.websocket_clips import MAX_BATCH
from tests.integration.nvr_helpers import Agent, seal_clip, upload_clip, ws_call, ws_ok

MANIFESTS = "e2ee_nvr/clips/manifests"
UNKNOWN = "f" * 32


async def test_answers_each_clip_as_clips_manifest_with_its_events_ciphertext(
    client: TestClient[Any, Any], ws: Any, agent: Agent
) -> None:
    with_events = seal_clip(agent)
    without = seal_clip(agent, with_events=False)
    for clip in (with_events, without):
        await upload_clip(client, agent, clip)

    asked = [without.clip_id, UNKNOWN, with_events.clip_id, without.clip_id]
    found = await ws_ok(ws, type=MANIFESTS, clip_ids=asked)

    # Each known id once, in the order asked; the unknown one reported, not an error.
    assert [c["clip"]["clip_id"] for c in found["clips"]] == [without.clip_id, with_events.clip_id]
    assert found["unknown"] == [UNKNOWN]
    for entry in found["clips"]:
        single = await ws_ok(ws, type="e2ee_nvr/clips/manifest", clip_id=entry["clip"]["clip_id"])
        assert {k: v for k, v in entry.items() if k != "events"} == single
    no_events, events = found["clips"]
    assert no_events["events"] is None
    # The ciphertext exactly as the agent uploaded it, in the protocol's base64url.
    assert b64decode(events["events"]) == with_events.objects["events"]


async def test_refuses_too_many_ids_and_none(ws: Any, agent: Agent) -> None:
    too_many = [f"{i:032x}" for i in range(MAX_BATCH + 1)]
    for clip_ids in (too_many, []):
        response = await ws_call(ws, type=MANIFESTS, clip_ids=clip_ids)
        assert response["error"]["code"] == "invalid_format"
    assert "between 1 and 200 clip ids" in response["error"]["message"]
    at_most = await ws_ok(ws, type=MANIFESTS, clip_ids=too_many[:MAX_BATCH])
    assert (at_most["clips"], len(at_most["unknown"])) == ([], MAX_BATCH)


async def test_any_signed_in_user_may_read_as_with_clips_manifest(
    client: TestClient[Any, Any], ws: Any, agent: Agent, hass_admin_user: User
) -> None:
    clip = seal_clip(agent)
    await upload_clip(client, agent, clip)
    hass_admin_user.groups = []  # the same connection's user, no longer an admin
    single = await ws_call(ws, type="e2ee_nvr/clips/manifest", clip_id=clip.clip_id)
    batch = await ws_call(ws, type=MANIFESTS, clip_ids=[clip.clip_id])
    assert single["success"] and batch["success"]
    assert [c["clip"]["clip_id"] for c in batch["result"]["clips"]] == [clip.clip_id]
    # Deleting stays admin-only: the batch read gives no new power.
    delete = await ws_call(ws, type="e2ee_nvr/clips/delete", clip_ids=[clip.clip_id])
    assert delete["error"]["code"] == "unauthorized"
