"""The off-site copy: catches up after the bucket was down, survives an interrupted copy, and
keeps clips for its own retention; ingest never waits for it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.e2ee_nvr import offsite_setup
from custom_components.e2ee_nvr.clip_objects import StorageUnavailable
from custom_components.e2ee_nvr.const import (
    BACKEND_S3,
    CONF_OFFSITE,
    DOMAIN,
    OFFSITE_FOLDER,
)
from custom_components.e2ee_nvr.offsite import OffsiteCopier
from tests.integration.conftest import BucketObjects, entry_options, nvr_entry
from tests.integration.nvr_helpers import (
    DAY_MS,
    MARKER,
    Agent,
    SealedClip,
    seal_clip,
    upload_clip,
    ws_ok,
)
from tests.integration.s3_server import WeedServer

BACKLOG_ENTITY = "sensor.e2ee_nvr_off_site_copy_backlog"


@pytest.fixture
def mock_config_entry(media_root: Path, weed: WeedServer, bucket: str) -> MockConfigEntry:
    """Clips in the media folder, copied to a bucket and kept there for 90 days."""
    offsite = {"target": BACKEND_S3, "retention_days": 90, **weed.settings(bucket, "copy/")}
    return nvr_entry(**{CONF_OFFSITE: offsite})


def _copier(entry: MockConfigEntry) -> OffsiteCopier:
    copier: OffsiteCopier | None = entry.runtime_data.offsite
    assert copier is not None
    return copier


def _copied_keys(clip: SealedClip, agent: Agent, start_ms: int) -> dict[str, bytes]:
    day = time.strftime("%Y-%m-%d", time.gmtime(start_ms / 1000))
    folder = f"copy/{agent.device_id}/{day}"
    expected = {f"{folder}/{clip.clip_id}.{kind}": data for kind, data in clip.objects.items()}
    expected[f"{folder}/{clip.clip_id}.manifest.json"] = b""
    return expected


async def _bucket_holds(
    bucket_objects: BucketObjects, expected: dict[str, bytes]
) -> dict[str, bytes]:
    """The bucket's objects, checked to be exactly the keys of `expected`, each with its
    content (an empty expected value: any content)."""
    stored = await bucket_objects()
    assert set(stored) == set(expected)
    for key, data in expected.items():
        assert not data or stored[key] == data
    return stored


async def test_copy_catches_up_after_bucket_was_down(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    weed: WeedServer,
    bucket_objects: BucketObjects,
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient[Any, Any],
    ws: Any,
    agent: Agent,
) -> None:
    copier = _copier(init_integration)
    # Any waiting clip counts as "behind" here, so the repair issue shows without waiting.
    monkeypatch.setattr(offsite_setup, "OFFSITE_BEHIND_SECONDS", -1)
    now = int(time.time() * 1000)
    clips = [seal_clip(agent, MARKER * 2000, start_ms=now - i * 1000) for i in range(3)]
    await hass.async_add_executor_job(weed.stop)
    try:
        # Recording does not wait for the copy: every upload is stored while the bucket is down.
        for clip in clips:
            assert await upload_clip(client, agent, clip) == {"stored": True, "missing": []}
        assert await copier.run_once() is False
        await hass.async_block_till_done()
        assert copier.backlog.clips == 3
        assert hass.states.get(BACKLOG_ENTITY).state == "3"  # type: ignore[union-attr]
        assert copier.last_error is not None
        issue = ir.async_get(hass).async_get_issue(DOMAIN, "offsite_behind")
        assert issue is not None
        assert issue.translation_placeholders == {"waiting": "3", "error": copier.last_error}
    finally:
        await hass.async_add_executor_job(weed.start)

    assert await copier.run_once() is True
    await hass.async_block_till_done()
    assert copier.backlog.clips == 0
    assert hass.states.get(BACKLOG_ENTITY).state == "0"  # type: ignore[union-attr]
    assert ir.async_get(hass).async_get_issue(DOMAIN, "offsite_behind") is None
    expected: dict[str, bytes] = {}
    for i, clip in enumerate(clips):
        expected |= _copied_keys(clip, agent, now - i * 1000)
    stored = await _bucket_holds(bucket_objects, expected)
    assert not any(MARKER in data for data in stored.values())
    assert await ws_ok(ws, type="e2ee_nvr/clips/list")


async def test_interrupted_copy_resumes_without_loss_or_duplicates(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    bucket_objects: BucketObjects,
    monkeypatch: pytest.MonkeyPatch,
    client: TestClient[Any, Any],
    agent: Agent,
) -> None:
    copier = _copier(init_integration)
    await copier.run_once()
    start = int(time.time() * 1000)
    clip = seal_clip(agent, start_ms=start, thumbnail=b"\xff\xd8 jpeg")
    # The copy dies after the video reached the bucket and before the manifest did, as when
    # Home Assistant is killed mid-copy: nothing after that point runs.
    puts: list[str] = []
    real_put = copier.target.objects.put_copy

    def dying_put(rel_dir: str, clip_id: str, kind: str, source: Path) -> None:
        if kind == "manifest":
            raise StorageUnavailable("killed")
        puts.append(kind)
        real_put(rel_dir, clip_id, kind, source)

    monkeypatch.setattr(copier.target.objects, "put_copy", dying_put)
    await upload_clip(client, agent, clip)
    assert await copier.run_once() is False
    assert "video" in puts
    half = await bucket_objects()
    assert not any(key.endswith(".manifest.json") for key in half)

    # A restart: a new copier reads the persisted queue and finishes the clip.
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    copier = _copier(init_integration)
    assert await copier.run_once() is True
    await _bucket_holds(bucket_objects, _copied_keys(clip, agent, start))
    # Copied once: another pass (or another restart) copies nothing again.
    assert copier.backlog.clips == 0
    assert await hass.async_add_executor_job(copier.queue.waiting, 10) == []


async def test_offsite_folder_with_its_own_retention(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    media_root: Path,
    client: TestClient[Any, Any],
    ws: Any,
    agent: Agent,
) -> None:
    """A folder target set up after clips exist: they are queued, except those already past
    the copy's retention; a clip gone from the media folder is skipped; shortening the copy's
    retention removes copies while the media folder (30 days) keeps the clips."""
    hass.config_entries.async_update_entry(init_integration, options=entry_options())
    await hass.async_block_till_done()
    assert init_integration.runtime_data.offsite is None
    recent = seal_clip(agent)
    three_days = seal_clip(agent, age_ms=3 * DAY_MS)
    vanished = seal_clip(agent, age_ms=DAY_MS)
    older = seal_clip(agent, age_ms=10 * DAY_MS)
    for clip in (recent, three_days, vanished, older):
        await upload_clip(client, agent, clip)
    (gone,) = (media_root / "nvr").rglob(f"{vanished.clip_id}.video")
    gone.unlink()

    def _with_copy(days: int) -> None:
        offsite = {"target": OFFSITE_FOLDER, "media_dir": "local", "folder": "copy"}
        hass.config_entries.async_update_entry(
            init_integration,
            options=entry_options(**{CONF_OFFSITE: {**offsite, "retention_days": days}}),
        )

    def _copied() -> list[str]:
        return sorted(p.name for p in (media_root / "copy").rglob("*") if p.is_file())

    # What a copy killed mid-object leaves behind: removed when the copier starts.
    partial = (
        media_root / "copy" / agent.device_id / "2025-12-04" / f".{recent.clip_id}.video.part-0a"
    )
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"half")
    _with_copy(5)
    await hass.async_block_till_done()
    assert not partial.exists()
    copier = _copier(init_integration)
    assert await copier.run_once() is True
    assert copier.lost == 1
    kinds = ("manifest.json", "video", "events")
    assert _copied() == sorted(f"{c.clip_id}.{k}" for c in (recent, three_days) for k in kinds)
    # No camera name in the copy's folders either.
    assert not any("front-door" in str(p) for p in (media_root / "copy").rglob("*"))

    _with_copy(2)
    await hass.async_block_till_done()
    assert await _copier(init_integration).run_once() is True
    assert _copied() == sorted(f"{recent.clip_id}.{k}" for k in kinds)
    listed = await ws_ok(ws, type="e2ee_nvr/clips/list")
    assert {c["clip_id"] for c in listed["clips"]} == {
        c.clip_id for c in (recent, three_days, vanished, older)
    }
