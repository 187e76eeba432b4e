"""The spool: a durable folder-backed queue of complete, encrypted clips awaiting upload.

Layout, one clip per clip id:
    <clip_id>.video.part     ciphertext being written (a crash leaves it; start-up deletes it)
    <clip_id>.video          ciphertext, complete; also .thumbnail and .events when present
    <clip_id>.manifest.json  the signed manifest, written last: its presence means "complete"
Only ciphertext and signed manifests ever live here. A clip leaves the spool when Home Assistant
says it has stored it, or when the size cap evicts it (oldest first, with a loud warning).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from .state import fsync_dir

LOG = logging.getLogger(__name__)
MANIFEST_SUFFIX = ".manifest.json"
PART_SUFFIX = ".part"
OBJECT_KINDS = ("video", "thumbnail", "events")
CLIP_ID_LENGTH = 32


@dataclass(frozen=True)
class SpooledClip:
    """A complete clip on disk: its manifest file and its stream objects by kind."""

    clip_id: str
    manifest_path: Path
    objects: dict[str, Path]
    size_bytes: int
    queued_ns: int


@dataclass(frozen=True)
class SpoolDepth:
    clips: int
    size_bytes: int


def _clip_id_of(path: Path) -> str | None:
    clip_id = path.name.split(".", 1)[0]
    if len(clip_id) == CLIP_ID_LENGTH and all(c in "0123456789abcdef" for c in clip_id):
        return clip_id
    return None


class Spool:
    """Complete clips in `folder`, oldest first; bounded by `max_bytes`."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        # Set whenever a clip completes, so the uploader wakes without polling the folder.
        self.clip_added = asyncio.Event()

    def open(self) -> int:
        """Create the folder and delete what a crash left behind; return how many files went.

        A `.part` file is a clip cut short: its ciphertext has no manifest and no final chunk,
        so it can never be a valid clip, and uploading it would only be refused. Objects
        without a manifest are a crash between the last rename and the manifest write.
        """
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        complete = {
            p.name[: -len(MANIFEST_SUFFIX)] for p in self.folder.glob("*" + MANIFEST_SUFFIX)
        }
        removed = 0
        for path in self.folder.iterdir():
            if path.name.endswith(MANIFEST_SUFFIX) and _clip_id_of(path) is not None:
                continue
            clip_id = _clip_id_of(path)
            leftover = path.name.endswith((PART_SUFFIX, ".tmp")) or clip_id not in complete
            if path.is_file() and leftover:
                LOG.warning("spool: deleting incomplete %s left by an earlier run", path.name)
                path.unlink()
                removed += 1
        if removed:
            fsync_dir(self.folder)
        return removed

    def part_path(self, clip_id: str) -> Path:
        return self.folder / f"{clip_id}.video{PART_SUFFIX}"

    def object_path(self, clip_id: str, kind: str) -> Path:
        if kind not in OBJECT_KINDS:
            raise ValueError(f"unknown stream object kind {kind!r}")
        return self.folder / f"{clip_id}.{kind}"

    def manifest_path(self, clip_id: str) -> Path:
        return self.folder / f"{clip_id}{MANIFEST_SUFFIX}"

    def clips(self) -> list[SpooledClip]:
        """Every complete clip, oldest first (by when its manifest was written)."""
        found = []
        for manifest in self.folder.glob("*" + MANIFEST_SUFFIX):
            clip_id = _clip_id_of(manifest)
            if clip_id is None:
                continue
            try:
                stat = manifest.stat()
            except FileNotFoundError:  # deleted by an upload or eviction meanwhile
                continue
            objects = {
                kind: self.object_path(clip_id, kind)
                for kind in OBJECT_KINDS
                if self.object_path(clip_id, kind).exists()
            }
            size = stat.st_size + sum(p.stat().st_size for p in objects.values())
            found.append(SpooledClip(clip_id, manifest, objects, size, stat.st_mtime_ns))
        return sorted(found, key=lambda c: (c.queued_ns, c.clip_id))

    def depth(self) -> SpoolDepth:
        clips = self.clips()
        return SpoolDepth(clips=len(clips), size_bytes=sum(c.size_bytes for c in clips))

    def total_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.folder.iterdir() if p.is_file())

    def delete(self, clip_id: str) -> None:
        """Remove a clip: manifest first, so a crash half-way leaves only manifest-less objects,
        which the next start deletes, never a manifest that names missing objects."""
        self.manifest_path(clip_id).unlink(missing_ok=True)
        for kind in OBJECT_KINDS:
            self.object_path(clip_id, kind).unlink(missing_ok=True)
        fsync_dir(self.folder)

    def clip_completed(self, clip_id: str) -> None:
        """Called once a clip's manifest is durable: enforce the cap, then wake the uploader."""
        self.enforce_cap()
        self.clip_added.set()
        LOG.debug("spool: clip %s queued", clip_id)

    def enforce_cap(self) -> list[str]:
        """Evict the oldest complete clips until the spool fits `max_bytes`; return their ids."""
        total = self.total_bytes()
        evicted: list[str] = []
        for clip in self.clips():
            if total <= self.max_bytes:
                break
            LOG.warning(
                "SPOOL FULL: %d bytes over the %d-byte cap and Home Assistant has not taken "
                "them; DELETING the oldest clip %s (%d bytes) without uploading it",
                total - self.max_bytes,
                self.max_bytes,
                clip.clip_id,
                clip.size_bytes,
            )
            self.delete(clip.clip_id)
            total -= clip.size_bytes
            evicted.append(clip.clip_id)
        return evicted
