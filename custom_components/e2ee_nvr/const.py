"""Constants of the e2ee_nvr integration: names, limits and defaults."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "e2ee_nvr"

# Config entry data and options.
CONF_MEDIA_DIR: Final = "media_dir"
CONF_FOLDER: Final = "folder"
CONF_RETENTION_DAYS: Final = "retention_days"
CONF_STORAGE_CAP_GB: Final = "storage_cap_gb"
CONF_EVENTS_VISIBLE: Final = "events_visible"

DEFAULT_FOLDER: Final = "e2ee_nvr"
DEFAULT_RETENTION_DAYS: Final = 30
DEFAULT_STORAGE_CAP_GB: Final = 100.0
DEFAULT_EVENTS_VISIBLE: Final = True
MAX_RETENTION_DAYS: Final = 3650

# Where the account directory and agent registry live: under HA's .storage, so HA backups
# carry them. Everything there is public or sealed (certificates, PKCS#12 under keys HA never
# sees, SHA-256 hashes of agent tokens).
STORAGE_SUBDIR: Final = "e2ee_nvr"

# Agent API (docs/agent-api.md).
AGENT_API_PREFIX: Final = "/api/e2ee_nvr/agent"
PANEL_API_PREFIX: Final = "/api/e2ee_nvr/clips"
PAIRING_RATE_PER_MINUTE: Final = 10
MAX_PENDING_PAIRINGS: Final = 20
AGENT_SILENT_SECONDS: Final = 300
STAGING_MAX_AGE_SECONDS: Final = 24 * 3600
UPLOAD_READ_BYTES: Final = 1 << 20

# The three stream objects a clip may carry, in the order agents upload them.
CLIP_KINDS: Final = ("video", "thumbnail", "events")
