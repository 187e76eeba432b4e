"""Options for the storage backend and the off-site copy: each error, then a working choice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.e2ee_nvr.clip_objects import FolderClipObjects
from custom_components.e2ee_nvr.const import CONF_OFFSITE, DOMAIN
from custom_components.e2ee_nvr.s3_objects import S3ClipObjects
from tests.integration.conftest import entry_options
from tests.integration.s3_server import WeedServer


@pytest.fixture
def bucket(weed: WeedServer, socket_enabled: None) -> str:
    return weed.new_bucket()


async def _step(hass: HomeAssistant, entry: MockConfigEntry, step: str) -> Any:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


async def test_bucket_as_primary_store(
    hass: HomeAssistant, init_integration: MockConfigEntry, weed: WeedServer, bucket: str
) -> None:
    result = await _step(hass, init_integration, "storage")
    assert result["step_id"] == "storage"
    result = await hass.config_entries.options.async_configure(result["flow_id"], {"backend": "s3"})
    assert result["step_id"] == "storage_s3"
    flow_id = result["flow_id"]
    for wrong, error in (
        ({"secret_access_key": "not-the-secret"}, "bucket_unreachable"),
        ({"bucket": "no-such-bucket"}, "bucket_unreachable"),
        ({"endpoint_url": "ftp://127.0.0.1"}, "invalid_endpoint"),
        ({"prefix": "a b"}, "invalid_prefix"),
    ):
        result = await hass.config_entries.options.async_configure(
            flow_id, {**weed.settings(bucket), **wrong}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"base": error}
    result = await hass.config_entries.options.async_configure(
        flow_id, weed.settings(bucket, "nvr/")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert isinstance(init_integration.runtime_data.objects, S3ClipObjects)

    # And back to the media folder.
    result = await _step(hass, init_integration, "storage")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"backend": "media_folder"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert isinstance(init_integration.runtime_data.objects, FolderClipObjects)


async def test_offsite_targets(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    media_root: Path,
    weed: WeedServer,
    bucket: str,
) -> None:
    result = await _step(hass, init_integration, "offsite")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"target": "s3", "retention_days": 90}
    )
    assert result["step_id"] == "offsite_s3"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**weed.settings(bucket), "secret_access_key": "wrong"}
    )
    assert result["errors"] == {"base": "bucket_unreachable"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], weed.settings(bucket, "copy")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    copier = init_integration.runtime_data.offsite
    assert copier is not None and copier.target.retention_days == 90
    assert isinstance(copier.target.objects, S3ClipObjects)
    assert hass.states.get("sensor.e2ee_nvr_off_site_copy_backlog") is not None

    result = await _step(hass, init_integration, "offsite")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"target": "folder", "retention_days": 7}
    )
    assert result["step_id"] == "offsite_folder"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"media_dir": "local", "folder": "../outside"}
    )
    assert result["errors"] == {"folder": "invalid_folder"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"media_dir": "local", "folder": "offsite"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    copier = init_integration.runtime_data.offsite
    assert copier is not None and copier.target.retention_days == 7
    assert isinstance(copier.target.objects, FolderClipObjects)
    assert copier.target.objects.root == media_root / "offsite"

    result = await _step(hass, init_integration, "offsite")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"target": "none", "retention_days": 7}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.runtime_data.offsite is None


async def test_unusable_offsite_setting_raises_an_issue_and_recording_goes_on(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    offsite = {"target": "folder", "media_dir": "nowhere", "folder": "x", "retention_days": 7}
    hass.config_entries.async_update_entry(
        init_integration, options=entry_options(**{CONF_OFFSITE: offsite})
    )
    await hass.async_block_till_done()
    assert init_integration.runtime_data.offsite is None
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "offsite_unusable")
    assert issue is not None and issue.translation_placeholders == {"reason": "invalid_media_dir"}
