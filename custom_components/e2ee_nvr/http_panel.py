"""Ciphertext downloads for the panel: authenticated HA users only, with HTTP Range.

The store serves bytes it cannot read; the browser verifies the manifest and decrypts chunk by
chunk, so a Range request for chunk i returns exactly the bytes section 9.2 places there. From
the media folder aiohttp's FileResponse serves the file; from a bucket the same answer (200 or
206 with Content-Range, 416 outside the object) is streamed piece by piece from a ranged GET,
so a clip never sits in memory whichever store holds it.
"""

from __future__ import annotations

from collections.abc import Iterator

from aiohttp import web
from homeassistant.components.http import KEY_HASS, HomeAssistantView

from .clip_index import ClipRow
from .clip_objects import FolderClipObjects, ObjectMissing, StorageUnavailable
from .clip_store import UnsafePath, check_clip_id, check_kind
from .runtime import E2eeRuntimeData, runtime_data

HEADERS = {"Cache-Control": "private, no-store", "Accept-Ranges": "bytes"}


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
        content_type = "application/json" if kind == "manifest" else "application/octet-stream"
        objects = runtime.objects
        if isinstance(objects, FolderClipObjects):
            # FileResponse answers Range requests (206, Content-Range) and streams from disk.
            path = objects.path(row.rel_dir, clip_id, kind)
            return web.FileResponse(path, headers={**HEADERS, "Content-Type": content_type})
        try:
            return await _stream(request, runtime, row, kind, content_type)
        except ObjectMissing:
            return web.json_response({"error": "not_found"}, status=404)
        except StorageUnavailable as err:
            return web.json_response(
                {"error": "storage_unavailable", "message": str(err)}, status=503
            )


def _requested(request: web.Request, size: int) -> tuple[int, int] | None:
    """The [start, end) a Range header asks for, the whole object without one; None if
    unsatisfiable. aiohttp parses the header (one range; suffix ranges included)."""
    try:
        wanted = request.http_range
    except ValueError:
        return None
    start = wanted.start if wanted.start is not None else 0
    stop = size if wanted.stop is None else min(wanted.stop, size)
    if start < 0:
        start = max(0, size + start)
    if start >= size or stop <= start:
        return None if size else (0, 0)
    return start, stop


async def _stream(
    request: web.Request, runtime: E2eeRuntimeData, row: ClipRow, kind: str, content_type: str
) -> web.StreamResponse:
    job = runtime.hass.async_add_executor_job
    size = await job(runtime.objects.size, row.rel_dir, row.clip_id, kind)
    span = _requested(request, size)
    if span is None:
        return web.Response(status=416, headers={**HEADERS, "Content-Range": f"bytes */{size}"})
    start, stop = span
    partial = request.headers.get("Range") is not None
    response = web.StreamResponse(status=206 if partial else 200, headers=HEADERS)
    response.content_type = content_type
    response.content_length = stop - start
    if partial:
        response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    pieces: Iterator[bytes] = await job(
        runtime.objects.read_range, row.rel_dir, row.clip_id, kind, start, stop
    )
    try:
        await response.prepare(request)
        while piece := await job(next, pieces, b""):
            await response.write(piece)
        await response.write_eof()
    finally:
        # A viewer that seeks or leaves mid-object must not leave the bucket's connection
        # half-read in the client's pool.
        await job(_close, pieces)
    return response


def _close(pieces: Iterator[bytes]) -> None:
    close = getattr(pieces, "close", None)
    if close is not None:
        close()
