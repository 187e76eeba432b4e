"""Figure 8: the clip index at 100,000 clips, against a full scan of the same table.

Usage: PYTHONPATH=. .venv/ha2025/bin/python -m scripts.benchmarks.clip_index [CLIPS]
(default 100000; the HA venv, because the integration package imports homeassistant)

Reports how long one camera's day takes to list through ClipIndex.query, the same query with
SQLite told not to use any index (the baseline, run in the same process on the same file), and
their ratio; and how long re-opening an existing index takes: the integration's start-up cost
that grows with the number of clips (start-up reads no clip files).
"""

from __future__ import annotations

import secrets
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from custom_components.e2ee_nvr.clip_index import ClipIndex, ClipQuery, ClipRow
from scripts.benchmarks.report import Figure, emit
from scripts.benchmarks.timing import median_seconds

DAY_MS = 86_400_000
CAMERAS = 8


def make_rows(count: int) -> list[ClipRow]:
    """Clips spread evenly over 8 cameras of one agent and a month of days."""
    per_camera_day = max(1, count // (CAMERAS * 30))
    step = DAY_MS // per_camera_day
    return [
        ClipRow(
            clip_id=secrets.token_hex(16),
            device_id="d" * 32,
            camera_id=f"cam{i % CAMERAS}",
            start_ms=(i // CAMERAS) * step,
            end_ms=(i // CAMERAS) * step + 30_000,
            size_bytes=4_000_000,
            events=("motion",),
            kinds=("motion",),
            rel_dir="nvr/x",
            manifest_sha256="0" * 64,
        )
        for i in range(count)
    ]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clips.sqlite3"
        index = ClipIndex(path)
        started = time.perf_counter()
        index.add(make_rows(count))
        add_s = time.perf_counter() - started
        day = ClipQuery(
            device_id="d" * 32,
            camera_id="cam3",
            start_ms=10 * DAY_MS,
            end_ms=11 * DAY_MS,
            limit=500,
        )
        listed = len(index.query(day))
        indexed_s = median_seconds(lambda: index.query(day), 21)
        index.close()

        raw = sqlite3.connect(path)
        sql = (
            "SELECT * FROM clips NOT INDEXED WHERE device_id = ? AND camera_id = ? AND "
            "start_ms >= ? AND start_ms < ? ORDER BY start_ms DESC, clip_id DESC LIMIT 500"
        )
        params = ("d" * 32, "cam3", 10 * DAY_MS, 11 * DAY_MS)
        scan_s = median_seconds(lambda: raw.execute(sql, params).fetchall(), 21)
        raw.close()

        started = time.perf_counter()
        reopened = ClipIndex(path)
        total = reopened.count()
        open_s = time.perf_counter() - started
        reopened.close()
    emit(Figure("index.add_clips_s", add_s, "s", note=f"{count} clips in one batch"))
    emit(
        Figure(
            "index.day_query_ms", indexed_s * 1000, "ms", note=f"one camera's day, {listed} clips"
        )
    )
    emit(
        Figure(
            "index.full_scan_query_ms", scan_s * 1000, "ms", note="same query, SQLite NOT INDEXED"
        )
    )
    emit(Figure("index.scan_over_index", scan_s / indexed_s, "ratio", note="baseline / index"))
    emit(
        Figure(
            "index.startup_reopen_ms",
            open_s * 1000,
            "ms",
            note=f"re-open with {total} clips: the integration's start-up work on its index",
        )
    )


if __name__ == "__main__":
    main()
