"""The median time of an action run again and again: the micro-benchmarks' one measurement."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(
    action: Callable[[], object], repeats: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    """The median of `repeats` runs of `action` on `clock` (wall time, or process_time for CPU).

    The median, not the mean: one run slowed by the machine's other work does not move it.
    """
    samples = []
    for _ in range(repeats):
        started = clock()
        action()
        samples.append(clock() - started)
    return statistics.median(samples)
