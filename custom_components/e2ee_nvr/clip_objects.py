"""Where committed clip objects live: the storage-backend interface and the folder backend.

A backend stores opaque objects named `<rel_dir>/<clip_id>.<suffix>` (suffix `manifest.json`,
`video`, `thumbnail` or `events`); it never needs to read them. Two layouts exist:
- `camera`: `<device_id>/<camera_id>/<YYYY-MM-DD>`, the media folder's layout since the start;
- `device`: `<device_id>/<YYYY-MM-DD>`, for storage nobody vouches for (a bucket, an off-site
  folder): object names there carry no camera names (docs/threat-model.md, section 6).
Every name is built from validated identifiers, so no row or request can name an object outside
the backend's root or prefix.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal, Protocol

from .clip_store import (
    CAMERA_ID_RE,
    DAY_RE,
    DEVICE_ID_RE,
    MANIFEST,
    UnsafePath,
    check_clip_id,
    check_kind,
    day_folder,
)
from .const import CLIP_KINDS
from .json_file import fsync_dir, replacing

type Layout = Literal["camera", "device"]
# "manifest" names the manifest; the stream kinds name themselves.
ALL_KINDS = ("manifest", *CLIP_KINDS)
OBJECT_NAME_RE = re.compile(r"([0-9a-f]{32})\.(manifest\.json|video|thumbnail|events)")


class ObjectMissing(LookupError):
    """The object is not in the store (deleted by retention, or never copied)."""


class StorageUnavailable(OSError):
    """The backend cannot be reached or refused the request; the caller retries later."""


def suffix_of(kind: str) -> str:
    return MANIFEST if kind == "manifest" else check_kind(kind)


def kind_of(suffix: str) -> str:
    return "manifest" if suffix == MANIFEST else suffix


def object_name(rel_dir: str, clip_id: str, kind: str) -> str:
    return f"{rel_dir}/{check_clip_id(clip_id)}.{suffix_of(kind)}"


def folder_for(layout: Layout, device_id: str, camera_id: str, start_ms: int) -> str:
    """The relative folder of a clip in a layout; the day is the UTC date of its start."""
    camera_dir = day_folder(device_id, camera_id, start_ms)
    if layout == "camera":
        return camera_dir
    device, _camera, day = camera_dir.split("/")
    return f"{device}/{day}"


def check_rel_dir(layout: Layout, rel_dir: str) -> str:
    """Refuse a folder outside the layout's pattern before it reaches a path or a key."""
    parts = rel_dir.split("/")
    patterns = (
        (DEVICE_ID_RE, CAMERA_ID_RE, DAY_RE) if layout == "camera" else (DEVICE_ID_RE, DAY_RE)
    )
    if len(parts) != len(patterns) or not all(
        p.fullmatch(part) for p, part in zip(patterns, parts, strict=True)
    ):
        raise UnsafePath("folder out of the store's layout")
    return rel_dir


@dataclass
class FoundClip:
    """A committed clip found by a scan: its folder, id, manifest and the kinds present."""

    rel_dir: str
    clip_id: str
    manifest: bytes
    kinds: set[str] = field(default_factory=set)


class ClipObjects(Protocol):
    """A store of committed clip objects; synchronous (blocking I/O), run in an executor."""

    layout: Layout

    def describe(self) -> str:
        """Where the objects live, for logs and diagnostics; never a secret."""
        ...

    def adopt(self, rel_dir: str, clip_id: str, kind: str, staged: Path) -> None:
        """Store a complete staged file; the file may be moved away (the caller cleans up)."""
        ...

    def finish_clip(self, rel_dir: str) -> None:
        """Make the clip's objects durable; called after its manifest, which comes last."""
        ...

    def read(self, rel_dir: str, clip_id: str, kind: str) -> bytes: ...

    def size(self, rel_dir: str, clip_id: str, kind: str) -> int: ...

    def read_range(
        self, rel_dir: str, clip_id: str, kind: str, start: int, end: int
    ) -> Iterator[bytes]:
        """Bytes [start, end) of an object in pieces; raises ObjectMissing before yielding."""
        ...

    def as_file(
        self, rel_dir: str, clip_id: str, kind: str, scratch: Path
    ) -> contextlib.AbstractContextManager[Path]:
        """A local file with the object's bytes (the object itself when it is local)."""
        ...

    def put_copy(self, rel_dir: str, clip_id: str, kind: str, source: Path) -> None:
        """Store a copy of a file's bytes under the object's name, all or nothing."""
        ...

    def delete_clip(self, rel_dir: str, clip_id: str) -> None: ...

    def scan(self) -> Iterator[FoundClip]:
        """Every clip whose manifest is present, for an index rebuild."""
        ...

    def delete_all(self) -> None: ...


class FolderClipObjects:
    """Objects as files under a folder: HA's media folder, or an off-site folder."""

    def __init__(self, root: Path, layout: Layout = "camera") -> None:
        self.root = root
        self.layout: Layout = layout

    def describe(self) -> str:
        return f"folder {self.root}"

    def path(self, rel_dir: str, clip_id: str, kind: str) -> Path:
        path = self.root / object_name(check_rel_dir(self.layout, rel_dir), clip_id, kind)
        if self.root.resolve() not in path.resolve().parents:
            raise UnsafePath("clip path outside the store")
        return path

    def adopt(self, rel_dir: str, clip_id: str, kind: str, staged: Path) -> None:
        target = self.path(rel_dir, clip_id, kind)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)

    def put_copy(self, rel_dir: str, clip_id: str, kind: str, source: Path) -> None:
        """Copy a file in under a temporary name, synced, then renamed: never half an object."""
        target = self.path(rel_dir, clip_id, kind)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.part-{os.urandom(6).hex()}")
        with source.open("rb") as reader, replacing(target, partial) as writer:
            shutil.copyfileobj(reader, writer, 1 << 20)

    def remove_partials(self) -> int:
        """Delete half-written copies a killed process left (put_copy's temporary names)."""
        removed = 0
        for path in self.root.rglob(".*.part-*") if self.root.is_dir() else ():
            if path.is_file() and OBJECT_NAME_RE.fullmatch(path.name[1:].partition(".part-")[0]):
                path.unlink()
                removed += 1
        return removed

    def finish_clip(self, rel_dir: str) -> None:
        fsync_dir(self.root / check_rel_dir(self.layout, rel_dir))

    def read(self, rel_dir: str, clip_id: str, kind: str) -> bytes:
        try:
            return self.path(rel_dir, clip_id, kind).read_bytes()
        except FileNotFoundError as err:
            raise ObjectMissing(object_name(rel_dir, clip_id, kind)) from err

    def size(self, rel_dir: str, clip_id: str, kind: str) -> int:
        try:
            return self.path(rel_dir, clip_id, kind).stat().st_size
        except FileNotFoundError as err:
            raise ObjectMissing(object_name(rel_dir, clip_id, kind)) from err

    def read_range(
        self, rel_dir: str, clip_id: str, kind: str, start: int, end: int
    ) -> Iterator[bytes]:
        try:
            handle = self.path(rel_dir, clip_id, kind).open("rb")
        except FileNotFoundError as err:
            raise ObjectMissing(object_name(rel_dir, clip_id, kind)) from err
        return _file_pieces(handle, start, end)

    @contextlib.contextmanager
    def as_file(self, rel_dir: str, clip_id: str, kind: str, scratch: Path) -> Iterator[Path]:
        path = self.path(rel_dir, clip_id, kind)
        if not path.is_file():
            raise ObjectMissing(object_name(rel_dir, clip_id, kind))
        yield path

    def delete_clip(self, rel_dir: str, clip_id: str) -> None:
        for kind in ALL_KINDS:
            with contextlib.suppress(FileNotFoundError):
                self.path(rel_dir, clip_id, kind).unlink()
        _remove_empty_parents(self.root / rel_dir, self.root)

    def scan(self) -> Iterator[FoundClip]:
        depth = 3 if self.layout == "camera" else 2
        for folder in _folders(self.root, depth):
            rel_dir = folder.relative_to(self.root).as_posix()
            with contextlib.suppress(UnsafePath):
                check_rel_dir(self.layout, rel_dir)
                found: dict[str, set[str]] = {}
                for path in folder.iterdir():
                    match = OBJECT_NAME_RE.fullmatch(path.name)
                    if match is not None and path.is_file():
                        found.setdefault(match[1], set()).add(kind_of(match[2]))
                for clip_id, kinds in sorted(found.items()):
                    if "manifest" in kinds:
                        raw = self.read(rel_dir, clip_id, "manifest")
                        yield FoundClip(rel_dir, clip_id, raw, kinds - {"manifest"})

    def delete_all(self) -> None:
        for device in _subdirs(self.root):
            if DEVICE_ID_RE.fullmatch(device.name):
                shutil.rmtree(device, ignore_errors=True)


def _file_pieces(reader: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    with reader:
        reader.seek(start)
        left = end - start
        while left > 0:
            piece = reader.read(min(left, 1 << 20))
            if not piece:
                return
            left -= len(piece)
            yield piece


def _subdirs(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())


def _folders(root: Path, depth: int) -> Iterator[Path]:
    level = [root]
    for _ in range(depth):
        level = [child for folder in level for child in _subdirs(folder)]
    yield from level


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
