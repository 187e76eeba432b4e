"""Where the media-folder store may live: inside one of HA's media folders, and writable."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from homeassistant.core import HomeAssistant


class FolderError(Exception):
    """A storage folder the flow refuses; the message is the form's error key."""


def storage_path(hass: HomeAssistant, media_dir: str, folder: str) -> Path:
    """The storage folder, which must lie inside one of HA's media folders."""
    if media_dir not in hass.config.media_dirs:
        raise FolderError("invalid_media_dir")
    relative = PurePosixPath(folder.strip())
    if not folder.strip() or relative.is_absolute() or ".." in relative.parts:
        raise FolderError("invalid_folder")
    return Path(hass.config.media_dirs[media_dir]) / relative


def check_writable(path: Path) -> None:
    """Create the folder and prove a file can be written and removed there."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".e2ee_nvr_probe_{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise FolderError("not_writable") from err
