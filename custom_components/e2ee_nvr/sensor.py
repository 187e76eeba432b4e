"""Sensor platform: each camera's newest clip (timestamp), and the off-site copy's backlog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .coordinator import MANUFACTURER
from .entity import CameraValueFn, E2eeCameraEntity
from .offsite import OffsiteCopier
from .offsite_setup import SIGNAL_OFFSITE_CHANGED
from .platform_setup import add_described_entities
from .runtime import E2eeConfigEntry

# Push only: nothing to throttle.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class E2eeSensorEntityDescription(SensorEntityDescription, CameraValueFn[datetime | None]):
    """A description whose state `value_fn` reads from the camera's status."""


SENSORS: tuple[E2eeSensorEntityDescription, ...] = (
    E2eeSensorEntityDescription(
        key="last_clip",
        translation_key="last_clip",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda camera: camera.last_clip,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant, entry: E2eeConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    add_described_entities(entry, async_add_entities, E2eeSensor, SENSORS)
    if entry.runtime_data.offsite is not None:
        async_add_entities([OffsiteBacklogSensor(entry, entry.runtime_data.offsite)])


class E2eeSensor(E2eeCameraEntity, SensorEntity):
    entity_description: E2eeSensorEntityDescription

    @property
    def native_value(self) -> datetime | None:
        return self.camera_value(self.entity_description.value_fn)


class OffsiteBacklogSensor(SensorEntity):
    """Clips waiting for their off-site copy; attributes say how many bytes and since when."""

    _attr_has_entity_name = True
    _attr_translation_key = "offsite_backlog"
    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_should_poll = False

    def __init__(self, entry: E2eeConfigEntry, copier: OffsiteCopier) -> None:
        self._copier = copier
        self._attr_unique_id = f"{entry.entry_id}:offsite_backlog"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            manufacturer=MANUFACTURER,
            model="Clip store",
            name="E2EE NVR",
            entry_type=DeviceEntryType.SERVICE,
        )

    async def async_added_to_hass(self) -> None:
        self.async_on_remove(
            async_dispatcher_connect(self.hass, SIGNAL_OFFSITE_CHANGED, self.async_write_ha_state)
        )

    @property
    def native_value(self) -> int:
        return self._copier.backlog.clips

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        backlog = self._copier.backlog
        oldest = backlog.oldest_queued_ms
        return {
            "waiting_bytes": backlog.size_bytes,
            "oldest_waiting_since": None
            if oldest is None
            else dt_util.utc_from_timestamp(oldest / 1000).isoformat(),
            "last_error": self._copier.last_error,
        }
