"""A bucket as the primary store: record, play with Range, rebuild, retention, deletion, export.

Everything runs against a real S3 server (SeaweedFS, tests/integration/s3_server.py) through
the real agent and panel views; what the bucket holds is read back with a separate client.
"""

from __future__ import annotations

import tarfile
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.e2ee_nvr.const import (
    BACKEND_S3,
    CONF_BACKEND,
    CONF_S3,
    DOMAIN,
)
from custom_components.e2ee_nvr.protocol.encoding import b64decode
from custom_components.e2ee_nvr.retention import enforce
from tests.integration.conftest import BucketObjects, nvr_entry
from tests.integration.nvr_helpers import (
    DAY_MS,
    MARKER,
    Agent,
    seal_clip,
    upload_clip,
    ws_call,
    ws_ok,
)
from tests.integration.s3_server import WeedServer

AGENT_CAMERAS = ("front-door", "garage")  # the cameras the `agent` fixture offers
CLIPS = "/api/e2ee_nvr/clips"
AGENT_CLIPS = "/api/e2ee_nvr/agent/clips"


@pytest.fixture
def mock_config_entry(media_root: Path, weed: WeedServer, bucket: str) -> MockConfigEntry:
    """The store's entry with the bucket as primary backend (prefix `nvr/`)."""
    return nvr_entry(**{CONF_BACKEND: BACKEND_S3, CONF_S3: weed.settings(bucket, "nvr/")})


def _local_clip_files(media_root: Path) -> list[Path]:
    """Files under the media folder other than the index: there should be none."""
    return [p for p in media_root.rglob("*") if p.is_file() and ".index" not in p.parts]


async def test_bucket_primary_record_play_download(
    hass: HomeAssistant,
    media_root: Path,
    bucket_objects: BucketObjects,
    client: TestClient[Any, Any],
    ws: Any,
    agent: Agent,
) -> None:
    clip = seal_clip(agent, MARKER * 5000, thumbnail=b"\xff\xd8\xff\xe0" + MARKER * 10)
    assert await upload_clip(client, agent, clip) == {"stored": True, "missing": []}
    # Idempotent: the same clip again is "stored", nothing is added.
    assert await upload_clip(client, agent, clip) == {"stored": True, "missing": []}

    stored = await bucket_objects()
    day = time.strftime("%Y-%m-%d", time.gmtime())
    names = {f"{clip.clip_id}.{k}" for k in ("manifest.json", "video", "thumbnail", "events")}
    assert set(stored) == {f"nvr/{agent.device_id}/{day}/{name}" for name in names}
    # Object names carry no camera names; nothing of a clip stays in the media folder.
    assert not any("front-door" in key for key in stored)
    assert _local_clip_files(media_root) == []
    assert stored[f"nvr/{agent.device_id}/{day}/{clip.clip_id}.video"] == clip.objects["video"]

    video = clip.objects["video"]
    whole = await client.get(f"{CLIPS}/{clip.clip_id}/video")
    assert whole.status == 200
    assert await whole.read() == video
    part = await client.get(f"{CLIPS}/{clip.clip_id}/video", headers={"Range": "bytes=32-4127"})
    assert part.status == 206
    assert part.headers["Content-Range"] == f"bytes 32-4127/{len(video)}"
    assert await part.read() == video[32:4128]
    tail = await client.get(f"{CLIPS}/{clip.clip_id}/video", headers={"Range": "bytes=-100"})
    assert tail.status == 206
    assert await tail.read() == video[-100:]
    beyond = await client.get(
        f"{CLIPS}/{clip.clip_id}/video", headers={"Range": f"bytes={len(video)}-"}
    )
    assert beyond.status == 416
    assert beyond.headers["Content-Range"] == f"bytes */{len(video)}"
    manifest = await client.get(f"{CLIPS}/{clip.clip_id}/manifest")
    assert manifest.status == 200
    assert await manifest.json() == clip.manifest_json
    found = await ws_ok(ws, type="e2ee_nvr/clips/manifest", clip_id=clip.clip_id)
    assert found["clip"]["clip_id"] == clip.clip_id
    assert (
        found["manifest"].encode()
        == stored[f"nvr/{agent.device_id}/{day}/{clip.clip_id}.manifest.json"]
    )

    batch = await ws_ok(ws, type="e2ee_nvr/clips/manifests", clip_ids=[clip.clip_id])
    (entry,) = batch["clips"]
    assert (
        b64decode(entry["events"]) == stored[f"nvr/{agent.device_id}/{day}/{clip.clip_id}.events"]
    )

    # The plaintext-marker scan: no object in the bucket holds a byte of plaintext.
    for key, body in stored.items():
        assert MARKER not in body, key


async def test_bucket_rebuild_retention_delete_export(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    media_root: Path,
    tmp_path: Path,
    bucket_objects: BucketObjects,
    hass_ws_client: WebSocketGenerator,
    client: TestClient[Any, Any],
    ws: Any,
    agent: Agent,
) -> None:
    recent = seal_clip(agent, age_ms=DAY_MS)
    garage = seal_clip(agent, camera_id="garage", age_ms=2 * DAY_MS)
    for clip in (recent, garage):
        await upload_clip(client, agent, clip)

    # The index is lost: the next start rebuilds it from the bucket.
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    for index in (media_root / "nvr" / ".index").glob("clips-s3-*.sqlite3*"):
        index.unlink()
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    await hass.async_block_till_done()
    ws = await hass_ws_client()
    listed = await ws_ok(ws, type="e2ee_nvr/clips/list")
    assert {c["clip_id"] for c in listed["clips"]} == {recent.clip_id, garage.clip_id}
    assert {c["camera_id"] for c in listed["clips"]} == {"front-door", "garage"}

    # Export fetches each clip from the bucket into the archive, and leaves no scratch file.
    archive = tmp_path / "export.tar"
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    result = await hass.services.async_call(
        DOMAIN,
        "export_archive",
        {"path": str(archive), "include_clips": True},
        blocking=True,
        return_response=True,
    )
    assert result is not None and result["clips"] == 2
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m) for m in tar.getmembers() if m.isfile()}
        video = members[f"e2ee-nvr-export/clips/{recent.clip_id}.video"]
        assert video is not None and video.read() == recent.objects["video"]
    assert _local_clip_files(media_root) == []

    # Retention: a clip past the period leaves the bucket at its commit.
    old = seal_clip(agent, age_ms=40 * DAY_MS)
    await upload_clip(client, agent, old)
    keys = await bucket_objects()
    assert not any(old.clip_id in key for key in keys)
    assert sum(recent.clip_id in key for key in keys) == 3

    # Deletion by the user removes the objects from the bucket.
    await ws_ok(ws, type="e2ee_nvr/clips/delete", clip_ids=[garage.clip_id])
    keys = await bucket_objects()
    assert not any(garage.clip_id in key for key in keys)
    runtime = init_integration.runtime_data
    assert await hass.async_add_executor_job(enforce, runtime) == 0


async def test_diagnostics_hide_the_bucket_credentials(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    weed: WeedServer,
    hass_client: ClientSessionGenerator,
) -> None:
    found: dict[str, Any] = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    s3 = found["entry"]["options"][CONF_S3]
    redacted = "**REDACTED**"
    assert s3["secret_access_key"] == s3["access_key_id"] == s3["bucket"] == redacted
    assert weed.secret_key not in str(found)


async def test_bucket_down_refuses_retryably_and_retention_retries(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    weed: WeedServer,
    bucket_objects: BucketObjects,
    client: TestClient[Any, Any],
    ws: Any,
    agent: Agent,
) -> None:
    runtime = init_integration.runtime_data
    stored = seal_clip(agent)
    await upload_clip(client, agent, stored)
    late = seal_clip(agent)
    later_ms = int(time.time() * 1000) + 100 * DAY_MS
    await hass.async_add_executor_job(weed.stop)
    try:
        # Playback says the store is unavailable (not "not found").
        response = await client.get(f"{CLIPS}/{stored.clip_id}/video")
        assert response.status == 503
        assert (await response.json())["error"] == "storage_unavailable"
        # So do the panel's manifest(s) and delete commands; the delete loses nothing.
        for command in (
            {"type": "e2ee_nvr/clips/manifest", "clip_id": stored.clip_id},
            {"type": "e2ee_nvr/clips/manifests", "clip_ids": [stored.clip_id]},
            {"type": "e2ee_nvr/clips/delete", "clip_ids": [stored.clip_id]},
        ):
            reply = await ws_call(ws, **command)
            assert not reply["success"]
            assert reply["error"]["code"] == "storage_unavailable"
        # An upload completes staging, but its commit is refused as retryable (503).
        await client.put(
            f"{AGENT_CLIPS}/{late.clip_id}/manifest", json=late.manifest_json, headers=agent.auth
        )
        statuses = []
        for kind, data in late.objects.items():
            response = await client.put(
                f"{AGENT_CLIPS}/{late.clip_id}/{kind}",
                data=data,
                headers={**agent.auth, "Content-Type": "application/octet-stream"},
            )
            statuses.append((response.status, (await response.json()).get("error")))
        assert statuses[-1] == (503, "storage_unavailable")
        # Retention cannot delete: the clip stays listed rather than orphaned in the bucket.
        assert await hass.async_add_executor_job(enforce, runtime, later_ms) == 0
        listed = await ws_ok(ws, type="e2ee_nvr/clips/list")
        assert [c["clip_id"] for c in listed["clips"]] == [stored.clip_id]
    finally:
        await hass.async_add_executor_job(weed.start)

    # The agent's retry starts with the manifest: the store commits the staged clip there.
    response = await client.put(
        f"{AGENT_CLIPS}/{late.clip_id}/manifest", json=late.manifest_json, headers=agent.auth
    )
    assert (response.status, await response.json()) == (201, {"stored": True, "missing": []})
    # The next retention run deletes both clips.
    assert await hass.async_add_executor_job(enforce, runtime, later_ms) == 2
    assert await bucket_objects() == {}


async def test_object_missing_from_bucket_is_not_found(
    hass: HomeAssistant,
    weed: WeedServer,
    bucket: str,
    bucket_objects: BucketObjects,
    client: TestClient[Any, Any],
    agent: Agent,
) -> None:
    clip = seal_clip(agent)
    await upload_clip(client, agent, clip)
    keys = await bucket_objects()
    (video,) = (key for key in keys if key.endswith(".video"))
    await hass.async_add_executor_job(lambda: weed.client().delete_object(Bucket=bucket, Key=video))
    response = await client.get(f"{CLIPS}/{clip.clip_id}/video")
    assert response.status == 404
