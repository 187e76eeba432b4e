"""Binary sensor platform: is the camera's agent calling in (a heartbeat in the last 5 minutes)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import CameraValueFn, E2eeCameraEntity
from .platform_setup import add_described_entities
from .runtime import E2eeConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class E2eeBinarySensorEntityDescription(BinarySensorEntityDescription, CameraValueFn[bool]):
    """A description whose state `value_fn` reads from the camera's status."""


BINARY_SENSORS: tuple[E2eeBinarySensorEntityDescription, ...] = (
    E2eeBinarySensorEntityDescription(
        key="agent_connectivity",
        translation_key="agent_connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda camera: camera.connected,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant, entry: E2eeConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    add_described_entities(entry, async_add_entities, E2eeBinarySensor, BINARY_SENSORS)


class E2eeBinarySensor(E2eeCameraEntity, BinarySensorEntity):
    entity_description: E2eeBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        return self.camera_value(self.entity_description.value_fn)
