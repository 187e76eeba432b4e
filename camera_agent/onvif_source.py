"""ONVIF cameras: discover the stream URI and capabilities, and turn events into clip triggers.

Uses onvif-zeep-async (its WSDLs ship with it, so this works offline). Motion and analytics
notifications arrive through a pull-point subscription; each known topic maps to an event kind
(`motion`, `person`, ...), and the kinds the camera is configured for start and stop recording.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import aiohttp
import zeep.exceptions
from onvif import ONVIFCamera
from onvif.exceptions import ONVIFError

from e2ee_nvr_protocol.clip import ClipEvent

from .capture.cutter import EventTrigger
from .config import OnvifSettings
from .encrypting_sink import EventLog

LOG = logging.getLogger(__name__)
SUBSCRIPTION_SECONDS = 60
PULL_TIMEOUT_SECONDS = 10
PULL_MESSAGE_LIMIT = 50
# Topic -> (event kind, the SimpleItem in Data that says on/off). Vendors differ; these are the
# ONVIF profile-T names and the common Hikvision/Dahua/Reolink analytics rules.
TOPIC_KINDS: dict[str, tuple[str, str]] = {
    "tns1:RuleEngine/CellMotionDetector/Motion": ("motion", "IsMotion"),
    "tns1:VideoSource/MotionAlarm": ("motion", "State"),
    "tns1:RuleEngine/PeopleDetector/People": ("person", "IsPeople"),
    "tns1:RuleEngine/MyRuleDetector/PeopleDetect": ("person", "IsPeople"),
    "tns1:RuleEngine/MyRuleDetector/VehicleDetect": ("vehicle", "IsVehicle"),
    "tns1:RuleEngine/FieldDetector/ObjectsInside": ("intrusion", "IsInside"),
    "tns1:RuleEngine/TamperDetector/Tamper": ("tamper", "IsTamper"),
}
# Continuous recording marks every kind it understands: the marks only say when in the clip
# something happened (encrypted); which kinds HA may see is decided apart (visible kinds).
KNOWN_KINDS: tuple[str, ...] = tuple(sorted({kind for kind, _item in TOPIC_KINDS.values()}))
ONVIF_FAILURES = (ONVIFError, zeep.exceptions.Error, aiohttp.ClientError, TimeoutError, OSError)


class OnvifFailure(RuntimeError):
    """The camera could not be reached or did not answer as ONVIF requires."""


class OnvifAuthRefused(OnvifFailure):
    """The camera refused the username or password (WS-Security digest)."""


@dataclass(frozen=True)
class OnvifDiscovery:
    """What the camera told us about itself."""

    manufacturer: str
    model: str
    stream_uri: str
    snapshot_uri: str | None
    pull_point_events: bool
    video_encoding: str | None


@dataclass(frozen=True)
class CameraEvent:
    """One notification reduced to what recording needs."""

    kind: str
    active: bool
    at_ms: int
    topic: str


def with_credentials(uri: str, username: str, password: str) -> str:
    """Cameras want the ONVIF credentials for RTSP too; GetStreamUri returns them bare."""
    parts = urlsplit(uri)
    if parts.username or not username:
        return uri
    host = parts.hostname or ""
    netloc = f"{quote(username, safe='')}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _simple_items(group: Any) -> dict[str, str]:
    items = getattr(group, "SimpleItem", None) or []
    return {str(item.Name): str(item.Value) for item in items}


def parse_notification(message: Any) -> CameraEvent | None:
    """A pulled NotificationMessage as a CameraEvent, or None for topics we do not use."""
    topic = str(getattr(message.Topic, "_value_1", "") or "").rstrip("/.")
    known = TOPIC_KINDS.get(topic)
    if known is None:
        return None
    kind, item = known
    payload = message.Message._value_1
    value = _simple_items(getattr(payload, "Data", None)).get(item)
    if value is None:
        return None
    stamp = getattr(payload, "UtcTime", None)
    at_ms = int(stamp.timestamp() * 1000) if isinstance(stamp, dt.datetime) else _now_ms()
    return CameraEvent(kind, value.lower() in ("true", "1"), at_ms, topic)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _explain(err: Exception) -> OnvifFailure:
    text = str(err)
    subcodes = " ".join(str(code) for code in getattr(err, "subcodes", None) or [])
    if "NotAuthorized" in subcodes or "not authorized" in text.lower():
        return OnvifAuthRefused(f"the camera refused the ONVIF username or password: {text}")
    return OnvifFailure(f"{type(err).__name__}: {text}")


class OnvifSource:
    """One ONVIF camera, for discovery and for its pull-point event loop."""

    def __init__(self, settings: OnvifSettings) -> None:
        self.settings = settings
        self._camera = ONVIFCamera(
            settings.host,
            settings.port,
            settings.username,
            settings.password,
            no_cache=True,
            adjust_time=True,  # many cameras' clocks drift; the digest carries a timestamp
        )

    async def close(self) -> None:
        await self._camera.close()

    async def device_information(self) -> tuple[str, str]:
        try:
            await self._camera.update_xaddrs()
            devicemgmt = await self._camera.create_devicemgmt_service()
            info = await devicemgmt.GetDeviceInformation()
        except ONVIF_FAILURES as err:
            raise _explain(err) from err
        return str(info.Manufacturer), str(info.Model)

    async def discover(self) -> OnvifDiscovery:
        """Device information, the first profile's RTSP URI, snapshot URI, event support."""
        manufacturer, model = await self.device_information()
        try:
            capabilities = await self._camera.get_capabilities() or {}
            media = await self._camera.create_media_service()
            profiles = await media.GetProfiles()
            if not profiles:
                raise OnvifFailure("the camera has no media profile")
            profile = profiles[0]
            setup = {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}}
            stream = await media.GetStreamUri({"StreamSetup": setup, "ProfileToken": profile.token})
            snapshot_uri = await self._snapshot_uri(media, profile.token)
        except ONVIF_FAILURES as err:
            raise _explain(err) from err
        events = capabilities.get("Events") or {}
        encoder = getattr(profile, "VideoEncoderConfiguration", None)
        return OnvifDiscovery(
            manufacturer=manufacturer,
            model=model,
            stream_uri=with_credentials(
                str(stream.Uri), self.settings.username, self.settings.password
            ),
            snapshot_uri=snapshot_uri,
            pull_point_events=bool(events.get("WSPullPointSupport")),
            video_encoding=None if encoder is None else str(encoder.Encoding),
        )

    async def _snapshot_uri(self, media: Any, token: str) -> str | None:
        try:
            answer = await media.GetSnapshotUri({"ProfileToken": token})
        except zeep.exceptions.Fault:
            return None  # optional in ONVIF; thumbnails come from the stream anyway
        return str(answer.Uri)

    async def pull_events(
        self, on_event: Callable[[CameraEvent], None], stop: Callable[[], bool]
    ) -> None:
        """Subscribe and pull until `stop()`; raises OnvifFailure when the subscription fails."""
        try:
            if not self._camera.xaddrs:
                await self._camera.update_xaddrs()
            manager = await self._camera.create_pullpoint_manager(
                dt.timedelta(seconds=SUBSCRIPTION_SECONDS), lambda: None
            )
        except ONVIF_FAILURES as err:
            raise _explain(err) from err
        try:
            service = manager.get_service()
            while not stop():
                answer = await service.PullMessages(
                    {
                        "MessageLimit": PULL_MESSAGE_LIMIT,
                        "Timeout": dt.timedelta(seconds=PULL_TIMEOUT_SECONDS),
                    }
                )
                for message in getattr(answer, "NotificationMessage", None) or []:
                    event = parse_notification(message)
                    if event is not None:
                        on_event(event)
        except ONVIF_FAILURES as err:
            raise _explain(err) from err
        finally:
            await manager.shutdown()


class EventDispatcher:
    """Camera events -> the clip's encrypted event log, and (event mode) the capture trigger.

    Continuous recording passes no trigger: its clips are cut by length, and the events only
    become marks in whichever clip covers them.
    """

    def __init__(
        self,
        camera_id: str,
        trigger: EventTrigger | None,
        log: EventLog,
        event_types: tuple[str, ...],
    ) -> None:
        self._camera_id = camera_id
        self._trigger = trigger
        self._log = log
        self._wanted = frozenset(event_types)
        self._active: dict[str, ClipEvent] = {}

    def __call__(self, event: CameraEvent) -> None:
        if event.kind not in self._wanted:
            return
        was_active = bool(self._active)
        if event.active and event.kind not in self._active:
            opened = ClipEvent(event.kind, event.at_ms, None, "onvif")
            self._active[event.kind] = opened
            self._log.record(self._camera_id, opened)
            LOG.info("camera %s: %s started", self._camera_id, event.kind)
        elif not event.active and event.kind in self._active:
            opened = self._active.pop(event.kind)
            self._log.close(self._camera_id, opened, event.at_ms)
            LOG.info("camera %s: %s ended", self._camera_id, event.kind)
        if self._trigger is None:
            return
        # Only transitions reach the trigger: overlapping kinds make one recording, not several.
        if self._active and not was_active:
            self._trigger.start()
        elif was_active and not self._active:
            self._trigger.end()
