"""Panel websocket commands for clips: list (paginated, newest first), manifest, delete."""

from __future__ import annotations

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
from .websocket_account import ws_runtime

MAX_PAGE = 500
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


@websocket_api.websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/clips/list",
        vol.Optional("device_id"): str,
        vol.Optional("camera_id"): str,
        vol.Optional("start_ms"): int,
        vol.Optional("end_ms"): int,
        vol.Optional("event"): str,
        vol.Optional("limit", default=50): vol.All(int, vol.Range(min=1, max=MAX_PAGE)),
        vol.Optional("before"): {vol.Required("start_ms"): int, vol.Required("clip_id"): CLIP_ID},
    }
)
@websocket_api.async_response
async def ws_clips_list(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is None:
        return
    before = msg.get("before")
    query = ClipQuery(
        device_id=msg.get("device_id"),
        camera_id=msg.get("camera_id"),
        start_ms=msg.get("start_ms"),
        end_ms=msg.get("end_ms"),
        event=msg.get("event"),
        limit=msg["limit"],
        before=None if before is None else (before["start_ms"], before["clip_id"]),
    )
    rows = await hass.async_add_executor_job(runtime.index.query, query)
    cursor = None
    if len(rows) == query.limit:
        cursor = {"start_ms": rows[-1].start_ms, "clip_id": rows[-1].clip_id}
    connection.send_result(msg["id"], {"clips": [clip_json(r) for r in rows], "next": cursor})


def _manifest(runtime: E2eeRuntimeData, clip_id: str) -> dict[str, Any] | None:
    row = runtime.index.get(clip_id)
    if row is None:
        return None
    raw = runtime.objects.read(row.rel_dir, clip_id, "manifest")
    certs = runtime.agents.device_certs(row.device_id)
    return {
        "clip": clip_json(row),
        "manifest": raw.decode("utf-8"),
        # Protocol encoding (unpadded base64url), like every other binary field the panel reads.
        "device_cert": b64encode(certs[0]) if certs else None,
    }


@websocket_api.websocket_command(
    {vol.Required("type"): f"{DOMAIN}/clips/manifest", vol.Required("clip_id"): CLIP_ID}
)
@websocket_api.async_response
async def ws_clips_manifest(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is None:
        return
    try:
        found = await hass.async_add_executor_job(_manifest, runtime, msg["clip_id"])
    except StorageUnavailable as err:
        connection.send_error(msg["id"], STORAGE_UNAVAILABLE, f"clip storage unavailable: {err}")
        return
    except ObjectMissing:
        found = None
    if found is None:
        connection.send_error(msg["id"], "not_found", "no such clip")
        return
    connection.send_result(msg["id"], found)


def _delete(runtime: E2eeRuntimeData, clip_ids: list[str]) -> int:
    rows = [row for c in clip_ids if (row := runtime.index.get(c)) is not None]
    return delete_rows(runtime, rows)


@websocket_api.websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/clips/delete",
        vol.Required("clip_ids"): vol.All([CLIP_ID], vol.Length(min=1, max=MAX_PAGE)),
    }
)
@websocket_api.require_admin
@websocket_api.async_response
async def ws_clips_delete(
    hass: HomeAssistant, connection: websocket_api.ActiveConnection, msg: dict[str, Any]
) -> None:
    if (runtime := ws_runtime(connection, msg, hass)) is None:
        return
    try:
        deleted = await hass.async_add_executor_job(_delete, runtime, msg["clip_ids"])
    except DeletionIncomplete as err:
        # delete_rows put the clips it could not delete back in the index: nothing is lost.
        runtime.clips_changed()
        connection.send_error(msg["id"], STORAGE_UNAVAILABLE, f"clip storage unavailable: {err}")
        return
    runtime.clips_changed()
    connection.send_result(msg["id"], {"deleted": deleted})


@callback
def async_register(hass: HomeAssistant) -> None:
    for handler in (ws_clips_list, ws_clips_manifest, ws_clips_delete):
        websocket_api.async_register_command(hass, handler)
