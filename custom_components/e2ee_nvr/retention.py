"""Retention: clips older than the retention period, then the oldest beyond the size cap.

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
    """Apply age and size limits, oldest first; return how many clips were deleted."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    settings = runtime.settings
    deleted = 0
    cutoff = now_ms - settings.retention_days * DAY_MS
    while rows := runtime.index.oldest(BATCH, before_ms=cutoff):
        deleted += delete_rows(runtime, rows)
    excess = runtime.index.total_bytes() - settings.storage_cap_bytes
    while excess > 0:
        rows = runtime.index.oldest(BATCH)
        if not rows:
            break
        victims: list[ClipRow] = []
        for row in rows:
            if excess <= 0:
                break
            victims.append(row)
            excess -= row.size_bytes
        deleted += delete_rows(runtime, victims)
    return deleted
