"""Actions: delete clips (by camera, age or id) and export the archive `recover` reads.

Both are registered once in async_setup and find the loaded entry at call time; while no
entry is loaded they raise ServiceValidationError, as HA's action-setup rule asks.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import voluptuous as vol
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from .clip_index import ClipQuery, ClipRow
from .clip_objects import ObjectMissing
from .clip_store import CLIP_ID_RE
from .const import CLIP_KINDS, DOMAIN, SERVICE_DELETE_CLIPS, SERVICE_EXPORT_ARCHIVE
from .protocol.archive import AccountExport, ClipFiles, write_archive
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
def _target(hass: HomeAssistant, runtime: E2eeRuntimeData, raw: str) -> Path:
    """The archive's path: absolute, new, in an allowlisted folder, a media folder or the store.

    HA puts its media folders on the allowlist itself; they are named here too so that a
    configuration with a custom allowlist still finds the folder the clips already live in.
    """
    path = Path(raw)
    if not path.is_absolute() or path.name in ("", ".", ".."):
        raise _error("export_path_not_allowed", path=raw)
    parent = path.parent.resolve()
    roots = [Path(d).resolve() for d in hass.config.media_dirs.values()]
    roots.append(runtime.storage_root.resolve())
    inside = any(parent == root or root in parent.parents for root in roots)
    if not (inside or hass.config.is_allowed_path(str(path))):
        raise _error("export_path_not_allowed", path=raw)
    if not parent.is_dir():
        raise _error("export_path_not_allowed", path=raw)
    if path.exists():
        raise _error("export_exists", path=raw)
    return parent / path.name


def _clip_rows(runtime: E2eeRuntimeData) -> list[ClipRow]:
    rows: list[ClipRow] = []
    cursor = None
    while page := runtime.index.query(ClipQuery(limit=BATCH, before=cursor)):
        rows += page
        cursor = (page[-1].start_ms, page[-1].clip_id)
    return list(reversed(rows))


def _clip_files(
    runtime: E2eeRuntimeData, rows: list[ClipRow], scratch: Path
) -> Iterator[ClipFiles]:
    """Each clip's objects as local files, one clip at a time (a bucket's are fetched into
    `scratch` and removed once the archive has them), so an export needs one clip of space."""
    for row in rows:
        with contextlib.ExitStack() as stack:
            clip = ClipFiles(row.clip_id)
            for kind in ("manifest", *(k for k in row.kinds if k in CLIP_KINDS)):
                suffix = "manifest.json" if kind == "manifest" else kind
                clip.sources[suffix] = stack.enter_context(
                    runtime.objects.as_file(row.rel_dir, row.clip_id, kind, scratch)
                )
            yield clip


def _export(
    hass: HomeAssistant, runtime: E2eeRuntimeData, raw_path: str, include_clips: bool
) -> dict[str, Any]:
    state = runtime.account.state
    if state is None:
        raise _error("no_account")
    target = _target(hass, runtime, raw_path)
    export = AccountExport(state.document, tuple(runtime.agents.device_certs()))
    rows = _clip_rows(runtime) if include_clips else []
    clips = _clip_files(runtime, rows, runtime.clips.scratch(".export-scratch"))
    # Written beside the target and renamed when complete: a half-written archive never sits
    # under the name a user would hand to `recover`.
    partial = target.with_name(f".{target.name}.part-{os.getpid()}")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            write_archive(handle, export, clips)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except (OSError, ObjectMissing) as err:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="export_failed",
            translation_placeholders={"reason": str(err)},
        ) from err
    return {"path": str(target), "clips": len(rows), "bytes": target.stat().st_size}


async def _async_export_archive(call: ServiceCall) -> ServiceResponse:
    hass = call.hass
    runtime = _runtime(hass)
    return await hass.async_add_executor_job(
        _export, hass, runtime, call.data[ATTR_PATH], call.data[ATTR_INCLUDE_CLIPS]
    )


@callback
def async_register(hass: HomeAssistant) -> None:
    hass.services.async_register(
        DOMAIN,
        SERVICE_DELETE_CLIPS,
        _async_delete_clips,
        schema=DELETE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_EXPORT_ARCHIVE,
        _async_export_archive,
        schema=EXPORT_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
