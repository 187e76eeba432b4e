"""Actions: delete clips (by camera, age or id) and export the archive `recover` reads.

Both are registered once in async_setup and find the loaded entry at call time; while no
entry is loaded they raise ServiceValidationError, as HA's action-setup rule asks. Both are
admin-only (they delete or copy every clip), and export keeps one archive at a time
(archive_export.py).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

import voluptuous as vol
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError, Unauthorized, UnknownUser
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from .archive_export import ArchiveExporter
from .clip_index import ClipQuery, ClipRow
from .clip_store import CLIP_ID_RE
from .const import DOMAIN, SERVICE_DELETE_CLIPS, SERVICE_EXPORT_ARCHIVE
from .retention import BATCH, delete_rows
from .runtime import E2eeRuntimeData, runtime_data

ATTR_CAMERA = "camera"
ATTR_BEFORE = "before"
ATTR_CLIP_IDS = "clip_ids"
ATTR_PATH = "path"
ATTR_INCLUDE_CLIPS = "include_clips"

DELETE_SCHEMA = vol.All(
    vol.Schema(
        {
            vol.Optional(ATTR_CAMERA): cv.string,
            vol.Optional(ATTR_BEFORE): cv.datetime,
            vol.Optional(ATTR_CLIP_IDS): vol.All(
                cv.ensure_list, [vol.All(cv.string, vol.Match(CLIP_ID_RE))]
            ),
        }
    ),
    cv.has_at_least_one_key(ATTR_CAMERA, ATTR_BEFORE, ATTR_CLIP_IDS),
)
EXPORT_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_PATH): cv.string,
        vol.Optional(ATTR_INCLUDE_CLIPS, default=True): cv.boolean,
    }
)


def _error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _runtime(hass: HomeAssistant) -> E2eeRuntimeData:
    runtime = runtime_data(hass)
    if runtime is None:
        raise _error("not_loaded")
    return runtime


def _camera(hass: HomeAssistant, device_id: str) -> tuple[str, str]:
    """The (agent key id, camera id) of a camera device in HA's device registry."""
    device = dr.async_get(hass).async_get(device_id)
    for domain, ident in () if device is None else device.identifiers:
        agent, _, camera = ident.partition(":")
        if domain == DOMAIN and camera:
            return agent, camera
    raise _error("unknown_camera", camera=device_id)


# ---------------------------------------------------------------------------- delete_clips
def _rows_to_delete(
    runtime: E2eeRuntimeData,
    camera: tuple[str, str] | None,
    before_ms: int | None,
    clip_ids: list[str] | None,
) -> list[ClipRow]:
    """Clips matching every criterion given (camera AND before AND ids)."""
    if clip_ids is not None:
        rows = [row for c in clip_ids if (row := runtime.index.get(c)) is not None]
        return [
            r
            for r in rows
            if (camera is None or (r.device_id, r.camera_id) == camera)
            and (before_ms is None or r.start_ms < before_ms)
        ]
    device_id, camera_id = camera if camera is not None else (None, None)
    rows, cursor = [], None
    while page := runtime.index.query(
        ClipQuery(
            device_id=device_id, camera_id=camera_id, end_ms=before_ms, limit=BATCH, before=cursor
        )
    ):
        rows += page
        cursor = (page[-1].start_ms, page[-1].clip_id)
    return rows


def _delete(runtime: E2eeRuntimeData, *criteria: Any) -> int:
    return delete_rows(runtime, _rows_to_delete(runtime, *criteria))


async def _async_delete_clips(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    runtime = _runtime(hass)
    camera = _camera(hass, call.data[ATTR_CAMERA]) if ATTR_CAMERA in call.data else None
    before: datetime | None = call.data.get(ATTR_BEFORE)
    # A time without a zone is HA's local time, as the datetime selector sends it.
    before_ms = None if before is None else int(dt_util.as_utc(before).timestamp() * 1000)
    deleted = await hass.async_add_executor_job(
        _delete, runtime, camera, before_ms, call.data.get(ATTR_CLIP_IDS)
    )
    runtime.clips_changed()
    return {"deleted": deleted}


# ---------------------------------------------------------------------------- export_archive
async def _async_export_archive(call: ServiceCall) -> ServiceResponse:
    runtime = _runtime(call.hass)
    return await ArchiveExporter.of(call.hass).async_export(
        runtime, call.data[ATTR_PATH], call.data[ATTR_INCLUDE_CLIPS]
    )


# ---------------------------------------------------------------------------- admin check
def _admin_only(
    handler: Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]],
) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    """Refuse a call from a user who is not an admin, as HA's admin services do.

    Both actions destroy or copy every clip, like the panel's admin-only delete. HA's own
    async_register_admin_service cannot return a response on HA 2025.4, so its check is
    repeated here. A call without a user (an automation or script an admin wrote) passes.
    """

    async def checked(call: ServiceCall) -> ServiceResponse:
        if call.context.user_id:
            user = await call.hass.auth.async_get_user(call.context.user_id)
            if user is None:
                raise UnknownUser(context=call.context)
            if not user.is_admin:
                raise Unauthorized(context=call.context)
        return await handler(call)

    return checked


@callback
def async_register(hass: HomeAssistant) -> None:
    for service, handler, schema in (
        (SERVICE_DELETE_CLIPS, _async_delete_clips, DELETE_SCHEMA),
        (SERVICE_EXPORT_ARCHIVE, _async_export_archive, EXPORT_SCHEMA),
    ):
        hass.services.async_register(
            DOMAIN,
            service,
            _admin_only(handler),
            schema=schema,
            supports_response=SupportsResponse.OPTIONAL,
        )
