"""Durable JSON files: written to a temporary name, fsynced, then renamed over the old one."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def replacing(path: Path, temporary: Path) -> Iterator[IO[bytes]]:
    """A file written at `temporary` that replaces `path` (synced first) when the block completes.

    On an error the temporary file goes and `path` is left as it was: never half a file.
    """
    try:
        with temporary.open("wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def write_json_atomic(path: Path, document: Any) -> None:
    """Replace `path` with `document` so a crash leaves either the old or the new file.

    A reader never sees a half-written trust document: the rename is atomic on POSIX, and the
    fsyncs (file, then folder) make the new name survive a power cut once this returns.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")
    with replacing(path, path.with_name(f".{path.name}.tmp-{os.getpid()}")) as handle:
        handle.write(raw)
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_json(path: Path) -> Any:
    """The document at `path`, or None when there is none."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    return json.loads(raw)


def remove_file(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
