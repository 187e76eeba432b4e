"""The integration's live state: stores, index and options, reached via entry.runtime_data."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .account_store import AccountStore
from .agents import AgentRegistry
from .clip_index import ClipIndex
from .clip_store import ClipStore
from .const import (
    CONF_EVENTS_VISIBLE,
    CONF_RETENTION_DAYS,
    CONF_STORAGE_CAP_GB,
    DEFAULT_EVENTS_VISIBLE,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_STORAGE_CAP_GB,
    DOMAIN,
)

SIGNAL_CLIPS_CHANGED = f"{DOMAIN}_clips_changed"
SIGNAL_AGENTS_CHANGED = f"{DOMAIN}_agents_changed"


@dataclass(frozen=True)
class Settings:
    """The user's choices from the options flow."""

    retention_days: int
    storage_cap_bytes: int
    events_visible: bool

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> Settings:
        options = {**entry.data, **entry.options}
        cap_gb = float(options.get(CONF_STORAGE_CAP_GB, DEFAULT_STORAGE_CAP_GB))
        return cls(
            retention_days=int(options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS)),
            storage_cap_bytes=int(cap_gb * 1_000_000_000),
            events_visible=bool(options.get(CONF_EVENTS_VISIBLE, DEFAULT_EVENTS_VISIBLE)),
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
    upload_locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    @callback
    def clips_changed(self) -> None:
        async_dispatcher_send(self.hass, SIGNAL_CLIPS_CHANGED)

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
