"""Config flow, options flow and reconfigure: every error, then recovery to an entry."""

from __future__ import annotations

from pathlib import Path

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.e2ee_nvr.const import (
    CONF_EVENTS_VISIBLE,
    CONF_FOLDER,
    CONF_MEDIA_DIR,
    CONF_RETENTION_DAYS,
    CONF_STORAGE_CAP_GB,
    DOMAIN,
)

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


async def test_user_flow_without_media_dirs(hass: HomeAssistant, media_root: Path) -> None:
    hass.config.media_dirs = {}
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_media_dirs"


async def test_options_flow(hass: HomeAssistant, init_integration: MockConfigEntry) -> None:
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(result["flow_id"], SETTINGS)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert init_integration.options == SETTINGS
    assert init_integration.runtime_data.settings.retention_days == 14
    assert init_integration.runtime_data.settings.storage_cap_bytes == 2_500_000_000
    assert init_integration.runtime_data.settings.events_visible is False


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
