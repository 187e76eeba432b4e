"""Event platform: one event per stored clip, typed by its visible event kind when allowed.

With event types hidden from HA (the owner's choice in the options), every clip is just
`clip_recorded`; otherwise the most specific visible kind of the clip (person before motion,
...) is the event type, and every visible kind is listed in the `events` attribute.
"""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .clip_index import ClipRow
from .const import (
    EVENT_CLIP_RECORDED,
    EVENT_KINDS_BY_PRIORITY,
    EVENT_OTHER,
    SIGNAL_CLIP_COMMITTED,
)
from .coordinator import CameraStatus, NvrCoordinator, ms_to_datetime
from .entity import E2eeCameraEntity
from .platform_setup import add_camera_entities
from .runtime import E2eeConfigEntry, camera_key

PARALLEL_UPDATES = 0

CLIP_EVENT = EventEntityDescription(key="clip", translation_key="clip")


def event_types(events_visible: bool) -> list[str]:
    if not events_visible:
        return [EVENT_CLIP_RECORDED]
    return [EVENT_CLIP_RECORDED, *EVENT_KINDS_BY_PRIORITY, EVENT_OTHER]


def event_type_for(row: ClipRow) -> str:
    """The clip's most specific visible kind; an unknown kind is `other`; none, a recording."""
    for kind in EVENT_KINDS_BY_PRIORITY:
        if kind in row.events:
            return kind
    return EVENT_OTHER if row.events else EVENT_CLIP_RECORDED


async def async_setup_entry(
    hass: HomeAssistant, entry: E2eeConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    coordinator = entry.runtime_data.coordinator
    types = event_types(entry.runtime_data.settings.events_visible)
    add_camera_entities(
        coordinator, async_add_entities, lambda camera: [E2eeClipEvent(coordinator, camera, types)]
    )


class E2eeClipEvent(E2eeCameraEntity, EventEntity):
    """Fires when one of this camera's clips is stored; unavailable while its agent is silent."""

    def __init__(self, coordinator: NvrCoordinator, camera: CameraStatus, types: list[str]) -> None:
        super().__init__(coordinator, camera, CLIP_EVENT)
        self._attr_event_types = types

    @property
    def available(self) -> bool:
        camera = self.camera
        return super().available and camera is not None and camera.connected

    async def async_added_to_hass(self) -> None:
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(self.hass, SIGNAL_CLIP_COMMITTED, self._clip_committed)
        )

    @callback
    def _clip_committed(self, row: ClipRow) -> None:
        if camera_key(row.device_id, row.camera_id) != self.camera_key:
            return
        kind = event_type_for(row) if len(self.event_types) > 1 else EVENT_CLIP_RECORDED
        self._trigger_event(
            kind,
            {
                "clip_id": row.clip_id,
                "start": ms_to_datetime(row.start_ms).isoformat(),
                "end": ms_to_datetime(row.end_ms).isoformat(),
                "events": list(row.events),
            },
        )
        self.async_write_ha_state()
