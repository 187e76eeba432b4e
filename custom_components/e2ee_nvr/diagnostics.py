"""Diagnostics: the store's state for a bug report, with every credential and certificate cut.

Key ids stay (they are hashes of public keys and let a report be matched with the panel and
agent logs); certificates, signed documents, wrapped keys, backups, pairing transcripts and
credential hashes are redacted.
"""

from __future__ import annotations

import time
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import AGENT_SILENT_SECONDS
from .runtime import E2eeConfigEntry, E2eeRuntimeData

TO_REDACT = {
    "token_sha256",
    "request",
    "grant",
    "device_cert",
    "folder",
    # Bucket settings of the primary store and the off-site copy (issue 15): the credentials
    # above all, and where the bucket is.
    "secret_access_key",
    "access_key_id",
    "endpoint_url",
    "bucket",
}


def _account(runtime: E2eeRuntimeData) -> dict[str, Any]:
    state = runtime.account.state
    if state is None:
        return {"enabled": False}
    return {
        "enabled": True,
        "epoch": state.recipient_set.epoch,
        "data_key_id": state.data_key_id,
        "instances": [
            {
                "key_id": entry.key_id,
                "enrolled_at": meta.enrolled_at
                if (meta := state.instance_meta.get(entry.key_id))
                else None,
            }
            for entry in state.document.instances
        ],
    }


def _agents(runtime: E2eeRuntimeData) -> list[dict[str, Any]]:
    now = time.time()
    agents = []
    for record in runtime.agents.records():
        document = record.to_json()
        document["silent"] = (
            record.last_seen is None or now - record.last_seen > AGENT_SILENT_SECONDS
        )
        agents.append(document)
    return agents


def _storage(runtime: E2eeRuntimeData) -> dict[str, Any]:
    return {
        "clip_count": runtime.index.count(),
        "total_bytes": runtime.index.total_bytes(),
        "free_bytes": runtime.clips.free_bytes(),
        "cameras": [
            {"device_id": d, "camera_id": c, "clips": n, "last_clip_ms": last}
            for d, c, n, last in runtime.index.cameras()
        ],
    }


def _live(runtime: E2eeRuntimeData) -> list[dict[str, Any]]:
    """Live sessions as HA relays them: whose, how busy. No session id: a viewer's URL holds it."""
    now = time.monotonic()
    return [
        {
            "device_id": stream.device_id,
            "camera_id": stream.camera_id,
            "uploading": stream.uploading,
            "viewers": len(stream.viewers),
            "records_relayed": stream.records,
            "age_seconds": round(now - stream.created),
        }
        for stream in runtime.live.sessions.values()
    ]


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: E2eeConfigEntry
) -> dict[str, Any]:
    runtime = entry.runtime_data
    settings = runtime.settings
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "settings": {
                "retention_days": settings.retention_days,
                "camera_retention_days": dict(settings.camera_retention_days),
                "storage_cap_bytes": settings.storage_cap_bytes,
                "events_visible": settings.events_visible,
            },
            "account": _account(runtime),
            "agents": _agents(runtime),
            "storage": await hass.async_add_executor_job(_storage, runtime),
            "live_sessions": _live(runtime),
        },
        TO_REDACT,
    )
