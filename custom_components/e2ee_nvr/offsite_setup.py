"""Starting the off-site copier for a loaded entry, and telling the user when it falls behind."""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from . import issues
from .backends import offsite_target
from .clip_objects import FolderClipObjects
from .const import (
    CONF_OFFSITE,
    DOMAIN,
    OFFSITE_BEHIND_SECONDS,
    OFFSITE_FOLDER,
    OFFSITE_RETRY_SECONDS,
)
from .offsite import OffsiteCopier, now_ms
from .offsite_queue import OffsiteQueue
from .runtime import E2eeConfigEntry, E2eeRuntimeData
from .s3_objects import S3SettingsError
from .storage_location import FolderError, check_writable, storage_path

SIGNAL_OFFSITE_CHANGED = f"{DOMAIN}_offsite_changed"


def _folder(hass: HomeAssistant, entry: E2eeConfigEntry) -> Path | None:
    offsite = entry.options.get(CONF_OFFSITE) or {}
    if offsite.get("target") != OFFSITE_FOLDER:
        return None
    path = storage_path(hass, offsite["media_dir"], offsite["folder"])
    check_writable(path)
    return path


def _open_queue(runtime: E2eeRuntimeData, name: str) -> OffsiteQueue:
    return OffsiteQueue(runtime.clips.index_path.parent / f"{name}.sqlite3")


async def async_start_offsite(
    hass: HomeAssistant, entry: E2eeConfigEntry, runtime: E2eeRuntimeData
) -> None:
    """Open the queue, queue what is missing and start the copier, if a copy is configured.

    A broken off-site setting must not stop recording: it raises a repair issue instead.
    """
    try:
        folder = await hass.async_add_executor_job(_folder, hass, entry)
        target = offsite_target(entry.options, folder)
    except (FolderError, S3SettingsError, KeyError) as err:
        issues.offsite_unusable(hass, str(err))
        return
    issues.offsite_usable(hass)
    if target is None:
        return
    queue = await hass.async_add_executor_job(_open_queue, runtime, target.queue_name)
    if isinstance(target.objects, FolderClipObjects):
        # A copy killed mid-object leaves its temporary file; the clip itself is still queued.
        await hass.async_add_executor_job(target.objects.remove_partials)
    scratch = runtime.clips.scratch(".offsite-scratch")
    copier = OffsiteCopier(
        hass, runtime.objects, target, queue, scratch, retry_seconds=OFFSITE_RETRY_SECONDS
    )
    runtime.offsite = copier
    await hass.async_add_executor_job(copier.backfill, runtime.index.query)

    @callback
    def _changed() -> None:
        backlog = copier.backlog
        behind = backlog.oldest_queued_ms is not None and (
            now_ms() - backlog.oldest_queued_ms > OFFSITE_BEHIND_SECONDS * 1000
        )
        issues.check_offsite(hass, behind, backlog.clips, copier.last_error)
        async_dispatcher_send(hass, SIGNAL_OFFSITE_CHANGED)

    entry.async_on_unload(copier.add_listener(_changed))
    entry.async_create_background_task(hass, copier.run(), "e2ee_nvr off-site copy")
