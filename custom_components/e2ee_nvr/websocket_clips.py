"""Panel websocket commands for clips: list (paginated, newest first), manifest(s), delete."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import voluptuous as vol
from homeassistant.components import websocket_api
from homeassistant.core import HomeAssistant, callback

from .clip_index import ClipQuery, ClipRow
from .clip_objects import ObjectMissing, StorageUnavailable
from .clip_store import CLIP_ID_RE
from .const import DOMAIN
from .protocol.encoding import b64encode
from .retention import DeletionIncomplete, delete_rows
from .runtime import E2eeRuntimeData
from .websocket_runtime import PanelCall, runtime_command

MAX_PAGE = 500
# Clips per `clips/manifests` call: a day of 1-minute clips is 1,440, so the panel asks in
# pages. 200 keeps one answer under ~1 MB for the usual event-details bucket (1 KiB) and
# bounds what one call makes the store read.
MAX_BATCH = 200
# Event details above this are left for the panel to fetch over HTTP (`events: null`), so a
# v1 agent's unpadded details cannot make one answer unbounded; v2 details are at most 16 KiB
# plus the AEAD tag (protocol section 9.3).
MAX_BATCH_EVENTS_BYTES = 1 << 16
# Objects of one `clips/manifests` call read at once (the index and both stores are thread-safe).
BATCH_READERS = 4
# The error the panel shows when the clip store (a bucket) cannot be reached: retry later, as
# the HTTP downloads answer 503 storage_unavailable, not a generic "unknown error".
STORAGE_UNAVAILABLE = "storage_unavailable"
CLIP_ID = vol.All(str, vol.Match(CLIP_ID_RE))


def clip_json(row: ClipRow) -> dict[str, Any]:
    return {
        "clip_id": row.clip_id,
        "device_id": row.device_id,
        "camera_id": row.camera_id,
        "start_ms": row.start_ms,
        "end_ms": row.end_ms,
        "size_bytes": row.size_bytes,
        "events": list(row.events),
        "kinds": list(row.kinds),
    }


@runtime_command(
    {
        vol.Required("type"): f"{DOMAIN}/clips/list",
        vol.Optional("device_id"): str,
        vol.Optional("camera_id"): str,
        vol.Optional("start_ms"): int,
        vol.Optional("end_ms"): int,
        vol.Optional("event"): str,
        vol.Optional("limit", default=50): vol.All(int, vol.Range(min=1, max=MAX_PAGE)),
        vol.Optional("before"): {vol.Required("start_ms"): int, vol.Required("clip_id"): CLIP_ID},
    },
    admin=False,
)
async def ws_clips_list(call: PanelCall) -> None:
    before = call.msg.get("before")
    query = ClipQuery(
        device_id=call.msg.get("device_id"),
        camera_id=call.msg.get("camera_id"),
        start_ms=call.msg.get("start_ms"),
        end_ms=call.msg.get("end_ms"),
        event=call.msg.get("event"),
        limit=call.msg["limit"],
        before=None if before is None else (before["start_ms"], before["clip_id"]),
    )
    rows = await call.hass.async_add_executor_job(call.runtime.index.query, query)
    cursor = None
    if len(rows) == query.limit:
        cursor = {"start_ms": rows[-1].start_ms, "clip_id": rows[-1].clip_id}
    call.result({"clips": [clip_json(r) for r in rows], "next": cursor})


def _manifest(runtime: E2eeRuntimeData, clip_id: str) -> dict[str, Any] | None:
    row = runtime.index.get(clip_id)
    try:
        return None if row is None else _manifest_of(runtime, row)
    except ObjectMissing:
        return None


def _manifest_of(runtime: E2eeRuntimeData, row: ClipRow) -> dict[str, Any]:
    raw = runtime.objects.read(row.rel_dir, row.clip_id, "manifest")
    certs = runtime.agents.device_certs(row.device_id)
    return {
        "clip": clip_json(row),
        "manifest": raw.decode("utf-8"),
        # Protocol encoding (unpadded base64url), like every other binary field the panel reads.
        "device_cert": b64encode(certs[0]) if certs else None,
    }


def _events(runtime: E2eeRuntimeData, row: ClipRow) -> str | None:
    """The clip's encrypted event details as stored (ciphertext), or None when HTTP serves it."""
    if "events" not in row.kinds:
        return None
    try:
        raw = runtime.objects.read(row.rel_dir, row.clip_id, "events")
    except ObjectMissing:
        return None
    return b64encode(raw) if len(raw) <= MAX_BATCH_EVENTS_BYTES else None


def _batch_entry(runtime: E2eeRuntimeData, clip_id: str) -> dict[str, Any] | None:
    row = runtime.index.get(clip_id)
    if row is None:
        return None
    try:
        return {**_manifest_of(runtime, row), "events": _events(runtime, row)}
    except ObjectMissing:  # deleted by retention since the panel listed it
        return None


def _manifests(runtime: E2eeRuntimeData, clip_ids: list[str]) -> dict[str, Any]:
    """Each clip's `clips/manifest` answer plus its encrypted event details; the rest unknown.

    Only what HA already serves one clip at a time, in one answer: the signed manifest, the
    device certificate and ciphertext. The panel verifies each entry as it does a single one.
    A bucket answers each object in a round trip, so BATCH_READERS are read at once, as the
    panel's single calls were; the first StorageUnavailable fails the call, and the reads not
    started are cancelled (a bucket that is down is not asked 400 times).
    """
    asked = list(dict.fromkeys(clip_ids))  # each id once, in the order asked
    pool = ThreadPoolExecutor(max_workers=BATCH_READERS, thread_name_prefix="e2ee_nvr_batch")
    try:
        entries = list(pool.map(lambda clip_id: _batch_entry(runtime, clip_id), asked))
    finally:
        pool.shutdown(cancel_futures=True)
    return {
        "clips": [entry for entry in entries if entry is not None],
        "unknown": [c for c, entry in zip(asked, entries, strict=True) if entry is None],
    }


async def _answer_from_store(call: PanelCall, read: Callable[[], dict[str, Any] | None]) -> None:
    """Answer with what `read` (blocking: run in the executor) finds in the clip store:
    `storage_unavailable` when the store cannot be reached, `not_found` for None."""
    try:
        found = await call.hass.async_add_executor_job(read)
    except StorageUnavailable as err:
        call.error(STORAGE_UNAVAILABLE, f"clip storage unavailable: {err}")
        return
    if found is None:
        call.error("not_found", "no such clip")
        return
    call.result(found)


@runtime_command(
    {vol.Required("type"): f"{DOMAIN}/clips/manifest", vol.Required("clip_id"): CLIP_ID},
    admin=False,
)
async def ws_clips_manifest(call: PanelCall) -> None:
    await _answer_from_store(call, lambda: _manifest(call.runtime, call.msg["clip_id"]))


@runtime_command(
    {
        vol.Required("type"): f"{DOMAIN}/clips/manifests",
        vol.Required("clip_ids"): vol.All(
            [CLIP_ID],
            vol.Length(min=1, max=MAX_BATCH, msg=f"between 1 and {MAX_BATCH} clip ids per call"),
        ),
    },
    # As clips/manifest: reading ciphertext and public keys is open to any signed-in user.
    admin=False,
)
async def ws_clips_manifests(call: PanelCall) -> None:
    await _answer_from_store(call, lambda: _manifests(call.runtime, call.msg["clip_ids"]))


def _delete(runtime: E2eeRuntimeData, clip_ids: list[str]) -> int:
    rows = [row for c in clip_ids if (row := runtime.index.get(c)) is not None]
    return delete_rows(runtime, rows)


@runtime_command(
    {
        vol.Required("type"): f"{DOMAIN}/clips/delete",
        vol.Required("clip_ids"): vol.All([CLIP_ID], vol.Length(min=1, max=MAX_PAGE)),
    },
    admin=True,
)
async def ws_clips_delete(call: PanelCall) -> None:
    try:
        deleted = await call.hass.async_add_executor_job(
            _delete, call.runtime, call.msg["clip_ids"]
        )
    except DeletionIncomplete as err:
        # delete_rows put the clips it could not delete back in the index: nothing is lost.
        call.runtime.clips_changed()
        call.error(STORAGE_UNAVAILABLE, f"clip storage unavailable: {err}")
        return
    call.runtime.clips_changed()
    call.result({"deleted": deleted})


@callback
def async_register(hass: HomeAssistant) -> None:
    for handler in (ws_clips_list, ws_clips_manifest, ws_clips_manifests, ws_clips_delete):
        websocket_api.async_register_command(hass, handler)
