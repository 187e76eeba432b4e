"""The E2EE NVR integration: stores end-to-end encrypted camera clips it cannot read."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import ConfigType

from . import issues, services, websocket_account, websocket_clips, websocket_live
from .account_store import AccountStore
from .agents import AgentRegistry
from .backends import primary_objects
from .clip_index import ClipIndex
from .clip_objects import StorageUnavailable
from .clip_store import ClipStore
from .const import CONF_FOLDER, CONF_MEDIA_DIR, DOMAIN, STAGING_MAX_AGE_SECONDS, STORAGE_SUBDIR
from .coordinator import NvrCoordinator
from .http_agent import AGENT_VIEWS
from .http_live import LIVE_AGENT_VIEWS, LiveStreamView
from .http_panel import ClipDownloadView
from .offsite_setup import async_start_offsite
from .panel import async_register_panel, async_remove_panel
from .rebuild import rebuild_index
from .retention import enforce
from .runtime import E2eeConfigEntry, E2eeRuntimeData, Settings
from .s3_objects import S3SettingsError
from .storage_location import FolderError, check_writable, storage_path

__all__ = ["E2eeConfigEntry", "E2eeRuntimeData"]

_LOGGER = logging.getLogger(__name__)
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.EVENT, Platform.SENSOR]
MAINTENANCE_INTERVAL = timedelta(hours=1)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Views and websocket commands exist once; they find the loaded entry at call time."""
    for view in (*AGENT_VIEWS, *LIVE_AGENT_VIEWS):
        hass.http.register_view(view())
    hass.http.register_view(ClipDownloadView())
    hass.http.register_view(LiveStreamView())
    websocket_account.async_register(hass)
    websocket_clips.async_register(hass)
    websocket_live.async_register(hass)
    services.async_register(hass)
    return True


def _trust_folder(hass: HomeAssistant) -> Path:
    return Path(hass.config.path(".storage", STORAGE_SUBDIR))


def _open_stores(
    hass: HomeAssistant, root: Path, index_name: str
) -> tuple[AccountStore, ClipStore, ClipIndex]:
    check_writable(root)
    account = AccountStore(_trust_folder(hass))
    account.load()
    clips = ClipStore(root, index_name)
    clips.ensure()
    clips.clean_staging(STAGING_MAX_AGE_SECONDS)
    return account, clips, ClipIndex(clips.index_path)


async def async_setup_entry(hass: HomeAssistant, entry: E2eeConfigEntry) -> bool:
    try:
        root = storage_path(hass, entry.data[CONF_MEDIA_DIR], entry.data[CONF_FOLDER])
        objects, index_name = primary_objects(entry.options, root)
        account, clips, index = await hass.async_add_executor_job(
            _open_stores, hass, root, index_name
        )
    except (FolderError, S3SettingsError) as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="storage_unusable",
            translation_placeholders={"reason": str(err)},
        ) from err
    agents = AgentRegistry(hass, _trust_folder(hass))
    await agents.async_load()
    settings = Settings.from_entry(entry)
    if not index.existed:
        try:
            count = await hass.async_add_executor_job(
                rebuild_index, objects, index, settings.events_visible
            )
        except StorageUnavailable as err:
            # The index file is left out, so the next start rebuilds again.
            await hass.async_add_executor_job(index.close)
            await hass.async_add_executor_job(clips.index_path.unlink)
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="storage_unreachable",
                translation_placeholders={"reason": str(err)},
            ) from err
        _LOGGER.info("Rebuilt the clip index from %s: %d clips", objects.describe(), count)
    coordinator = NvrCoordinator(hass, entry, agents, clips, index)
    coordinator.async_sync_devices()
    await coordinator.async_config_entry_first_refresh()
    coordinator.async_subscribe()
    runtime = E2eeRuntimeData(
        hass, root, account, agents, clips, index, settings, coordinator, objects
    )
    entry.runtime_data = runtime
    await async_start_offsite(hass, entry, runtime)

    async def _maintain(_now: object = None) -> None:
        if await hass.async_add_executor_job(enforce, runtime):
            runtime.clips_changed()
        await hass.async_add_executor_job(clips.clean_staging, STAGING_MAX_AGE_SECONDS)

    entry.async_on_unload(async_track_time_interval(hass, _maintain, MAINTENANCE_INTERVAL))
    entry.async_on_unload(entry.add_update_listener(_async_update_listener))
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_create_background_task(hass, _maintain(), "e2ee_nvr retention")
    await async_register_panel(hass)
    return True


async def _async_update_listener(hass: HomeAssistant, entry: ConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: E2eeConfigEntry) -> bool:
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        entry.runtime_data.live.shutdown()
        await entry.runtime_data.agents.async_flush()
        await hass.async_add_executor_job(entry.runtime_data.close)
        issues.clear_all(hass)
        async_remove_panel(hass)
    return unloaded


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: E2eeConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user remove only devices whose agent is no longer paired (unpair it first)."""
    active = {r.device_id for r in entry.runtime_data.agents.active()}
    return not any(
        domain == DOMAIN and ident.partition(":")[0] in active
        for domain, ident in device.identifiers
    )
