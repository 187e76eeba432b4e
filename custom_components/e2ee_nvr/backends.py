"""Choosing the stores from the entry's options: the primary backend and the off-site target."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .clip_objects import ClipObjects, FolderClipObjects
from .const import (
    BACKEND_S3,
    CONF_BACKEND,
    CONF_OFFSITE,
    CONF_S3,
    DEFAULT_OFFSITE_RETENTION_DAYS,
    OFFSITE_FOLDER,
)
from .s3_objects import S3ClipObjects, S3Settings


@dataclass(frozen=True)
class OffsiteTarget:
    """The off-site copy's store, its retention, and a name for its queue file."""

    objects: ClipObjects
    retention_days: int
    queue_name: str


def _name(kind: str, identity: str) -> str:
    return f"{kind}-{hashlib.sha256(identity.encode()).hexdigest()[:16]}"


def primary_objects(options: Mapping[str, Any], root: Path) -> tuple[ClipObjects, str]:
    """The primary store and its index name: the media folder unless a bucket is chosen."""
    if options.get(CONF_BACKEND) == BACKEND_S3:
        settings = S3Settings.from_options(options[CONF_S3])
        return S3ClipObjects(settings), _name("clips-s3", settings.identity())
    return FolderClipObjects(root, "camera"), "clips"


def offsite_target(options: Mapping[str, Any], folder: Path | None) -> OffsiteTarget | None:
    """The off-site copy, if one is configured; `folder` is its resolved path for a folder."""
    offsite = options.get(CONF_OFFSITE) or {}
    days = int(offsite.get("retention_days", DEFAULT_OFFSITE_RETENTION_DAYS))
    if offsite.get("target") == BACKEND_S3:
        settings = S3Settings.from_options(offsite)
        return OffsiteTarget(
            S3ClipObjects(settings), days, _name("offsite-s3", settings.identity())
        )
    if offsite.get("target") == OFFSITE_FOLDER and folder is not None:
        objects = FolderClipObjects(folder, "device")
        return OffsiteTarget(objects, days, _name("offsite-folder", str(folder)))
    return None
