"""The one base entity: a camera's entity, on the camera's device, fed by the coordinator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import MANUFACTURER, CameraStatus, NvrCoordinator


@dataclass(frozen=True, kw_only=True)
class CameraValueFn[T]:
    """The part of a platform's entity description that reads its state from the camera."""

    value_fn: Callable[[CameraStatus], T]


class E2eeCameraEntity(CoordinatorEntity[NvrCoordinator]):
    """An entity of one paired camera; unique id `<agent key id>:<camera id>:<key>`."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: NvrCoordinator, camera: CameraStatus, description: EntityDescription
    ) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        self.camera_key = camera.key
        self._attr_unique_id = f"{camera.key}:{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, camera.key)},
            manufacturer=MANUFACTURER,
            model="Camera",
            name=camera.name,
            via_device=(DOMAIN, camera.device_id),
        )

    @property
    def camera(self) -> CameraStatus | None:
        """The camera's current status; None once it is unpaired (the entity is being removed)."""
        return self.coordinator.data.cameras.get(self.camera_key)

    @property
    def available(self) -> bool:
        return super().available and self.camera is not None

    def camera_value[T](self, value_fn: Callable[[CameraStatus], T]) -> T | None:
        """`value_fn` of the camera's status; None once the camera is gone."""
        camera = self.camera
        return None if camera is None else value_fn(camera)
