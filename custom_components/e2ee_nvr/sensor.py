"""Sensor platform: when each camera's newest stored clip started (timestamp)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import CameraStatus
from .entity import E2eeCameraEntity
from .platform_setup import add_camera_entities
from .runtime import E2eeConfigEntry

# Push only: nothing to throttle.
PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class E2eeSensorEntityDescription(SensorEntityDescription):
    value_fn: Callable[[CameraStatus], datetime | None]


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
    coordinator = entry.runtime_data.coordinator
    add_camera_entities(
        coordinator,
        async_add_entities,
        lambda camera: [E2eeSensor(coordinator, camera, d) for d in SENSORS],
    )


class E2eeSensor(E2eeCameraEntity, SensorEntity):
    entity_description: E2eeSensorEntityDescription

    @property
    def native_value(self) -> datetime | None:
        camera = self.camera
        return None if camera is None else self.entity_description.value_fn(camera)
