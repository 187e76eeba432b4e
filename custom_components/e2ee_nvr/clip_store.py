"""The media folder: committed clips by device, camera and day, and a staging area for uploads.

Layout: `<root>/<device_id>/<camera_id>/<YYYY-MM-DD>/<clip_id>.{manifest.json,video,...}`,
staging under `<root>/.staging/<clip_id>/`, the index under `<root>/.index/`. Every path is
built from a validated clip id (32 hex), device id (32 hex), camera id ([a-z0-9_-]) and a kind
from a fixed list, so no request can name a file outside the root. Only ciphertext and signed
manifests are ever written here.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from .const import CLIP_KINDS
from .json_file import fsync_dir

CLIP_ID_RE = re.compile(r"[0-9a-f]{32}")
DEVICE_ID_RE = re.compile(r"[0-9a-f]{32}")
CAMERA_ID_RE = re.compile(r"[a-z0-9_-]{1,32}")
DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
MANIFEST = "manifest.json"
STAGING = ".staging"
INDEX = ".index"


class UnsafePath(ValueError):
    """An identifier that could name a file outside the store; refused before any I/O."""


def check_clip_id(clip_id: str) -> str:
    if not CLIP_ID_RE.fullmatch(clip_id):
        raise UnsafePath("clip id must be 32 lowercase hex digits")
    return clip_id


def check_kind(kind: str) -> str:
    if kind not in CLIP_KINDS:
        raise UnsafePath(f"kind must be one of {', '.join(CLIP_KINDS)}")
    return kind


def day_folder(device_id: str, camera_id: str, start_ms: int) -> str:
    """The relative folder of a clip; the day is the UTC date of its start."""
    if not DEVICE_ID_RE.fullmatch(device_id) or not CAMERA_ID_RE.fullmatch(camera_id):
        raise UnsafePath("device or camera id out of pattern")
    day = datetime.datetime.fromtimestamp(start_ms / 1000, tz=datetime.UTC).date().isoformat()
    return f"{device_id}/{camera_id}/{day}"


class ClipStore:
    """Files of committed and staged clips; synchronous, run in an executor."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.staging = root / STAGING
        self.index_path = root / INDEX / "clips.sqlite3"

    def ensure(self) -> None:
        self.staging.mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------ staging
    def staged_dir(self, clip_id: str) -> Path:
        return self.staging / check_clip_id(clip_id)

    def staged_manifest(self, clip_id: str) -> bytes | None:
        try:
            return (self.staged_dir(clip_id) / MANIFEST).read_bytes()
        except FileNotFoundError:
            return None

    def stage_manifest(self, clip_id: str, raw: bytes) -> None:
        folder = self.staged_dir(clip_id)
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{MANIFEST}.part"
        _write_synced(temporary, raw)
        os.replace(temporary, folder / MANIFEST)
        fsync_dir(folder)

    def staged_kinds(self, clip_id: str) -> set[str]:
        folder = self.staged_dir(clip_id)
        return {kind for kind in CLIP_KINDS if (folder / kind).is_file()}

    def new_part(self, clip_id: str, kind: str) -> Path:
        """A fresh temporary file for one upload; concurrent uploads never share one."""
        folder = self.staged_dir(clip_id)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f".{check_kind(kind)}.part-{os.urandom(6).hex()}"

    def accept_part(self, part: Path, clip_id: str, kind: str) -> None:
        with part.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(part, self.staged_dir(clip_id) / check_kind(kind))

    def clean_staging(self, max_age_seconds: float) -> int:
        """Remove staging entries untouched for max_age_seconds; return how many."""
        removed = 0
        cutoff = time.time() - max_age_seconds
        for entry in self.staging.iterdir() if self.staging.exists() else ():
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        return removed

    # ------------------------------------------------------------------ committed
    def clip_path(self, rel_dir: str, clip_id: str, kind: str) -> Path:
        suffix = MANIFEST if kind == "manifest" else check_kind(kind)
        path = self.root / rel_dir / f"{check_clip_id(clip_id)}.{suffix}"
        if self.root.resolve() not in path.resolve().parents:
            raise UnsafePath("clip path outside the store")
        return path

    def commit(self, clip_id: str, rel_dir: str) -> None:
        """Move a complete staged clip into its day folder; the manifest moves last.

        A clip is visible only once the caller indexes it; a crash before that leaves files a
        rebuild finds complete (manifest present) or ignores (manifest still in staging).
        """
        source = self.staged_dir(clip_id)
        target = self.root / rel_dir
        target.mkdir(parents=True, exist_ok=True)
        for kind in self.staged_kinds(clip_id):
            os.replace(source / kind, self.clip_path(rel_dir, clip_id, kind))
        os.replace(source / MANIFEST, self.clip_path(rel_dir, clip_id, "manifest"))
        fsync_dir(target)
        shutil.rmtree(source, ignore_errors=True)

    def delete_clip(self, rel_dir: str, clip_id: str) -> None:
        for kind in ("manifest", *CLIP_KINDS):
            with contextlib.suppress(FileNotFoundError):
                self.clip_path(rel_dir, clip_id, kind).unlink()
        _remove_empty_parents(self.root / rel_dir, self.root)

    def read_manifest(self, rel_dir: str, clip_id: str) -> bytes:
        return self.clip_path(rel_dir, clip_id, "manifest").read_bytes()

    def scan(self) -> Iterator[tuple[str, str, bytes]]:
        """(rel_dir, clip_id, manifest bytes) of every committed clip, for an index rebuild."""
        for device in _subdirs(self.root, DEVICE_ID_RE):
            for camera in _subdirs(device, CAMERA_ID_RE):
                for day in _subdirs(camera, DAY_RE):
                    rel_dir = f"{device.name}/{camera.name}/{day.name}"
                    for path in sorted(day.glob(f"*.{MANIFEST}")):
                        clip_id = path.name.removesuffix(f".{MANIFEST}")
                        if CLIP_ID_RE.fullmatch(clip_id):
                            yield rel_dir, clip_id, path.read_bytes()

    def delete_all(self) -> None:
        """Remove every clip, the staging area and the index (turning E2EE off)."""
        for device in _subdirs(self.root, DEVICE_ID_RE):
            shutil.rmtree(device, ignore_errors=True)
        shutil.rmtree(self.staging, ignore_errors=True)

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.root).free


def _subdirs(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name) and p.is_dir())


def _write_synced(path: Path, raw: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(raw)
        handle.flush()
        os.fsync(handle.fileno())


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
