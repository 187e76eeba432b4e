"""What the entities show: per camera its agent's liveness and last clip, kept by push signals.

Nothing is polled from a camera: agents push heartbeats and clips, which arrive here as
dispatcher signals. The coordinator's 30-second tick only re-reads the clock (an agent becomes
silent by *not* calling) and the storage folder's free space, and after deletions the index.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from . import issues
from .agents import AgentRecord, AgentRegistry, camera_key
from .clip_index import ClipIndex, ClipRow
from .clip_store import ClipStore
from .const import (
    AGENT_SILENT_SECONDS,
    DOMAIN,
    LIVENESS_CHECK_SECONDS,
    SIGNAL_AGENTS_CHANGED,
    SIGNAL_CLIP_COMMITTED,
    SIGNAL_CLIPS_CHANGED,
)

_LOGGER = logging.getLogger(__name__)
MANUFACTURER = "E2EE NVR"


@dataclass(frozen=True)
class CameraStatus:
    """One paired camera as its entities see it."""

    device_id: str
    camera_id: str
    name: str
    agent_name: str
    connected: bool
    last_clip: datetime | None

    @property
    def key(self) -> str:
        return camera_key(self.device_id, self.camera_id)


@dataclass(frozen=True)
class NvrSnapshot:
    cameras: dict[str, CameraStatus]
    free_bytes: int


def ms_to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


class NvrCoordinator(DataUpdateCoordinator[NvrSnapshot]):
    """Builds NvrSnapshot from the agent registry, the index and the clock."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        agents: AgentRegistry,
        clips: ClipStore,
        index: ClipIndex,
    ) -> None:
        super().__init__(
            hass,
            _LOGGER,
            config_entry=entry,
            name=DOMAIN,
            update_interval=timedelta(seconds=LIVENESS_CHECK_SECONDS),
            always_update=False,
        )
        self._agents = agents
        self._clips = clips
        self._index = index
        self.started = time.time()
        self._last_ms: dict[str, int] = {}
        self._stats_stale = True
        self._free_bytes = 0
        self._silent: set[str] = set()

    # ------------------------------------------------------------------ signals
    @callback
    def async_subscribe(self) -> None:
        """Follow the push signals until the entry unloads."""
        entry = self.config_entry
        entry.async_on_unload(
            async_dispatcher_connect(self.hass, SIGNAL_AGENTS_CHANGED, self._agents_changed)
        )
        entry.async_on_unload(
            async_dispatcher_connect(self.hass, SIGNAL_CLIP_COMMITTED, self._clip_committed)
        )
        entry.async_on_unload(
            async_dispatcher_connect(self.hass, SIGNAL_CLIPS_CHANGED, self._clips_changed)
        )

    @callback
    def _agents_changed(self) -> None:
        self.async_sync_devices()
        self.async_set_updated_data(self._snapshot())

    @callback
    def _clip_committed(self, row: ClipRow) -> None:
        key = camera_key(row.device_id, row.camera_id)
        self._last_ms[key] = max(self._last_ms.get(key, row.start_ms), row.start_ms)
        self.async_set_updated_data(self._snapshot())

    @callback
    def _clips_changed(self) -> None:
        # Deletions (and retention at a commit) may have removed a camera's newest clip. They
        # are rare and a refresh is one grouped query, so no debouncing.
        self._stats_stale = True
        self.config_entry.async_create_task(self.hass, self.async_refresh())

    # ------------------------------------------------------------------ refresh
    def _read_storage(self, read_stats: bool) -> tuple[int, dict[str, int] | None]:
        stats = None
        if read_stats:
            stats = {camera_key(d, c): last for d, c, _n, last in self._index.cameras()}
        return self._clips.free_bytes(), stats

    async def _async_update_data(self) -> NvrSnapshot:
        read_stats, self._stats_stale = self._stats_stale, False
        free, stats = await self.hass.async_add_executor_job(self._read_storage, read_stats)
        self._free_bytes = free
        if stats is not None:
            self._last_ms = stats
        issues.check_free_space(self.hass, free, self._clips.root)
        self._check_silence()
        # The tick is also when overdue pairing requests expire and old ones are forgotten.
        self._agents.expire(int(time.time()))
        return self._snapshot()

    def _check_silence(self) -> None:
        """Log once when an agent goes silent and once when it is back; keep repairs in step."""
        now = time.time()
        active = {r.device_id: r for r in self._agents.active()}
        for device_id, record in active.items():
            heard = record.last_seen if record.last_seen is not None else self.started
            silent = now - heard > AGENT_SILENT_SECONDS
            if silent and device_id not in self._silent:
                self._silent.add(device_id)
                _LOGGER.warning("Camera agent %s has gone silent", record.agent_name)
                issues.agent_silent(self.hass, record)
            elif not silent and device_id in self._silent:
                self._silent.discard(device_id)
                _LOGGER.info("Camera agent %s is sending heartbeats again", record.agent_name)
                issues.agent_back(self.hass, device_id)
        for device_id in self._silent - active.keys():
            self._silent.discard(device_id)
            issues.agent_back(self.hass, device_id)

    def _snapshot(self) -> NvrSnapshot:
        cameras: dict[str, CameraStatus] = {}
        for record in self._agents.active():
            connected = _connected(record)
            for camera in record.cameras:
                key = camera_key(record.device_id, camera.camera_id)
                last = self._last_ms.get(key)
                cameras[key] = CameraStatus(
                    device_id=record.device_id,
                    camera_id=camera.camera_id,
                    name=camera.name,
                    agent_name=record.agent_name,
                    connected=connected,
                    last_clip=None if last is None else ms_to_datetime(last),
                )
        return NvrSnapshot(cameras, self._free_bytes)

    # ------------------------------------------------------------------ devices
    @callback
    def async_sync_devices(self) -> None:
        """One device per agent and per camera (via its agent); forget unpaired ones."""
        registry = dr.async_get(self.hass)
        entry_id = self.config_entry.entry_id
        # The service device of the store itself (the off-site backlog sensor) stays.
        wanted: set[str] = {entry_id}
        for record in self._agents.active():
            version = (record.heartbeat or {}).get("agent_version")
            registry.async_get_or_create(
                config_entry_id=entry_id,
                identifiers={(DOMAIN, record.device_id)},
                manufacturer=MANUFACTURER,
                model="Camera agent",
                name=record.agent_name,
                sw_version=version if isinstance(version, str) else None,
            )
            wanted.add(record.device_id)
            for camera in record.cameras:
                key = camera_key(record.device_id, camera.camera_id)
                registry.async_get_or_create(
                    config_entry_id=entry_id,
                    identifiers={(DOMAIN, key)},
                    manufacturer=MANUFACTURER,
                    model="Camera",
                    name=camera.name,
                    via_device=(DOMAIN, record.device_id),
                )
                wanted.add(key)
        for device in dr.async_entries_for_config_entry(registry, entry_id):
            if not any(
                domain == DOMAIN and ident in wanted for domain, ident in device.identifiers
            ):
                registry.async_update_device(device.id, remove_config_entry_id=entry_id)


def _connected(record: AgentRecord) -> bool:
    return record.last_seen is not None and time.time() - record.last_seen <= AGENT_SILENT_SECONDS
