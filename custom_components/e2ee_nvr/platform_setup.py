"""Adding entities for cameras as they are paired, without reloading the entry."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import callback
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import CameraStatus, NvrCoordinator
from .runtime import E2eeConfigEntry


@callback
def add_camera_entities(
    coordinator: NvrCoordinator,
    async_add_entities: AddConfigEntryEntitiesCallback,
    make: Callable[[CameraStatus], Iterable[Entity]],
) -> None:
    """Add `make(camera)` for every camera now, and for each newly paired one later."""
    known: set[str] = set()

    @callback
    def _add_new() -> None:
        new = [c for key, c in coordinator.data.cameras.items() if key not in known]
        known.update(c.key for c in new)
        entities = [entity for camera in new for entity in make(camera)]
        if entities:
            async_add_entities(entities)

    _add_new()
    coordinator.config_entry.async_on_unload(coordinator.async_add_listener(_add_new))


@callback
def add_described_entities[D: EntityDescription](
    entry: E2eeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entity: Callable[[NvrCoordinator, CameraStatus, D], Entity],
    descriptions: Iterable[D],
) -> None:
    """One `entity(coordinator, camera, description)` per camera and description."""
    coordinator = entry.runtime_data.coordinator
    add_camera_entities(
        coordinator,
        async_add_entities,
        lambda camera: [entity(coordinator, camera, d) for d in descriptions],
    )
