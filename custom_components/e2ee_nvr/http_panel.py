"""Ciphertext downloads for the panel: authenticated HA users only, with HTTP Range.

The store serves bytes it cannot read; the browser verifies the manifest and decrypts chunk by
chunk, so a Range request for chunk i returns exactly the bytes section 9.2 places there.
"""

from __future__ import annotations

from aiohttp import web
from homeassistant.components.http import KEY_HASS, HomeAssistantView

from .clip_store import UnsafePath, check_clip_id, check_kind
from .runtime import runtime_data


class ClipDownloadView(HomeAssistantView):
    """GET /api/e2ee_nvr/clips/{clip_id}/{kind}: manifest (JSON) or a stream object."""

    url = "/api/e2ee_nvr/clips/{clip_id}/{kind}"
    name = "api:e2ee_nvr:clips:download"
    requires_auth = True

    async def get(self, request: web.Request, clip_id: str, kind: str) -> web.StreamResponse:
        runtime = runtime_data(request.app[KEY_HASS])
        if runtime is None:
            return web.json_response({"error": "not_loaded"}, status=503)
        try:
            check_clip_id(clip_id)
            if kind != "manifest":
                check_kind(kind)
        except UnsafePath as err:
            return web.json_response({"error": "bad_path", "message": str(err)}, status=400)
        row = await runtime.hass.async_add_executor_job(runtime.index.get, clip_id)
        if row is None or (kind != "manifest" and kind not in row.kinds):
            return web.json_response({"error": "not_found"}, status=404)
        path = runtime.clips.clip_path(row.rel_dir, clip_id, kind)
        content_type = "application/json" if kind == "manifest" else "application/octet-stream"
        # FileResponse answers Range requests (206, Content-Range) and streams from disk.
        return web.FileResponse(
            path, headers={"Content-Type": content_type, "Cache-Control": "private, no-store"}
        )
