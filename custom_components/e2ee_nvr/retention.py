"""Retention: clips older than their camera's retention period, then the oldest beyond the cap.

Deletion removes the index row first (the clip disappears for every reader at once), then the
files; a crash between the two leaves orphan files that the next index rebuild picks up again,
which errs on the side of keeping recordings rather than losing them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from .clip_index import ClipRow
from .clip_objects import StorageUnavailable
from .runtime import E2eeRuntimeData

_LOGGER = logging.getLogger(__name__)
BATCH = 500
DAY_MS = 86_400_000


class DeletionIncomplete(Exception):
    """The store could not be reached; the clips it kept are listed again and retried later."""


def delete_rows(runtime: E2eeRuntimeData, rows: Iterable[ClipRow]) -> int:
    """Delete clips (index row, then objects); synchronous, run in an executor.

    A bucket may be unreachable: the clips whose objects could not be deleted get their index
    rows back, so they stay visible and the next run deletes them, instead of lingering in the
    bucket unlisted until a rebuild.
    """
    rows = list(rows)
    runtime.index.remove(r.clip_id for r in rows)
    for done, row in enumerate(rows):
        try:
            runtime.objects.delete_clip(row.rel_dir, row.clip_id)
        except StorageUnavailable as err:
            runtime.index.add(rows[done:])
            _LOGGER.warning("Deleting clips from %s failed: %s", runtime.objects.describe(), err)
            raise DeletionIncomplete(str(err)) from err
    return len(rows)


def enforce(runtime: E2eeRuntimeData, now_ms: int | None = None) -> int:
    """Apply age and size limits, oldest first; return how many clips were deleted.

    Each camera keeps clips for its own retention period (an override from the options flow,
    else the default); the total cap then retires the oldest clips of any camera.
    """
    with runtime.index_lock:
        if runtime.closed:
            return 0
        try:
            return _enforce(runtime, int(time.time() * 1000) if now_ms is None else now_ms)
        except DeletionIncomplete:
            return 0


def _enforce(runtime: E2eeRuntimeData, now_ms: int) -> int:
    settings = runtime.settings
    deleted = 0
    for device_id, camera_id, _count, _last in runtime.index.cameras():
        cutoff = now_ms - settings.retention_for(device_id, camera_id) * DAY_MS
        while rows := runtime.index.oldest(
            BATCH, device_id=device_id, camera_id=camera_id, before_ms=cutoff
        ):
            deleted += delete_rows(runtime, rows)
    # Incomplete uploads occupy the disk too (issue 11); ingest keeps them below the cap.
    stored = runtime.index.total_bytes() + runtime.clips.staged_bytes()
    excess = stored - settings.storage_cap_bytes
    while excess > 0 and (rows := runtime.index.oldest(BATCH)):
        victims: list[ClipRow] = []
        for row in rows:
            if excess <= 0:
                break
            victims.append(row)
            excess -= row.size_bytes
        deleted += delete_rows(runtime, victims)
    return deleted
