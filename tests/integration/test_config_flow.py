"""Config flow, options flow and reconfigure: every error, then recovery to an entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.e2ee_nvr.config_flow import CONF_CAMERA
from custom_components.e2ee_nvr.const import (
    CONF_CAMERA_RETENTION,
    CONF_EVENTS_VISIBLE,
    CONF_FOLDER,
    CONF_MEDIA_DIR,
    CONF_RETENTION_DAYS,
    CONF_STORAGE_CAP_GB,
    DOMAIN,
)
from tests.integration.nvr_helpers import AccountFixture, create_account, pair_agent

SETTINGS = {CONF_RETENTION_DAYS: 14, CONF_STORAGE_CAP_GB: 2.5, CONF_EVENTS_VISIBLE: False}


async def test_user_flow_errors_then_entry(hass: HomeAssistant, media_root: Path) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    blocker = media_root / "blocked"
    blocker.write_text("a file where a folder should go")
    for folder, error in (
        ("../outside", "invalid_folder"),
        ("/etc", "invalid_folder"),
        ("  ", "invalid_folder"),
        ("blocked/clips", "not_writable"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_MEDIA_DIR: "local", CONF_FOLDER: folder, **SETTINGS}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {CONF_FOLDER: error}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_MEDIA_DIR: "local", CONF_FOLDER: "cameras/nvr", **SETTINGS}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {CONF_MEDIA_DIR: "local", CONF_FOLDER: "cameras/nvr"}
    assert result["options"] == SETTINGS
    assert (media_root / "cameras" / "nvr" / ".staging").is_dir()
    # One instance only.
    again = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "single_instance_allowed"


@pytest.mark.usefixtures("media_root")
async def test_user_flow_without_media_dirs(hass: HomeAssistant) -> None:
    hass.config.media_dirs = {}
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_media_dirs"


async def test_options_flow(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["settings", "camera_retention", "storage", "offsite"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(result["flow_id"], SETTINGS)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options == SETTINGS
    assert init_integration.runtime_data.settings.retention_days == 14
    assert init_integration.runtime_data.settings.storage_cap_bytes == 2_500_000_000
    assert init_integration.runtime_data.settings.events_visible is False


async def _camera_retention(hass: HomeAssistant, entry: MockConfigEntry) -> ConfigFlowResult:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "camera_retention"}
    )


async def test_camera_retention_options(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    ws: Any,
    account: AccountFixture,
) -> None:
    # Nothing to choose before a camera is paired.
    result = await _camera_retention(hass, init_integration)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_cameras"

    await create_account(ws, account)
    agent = await pair_agent(await hass_client(), ws, account, cameras=("front-door", "garage"))
    front, garage = (f"{agent.device_id}:{c}" for c in ("front-door", "garage"))
    result = await _camera_retention(hass, init_integration)
    assert result["type"] is FlowResultType.FORM
    assert result["description_placeholders"] == {"default_days": "30", "overrides": "none"}
    for camera, days in ((front, 7), (garage, 90)):
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_CAMERA: camera, CONF_RETENTION_DAYS: days}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        result = await _camera_retention(hass, init_integration)
    settings = init_integration.runtime_data.settings
    assert settings.camera_retention_days == {front: 7, garage: 90}
    assert settings.retention_for(agent.device_id, "garage") == 90
    assert settings.retention_days == 30
    # Out of range is refused by the form; 0 returns the camera to the default.
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_CAMERA: front, CONF_RETENTION_DAYS: -1}
        )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_CAMERA: front, CONF_RETENTION_DAYS: 0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.runtime_data.settings.camera_retention_days == {garage: 90}
    # The general settings step keeps the per-camera overrides.
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], SETTINGS)
    await hass.async_block_till_done()
    assert init_integration.options[CONF_CAMERA_RETENTION] == {garage: 90}


async def test_camera_retention_needs_a_loaded_entry(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    result = await _camera_retention(hass, init_integration)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_cameras"


async def test_reconfigure(
    hass: HomeAssistant, init_integration: MockConfigEntry, media_root: Path
) -> None:
    result = await init_integration.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_MEDIA_DIR: "local", CONF_FOLDER: "../x"}
    )
    assert result["errors"] == {CONF_FOLDER: "invalid_folder"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_MEDIA_DIR: "local", CONF_FOLDER: "moved"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert init_integration.data[CONF_FOLDER] == "moved"
    assert init_integration.runtime_data.storage_root == media_root / "moved"


async def test_setup_fails_when_media_dir_is_gone(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    hass.config.media_dirs = {"other": "/nonexistent"}
    mock_config_entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR


async def test_unload(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    assert init_integration.state is ConfigEntryState.NOT_LOADED
