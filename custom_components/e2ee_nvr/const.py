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

# Storage backend (issue 15): HA's media folder (default) or an S3-compatible bucket, whose
# settings (endpoint_url, region, bucket, prefix, access_key_id, secret_access_key) sit in
# CONF_S3; an optional off-site copy in CONF_OFFSITE (target "s3" with the same keys, or
# "folder" with media_dir and folder; and retention_days).
CONF_BACKEND: Final = "backend"
BACKEND_MEDIA_FOLDER: Final = "media_folder"
BACKEND_S3: Final = "s3"
CONF_S3: Final = "s3"
CONF_OFFSITE: Final = "offsite"
OFFSITE_NONE: Final = "none"
OFFSITE_FOLDER: Final = "folder"
DEFAULT_OFFSITE_RETENTION_DAYS: Final = 90
# The off-site copy is "behind" (repair issue) when its oldest waiting clip is this old.
OFFSITE_BEHIND_SECONDS: Final = 3600
# After a failed copy the copier waits this long before trying again (a new clip wakes it).
OFFSITE_RETRY_SECONDS: Final = 60

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

# Per-camera retention overrides: {"<device_id>:<camera_id>": days}; a camera without one keeps
# clips for CONF_RETENTION_DAYS.
CONF_CAMERA_RETENTION: Final = "camera_retention"

# Entities: how often liveness and free space are re-checked (heartbeats come every 30 s).
LIVENESS_CHECK_SECONDS: Final = 30
# Below this much free space in the storage folder, a repair issue asks the user to act.
LOW_FREE_SPACE_BYTES: Final = 2_000_000_000

# Event entity types. Without event visibility HA only learns that a clip was recorded; with it,
# the manifest's visible event kinds map onto these (most specific first), unknown kinds to other.
EVENT_CLIP_RECORDED: Final = "clip_recorded"
EVENT_OTHER: Final = "other"
EVENT_KINDS_BY_PRIORITY: Final = ("person", "vehicle", "animal", "package", "sound", "motion")

# The panel's URL path: media_source links each clip there, since HA cannot play ciphertext.
PANEL_URL_PATH: Final = "e2ee-nvr"

# Actions (services).
SERVICE_DELETE_CLIPS: Final = "delete_clips"
SERVICE_EXPORT_ARCHIVE: Final = "export_archive"

# Unauthenticated pairing requests (agents.py): the server's bound on a request's lifetime
# (docs/protocol.md: a pairing code is dead after 10 minutes), pending requests per source
# address, and how long and how many refused or expired records are kept.
PAIRING_LIFETIME_SECONDS: Final = 600
MAX_PENDING_PER_SOURCE: Final = 3
DEAD_PAIRING_KEEP_SECONDS: Final = 3600
MAX_DEAD_PAIRINGS: Final = 100

# Dispatcher signals of a loaded entry.
SIGNAL_CLIPS_CHANGED: Final = f"{DOMAIN}_clips_changed"
SIGNAL_AGENTS_CHANGED: Final = f"{DOMAIN}_agents_changed"
# Sent with the new clip's ClipRow once it is committed and visible (the event entities fire).
SIGNAL_CLIP_COMMITTED: Final = f"{DOMAIN}_clip_committed"
