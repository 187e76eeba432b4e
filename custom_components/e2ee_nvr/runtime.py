"""The integration's live state: stores, index and options, reached via entry.runtime_data."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .account_store import AccountStore
from .agents import AgentRegistry
from .agents import camera_key as camera_key
from .clip_index import ClipIndex, ClipRow
from .clip_locks import ClipLocks
from .clip_objects import ClipObjects
from .clip_store import ClipStore
from .const import (
    CONF_CAMERA_RETENTION,
    CONF_EVENTS_VISIBLE,
    CONF_RETENTION_DAYS,
    CONF_STORAGE_CAP_GB,
    DEFAULT_EVENTS_VISIBLE,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_STORAGE_CAP_GB,
    DOMAIN,
    SIGNAL_AGENTS_CHANGED,
    SIGNAL_CLIP_COMMITTED,
    SIGNAL_CLIPS_CHANGED,
)
from .coordinator import NvrCoordinator
from .live_relay import LiveRelay
from .offsite import OffsiteCopier


@dataclass(frozen=True)
class Settings:
    """The user's choices from the options flow."""

    retention_days: int
    storage_cap_bytes: int
    events_visible: bool
    camera_retention_days: Mapping[str, int] = field(default_factory=dict)

    def retention_for(self, device_id: str, camera_id: str) -> int:
        return self.camera_retention_days.get(camera_key(device_id, camera_id), self.retention_days)

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> Settings:
        options = {**entry.data, **entry.options}
        cap_gb = float(options.get(CONF_STORAGE_CAP_GB, DEFAULT_STORAGE_CAP_GB))
        return cls(
            retention_days=int(options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)),
            storage_cap_bytes=int(cap_gb * 1_000_000_000),
            events_visible=bool(options.get(CONF_EVENTS_VISIBLE, DEFAULT_EVENTS_VISIBLE)),
            camera_retention_days={
                str(k): int(v) for k, v in options.get(CONF_CAMERA_RETENTION, {}).items()
            },
        )


@dataclass
class E2eeRuntimeData:
    """Everything the views, websocket commands and platforms of one entry share."""

    hass: HomeAssistant
    storage_root: Path
    account: AccountStore
    agents: AgentRegistry
    clips: ClipStore
    index: ClipIndex
    settings: Settings
    # Assembled after the coordinator (peblar-style): the coordinator knows nothing of this.
    coordinator: NvrCoordinator
    # Where committed clips live: the media folder (clips.root) or a bucket (clip_objects.py).
    objects: ClipObjects
    # The off-site copy, when one is configured (offsite.py).
    offsite: OffsiteCopier | None = None
    upload_locks: ClipLocks = field(default_factory=ClipLocks)
    # Live view (section 18): in memory only, nothing of it is ever written.
    live: LiveRelay = field(default_factory=LiveRelay)
    # Held by retention runs and by unload's close of the index, so a run that started before
    # an unload never meets a closed database; `closed` tells a later run there is nothing to do.
    index_lock: threading.Lock = field(default_factory=threading.Lock)
    closed: bool = False

    def close(self) -> None:
        """Close the index once no retention run uses it; synchronous, run in an executor."""
        with self.index_lock:
            self.closed = True
            self.index.close()
            if self.offsite is not None:
                self.offsite.queue.close()

    @callback
    def clips_changed(self) -> None:
        async_dispatcher_send(self.hass, SIGNAL_CLIPS_CHANGED)

    @callback
    def clip_committed(self, row: ClipRow) -> None:
        async_dispatcher_send(self.hass, SIGNAL_CLIP_COMMITTED, row)
        self.clips_changed()

    @callback
    def agents_changed(self) -> None:
        async_dispatcher_send(self.hass, SIGNAL_AGENTS_CHANGED)


type E2eeConfigEntry = ConfigEntry[E2eeRuntimeData]


def runtime_data(hass: HomeAssistant) -> E2eeRuntimeData | None:
    """The loaded entry's runtime data (single instance), or None when not loaded."""
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        data: E2eeRuntimeData = entry.runtime_data
        return data
    return None
