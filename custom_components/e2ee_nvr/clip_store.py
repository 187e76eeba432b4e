"""The media folder's local duties: the staging area for uploads, identifiers and the index path.

Committed clips live in a backend (clip_objects.py): this folder in the layout
`<root>/<device_id>/<camera_id>/<YYYY-MM-DD>/<clip_id>.{manifest.json,video,...}`, or a bucket.
Staging stays here in either case, under `<root>/.staging/<clip_id>/`, and so does the index,
under `<root>/.index/`. Every path is
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
from pathlib import Path
from typing import TYPE_CHECKING

from .const import CLIP_KINDS
from .json_file import fsync_dir

if TYPE_CHECKING:
    from .clip_objects import ClipObjects

CLIP_ID_RE = re.compile(r"[0-9a-f]{32}")
DEVICE_ID_RE = re.compile(r"[0-9a-f]{32}")
CAMERA_ID_RE = re.compile(r"[a-z0-9_-]{1,32}")
DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
MANIFEST = "manifest.json"
STAGING = ".staging"
INDEX = ".index"
# Local copies of a bucket's objects while an export or the off-site copy reads them; a crash
# can leave some behind, so they are removed at every start.
SCRATCH_DIRS = (".export-scratch", ".offsite-scratch")


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
    """The local side of every backend: staging of uploads and the index file; synchronous."""

    def __init__(self, root: Path, index_name: str = "clips") -> None:
        self.root = root
        self.staging = root / STAGING
        # One index per backend: switching to a bucket rebuilds from the bucket, not from a
        # folder listing clips that are not there.
        self.index_path = root / INDEX / f"{index_name}.sqlite3"

    def ensure(self) -> None:
        self.staging.mkdir(parents=True, exist_ok=True)
        for name in SCRATCH_DIRS:
            shutil.rmtree(self.root / name, ignore_errors=True)

    def scratch(self, name: str) -> Path:
        """One of SCRATCH_DIRS, created on first use by whoever writes there."""
        return self.root / name

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

    def staged_bytes(self) -> int:
        """Bytes held by incomplete uploads: they fill the disk as surely as committed clips."""
        total = 0
        for path in self.staging.rglob("*") if self.staging.exists() else ():
            with contextlib.suppress(FileNotFoundError):
                if path.is_file():
                    total += path.stat().st_size
        return total

    # ------------------------------------------------------------------ committed
    def commit(self, clip_id: str, rel_dir: str, objects: ClipObjects) -> None:
        """Hand a complete staged clip to the object store; the manifest goes last.

        A clip is visible only once the caller indexes it; a crash before that leaves objects a
        rebuild finds complete (manifest present) or ignores (manifest still in staging), and
        the agent's retry commits the same objects under the same names again.
        """
        source = self.staged_dir(clip_id)
        for kind in sorted(self.staged_kinds(clip_id)):
            objects.adopt(rel_dir, clip_id, kind, source / kind)
        objects.adopt(rel_dir, clip_id, "manifest", source / MANIFEST)
        objects.finish_clip(rel_dir)
        shutil.rmtree(source, ignore_errors=True)

    def delete_staging(self) -> None:
        """Remove every incomplete upload (turning E2EE off)."""
        shutil.rmtree(self.staging, ignore_errors=True)

    def free_bytes(self) -> int:
        return shutil.disk_usage(self.root).free


def _write_synced(path: Path, raw: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(raw)
        handle.flush()
        os.fsync(handle.fileno())
