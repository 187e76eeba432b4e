"""Media source: clips in HA's media browser by camera and day, each linking to the panel.

HA's own players cannot play these clips: the store holds only ciphertext, and only an enrolled
browser can unwrap a clip key. So a clip resolves to the E2EE NVR panel's player
(`/e2ee-nvr?clip=<id>`), which decrypts it in the browser, and every title says so. There are
no thumbnails: they are encrypted too.

Clip titles come from the signed manifest the integration verified at upload and stored beside
the clip (camera, start, duration, visible events), not from the index row: the row is HA's own
unsigned copy, and a relabelled row (another camera or day) is shown as the disagreement it is.

Identifiers: "" (cameras) -> "<device_id>:<camera_id>" (days, UTC as stored) ->
"<device_id>:<camera_id>/<YYYY-MM-DD>" (clips) -> "clip/<clip_id>" (resolves to the panel).
"""

from __future__ import annotations

import datetime
import hmac
import json

from homeassistant.components.media_player import MediaClass, MediaType
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .clip_index import ClipQuery, ClipRow
from .clip_store import CAMERA_ID_RE, CLIP_ID_RE, DEVICE_ID_RE
from .const import DOMAIN, PANEL_URL_PATH
from .ingest import manifest_digest
from .protocol.envelope import SignedEnvelope
from .protocol.errors import ProtocolError
from .protocol.manifest import ClipManifest, parse_manifest
from .runtime import E2eeRuntimeData, camera_key, runtime_data

TITLE = "E2EE NVR"
PLAY_NOTE = "plays in the E2EE NVR panel"
MAX_CLIPS_PER_DAY = 5000
CLIP_PREFIX = "clip/"
PANEL_MIME_TYPE = "text/html"


async def async_get_media_source(hass: HomeAssistant) -> MediaSource:
    return E2eeMediaSource(hass)


def panel_url(clip_id: str) -> str:
    return f"/{PANEL_URL_PATH}?clip={clip_id}"


def _node(identifier: str, title: str, children: list[BrowseMediaSource]) -> BrowseMediaSource:
    return BrowseMediaSource(
        domain=DOMAIN,
        identifier=identifier,
        media_class=MediaClass.DIRECTORY,
        media_content_type=MediaType.VIDEO,
        title=title,
        can_play=False,
        can_expand=True,
        children=children,
        children_media_class=MediaClass.VIDEO if "/" in identifier else MediaClass.DIRECTORY,
    )


def _camera_names(runtime: E2eeRuntimeData) -> dict[str, str]:
    """Names of every camera ever paired (unpaired cameras' clips stay browsable)."""
    return {
        camera_key(r.device_id, c.camera_id): f"{c.name} ({r.agent_name})"
        for r in runtime.agents.records()
        for c in r.cameras
    }


def _parse_camera(key: str) -> tuple[str, str]:
    device_id, _, camera_id = key.partition(":")
    if not DEVICE_ID_RE.fullmatch(device_id) or not CAMERA_ID_RE.fullmatch(camera_id):
        raise Unresolvable(f"unknown camera {key!r}")
    return device_id, camera_id


UNVERIFIED_NOTE = "no verified manifest: do not trust"


def _stored_manifest(runtime: E2eeRuntimeData, row: ClipRow) -> ClipManifest | None:
    """The manifest ingest verified for this clip: the stored bytes whose digest ingest recorded
    (any other file was not the one verified), parsed from its signed payload. None otherwise."""
    try:
        raw = runtime.objects.read(row.rel_dir, row.clip_id, "manifest")
        if not hmac.compare_digest(manifest_digest(raw), row.manifest_sha256):
            return None
        manifest = parse_manifest(SignedEnvelope.from_json(json.loads(raw)).payload)
    except (OSError, ValueError, LookupError, ProtocolError):
        # Unreadable, missing (ObjectMissing is a LookupError), or the bucket is down
        # (StorageUnavailable is an OSError): the title says it is unverified.
        return None
    return manifest if manifest.clip_id == row.clip_id else None


def _clip_title(row: ClipRow, manifest: ClipManifest | None) -> str:
    if manifest is None:
        return f"{row.clip_id[:8]} ({UNVERIFIED_NOTE}) - {PLAY_NOTE}"
    start = dt_util.as_local(dt_util.utc_from_timestamp(manifest.start_ms / 1000))
    seconds = max(0, round((manifest.end_ms - manifest.start_ms) / 1000))
    events = f", {', '.join(manifest.visible_events)}" if manifest.visible_events else ""
    # Filed under another camera than the one that signed it: say so rather than relabel.
    signed_by = (
        f"signed by camera {manifest.camera_id}, not {row.camera_id}: "
        if manifest.camera_id != row.camera_id or manifest.device_id != row.device_id
        else ""
    )
    return f"{signed_by}{start:%H:%M:%S} ({seconds} s{events}) - {PLAY_NOTE}"


class E2eeMediaSource(MediaSource):
    """Browse stored clips; resolve one to the panel's player."""

    name = TITLE

    def __init__(self, hass: HomeAssistant) -> None:
        super().__init__(DOMAIN)
        self.hass = hass

    def _runtime(self) -> E2eeRuntimeData:
        runtime = runtime_data(self.hass)
        if runtime is None:
            raise Unresolvable("the E2EE NVR integration is not loaded")
        return runtime

    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        clip_id = item.identifier.removeprefix(CLIP_PREFIX)
        if not item.identifier.startswith(CLIP_PREFIX) or not CLIP_ID_RE.fullmatch(clip_id):
            raise Unresolvable(f"not a clip: {item.identifier!r}")
        runtime = self._runtime()
        if await self.hass.async_add_executor_job(runtime.index.get, clip_id) is None:
            raise Unresolvable(f"no clip {clip_id}")
        return PlayMedia(url=panel_url(clip_id), mime_type=PANEL_MIME_TYPE)

    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        runtime = self._runtime()
        key, _, day = (item.identifier or "").partition("/")
        if not key:
            return await self.hass.async_add_executor_job(self._cameras, runtime)
        device_id, camera_id = _parse_camera(key)
        if not day:
            return await self.hass.async_add_executor_job(self._days, runtime, device_id, camera_id)
        try:
            start = datetime.datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=datetime.UTC)
        except ValueError as err:
            raise Unresolvable(f"not a day: {day!r}") from err
        return await self.hass.async_add_executor_job(
            self._clips, runtime, device_id, camera_id, start
        )

    def _cameras(self, runtime: E2eeRuntimeData) -> BrowseMediaSource:
        names = _camera_names(runtime)
        keys = sorted(camera_key(d, c) for d, c, _count, _last in runtime.index.cameras())
        children = [_node(key, names.get(key, key.partition(":")[2]), []) for key in keys]
        return _node("", f"{TITLE} (encrypted clips: {PLAY_NOTE})", children)

    def _days(self, runtime: E2eeRuntimeData, device_id: str, camera_id: str) -> BrowseMediaSource:
        # From the index, not a folder listing: a bucket has no folders to list.
        days = runtime.index.days(device_id, camera_id)
        key = camera_key(device_id, camera_id)
        title = _camera_names(runtime).get(key, camera_id)
        return _node(key, title, [_node(f"{key}/{d}", f"{d} (UTC)", []) for d in days])

    def _clips(
        self, runtime: E2eeRuntimeData, device_id: str, camera_id: str, start: datetime.datetime
    ) -> BrowseMediaSource:
        day = start.date().isoformat()
        start_ms = int(start.timestamp() * 1000)
        rows = runtime.index.query(
            ClipQuery(
                device_id=device_id,
                camera_id=camera_id,
                start_ms=start_ms,
                end_ms=start_ms + 86_400_000,
                limit=MAX_CLIPS_PER_DAY,
            )
        )
        children = [
            BrowseMediaSource(
                domain=DOMAIN,
                identifier=f"{CLIP_PREFIX}{row.clip_id}",
                media_class=MediaClass.VIDEO,
                media_content_type=PANEL_MIME_TYPE,
                title=_clip_title(row, _stored_manifest(runtime, row)),
                can_play=True,
                can_expand=False,
                thumbnail=None,
            )
            for row in rows
        ]
        key = camera_key(device_id, camera_id)
        title = f"{_camera_names(runtime).get(key, camera_id)}: {day} (UTC)"
        return _node(f"{key}/{day}", title, children)
