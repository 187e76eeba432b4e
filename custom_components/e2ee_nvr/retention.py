"""Retention: clips older than their camera's retention period, then the oldest beyond the cap.

Deletion removes the index row first (the clip disappears for every reader at once), then the
files; a crash between the two leaves orphan files that the next index rebuild picks up again,
which errs on the side of keeping recordings rather than losing them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from .clip_index import ClipRow
from .runtime import E2eeRuntimeData

BATCH = 500
DAY_MS = 86_400_000


def delete_rows(runtime: E2eeRuntimeData, rows: Iterable[ClipRow]) -> int:
    """Delete clips (index row, then files); synchronous, run in an executor."""
    rows = list(rows)
    runtime.index.remove(r.clip_id for r in rows)
    for row in rows:
        runtime.clips.delete_clip(row.rel_dir, row.clip_id)
    return len(rows)


def enforce(runtime: E2eeRuntimeData, now_ms: int | None = None) -> int:
    """Apply age and size limits, oldest first; return how many clips were deleted.

    Each camera keeps clips for its own retention period (an override from the options flow,
    else the default); the total cap then retires the oldest clips of any camera.
    """
    with runtime.index_lock:
        if runtime.closed:
            return 0
        return _enforce(runtime, int(time.time() * 1000) if now_ms is None else now_ms)


def _enforce(runtime: E2eeRuntimeData, now_ms: int) -> int:
    settings = runtime.settings
    deleted = 0
    for device_id, camera_id, _count, _last in runtime.index.cameras():
        cutoff = now_ms - settings.retention_for(device_id, camera_id) * DAY_MS
        while rows := runtime.index.oldest(
            BATCH, device_id=device_id, camera_id=camera_id, before_ms=cutoff
        ):
            deleted += delete_rows(runtime, rows)
    excess = runtime.index.total_bytes() - settings.storage_cap_bytes
    while excess > 0 and (rows := runtime.index.oldest(BATCH)):
        victims: list[ClipRow] = []
        for row in rows:
            if excess <= 0:
                break
            victims.append(row)
            excess -= row.size_bytes
        deleted += delete_rows(runtime, victims)
    return deleted
