"""The export_archive action's work: one archive of the account and clips that `recover` reads.

Each export is a full copy of every clip, so repeated calls must not be able to fill the disk:
at most one export runs at a time, an export that would not fit is refused before it starts,
and the action keeps one archive: once a new one is complete, the previous one it wrote is
removed (its path is remembered in HA's Store, so this holds across restarts too).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from .clip_index import ClipQuery, ClipRow
from .clip_objects import ObjectMissing
from .const import CLIP_KINDS, DOMAIN, STORAGE_SUBDIR
from .protocol.archive import AccountExport, ClipFiles, write_archive
from .retention import BATCH
from .runtime import E2eeRuntimeData

STORE_KEY = f"{STORAGE_SUBDIR}/last_export"
STORE_VERSION = 1
# Room kept beyond the clips' own size: the account, tar headers, and some slack.
HEADROOM_BYTES = 64 << 20
EXPORTER: HassKey[ArchiveExporter] = HassKey(f"{DOMAIN}_exporter")


def export_error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


class ArchiveExporter:
    """One per HA instance: serializes exports and remembers the archive it last wrote."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._hass = hass
        self._store: Store[dict[str, str]] = Store(hass, STORE_VERSION, STORE_KEY)
        self._lock = asyncio.Lock()

    @classmethod
    def of(cls, hass: HomeAssistant) -> ArchiveExporter:
        if EXPORTER not in hass.data:
            hass.data[EXPORTER] = cls(hass)
        return hass.data[EXPORTER]

    async def async_export(
        self, runtime: E2eeRuntimeData, raw_path: str, include_clips: bool
    ) -> dict[str, Any]:
        if self._lock.locked():
            raise export_error("export_running")
        async with self._lock:
            stored = await self._store.async_load() or {}
            previous = Path(stored["path"]) if "path" in stored else None
            result = await self._hass.async_add_executor_job(
                _export, self._hass, runtime, raw_path, include_clips, previous
            )
            await self._store.async_save({"path": result["path"]})
            if previous is not None and str(previous) != result["path"]:
                await self._hass.async_add_executor_job(_remove, previous)
            return result


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _target(hass: HomeAssistant, runtime: E2eeRuntimeData, raw: str, previous: Path | None) -> Path:
    """The archive's path: absolute, in an allowlisted folder, a media folder or the store.

    HA puts its media folders on the allowlist itself; they are named here too so that a
    configuration with a custom allowlist still finds the folder the clips already live in.
    The file must be new, unless it is the archive this action wrote last (replaced).
    """
    path = Path(raw)
    if not path.is_absolute() or path.name in ("", ".", ".."):
        raise export_error("export_path_not_allowed", path=raw)
    parent = path.parent.resolve()
    roots = [Path(d).resolve() for d in hass.config.media_dirs.values()]
    roots.append(runtime.storage_root.resolve())
    inside = any(parent == root or root in parent.parents for root in roots)
    if not (inside or hass.config.is_allowed_path(str(path))):
        raise export_error("export_path_not_allowed", path=raw)
    if not parent.is_dir():
        raise export_error("export_path_not_allowed", path=raw)
    target = parent / path.name
    if target.exists() and (
        previous is None or target != previous.parent.resolve() / previous.name
    ):
        raise export_error("export_exists", path=raw)
    return target


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


def _check_space(target: Path, runtime: E2eeRuntimeData, include_clips: bool) -> None:
    needed = (runtime.index.total_bytes() if include_clips else 0) + HEADROOM_BYTES
    free = shutil.disk_usage(target.parent).free
    if free < needed:
        raise export_error("export_no_space", path=str(target), needed=str(needed), free=str(free))


def _export(
    hass: HomeAssistant,
    runtime: E2eeRuntimeData,
    raw_path: str,
    include_clips: bool,
    previous: Path | None,
) -> dict[str, Any]:
    state = runtime.account.state
    if state is None:
        raise export_error("no_account")
    target = _target(hass, runtime, raw_path, previous)
    _check_space(target, runtime, include_clips)
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
        _remove(partial)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="export_failed",
            translation_placeholders={"reason": str(err)},
        ) from err
    return {"path": str(target), "clips": len(rows), "bytes": target.stat().st_size}
