"""CPU seconds and resident memory of a process and everything it started, read from /proc."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class TreeSample:
    """One reading: CPU seconds used so far (finished children included) and RSS now."""

    cpu_seconds: float
    root_rss_bytes: int
    tree_rss_bytes: int
    processes: int


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text("ascii")
    except OSError:
        return None
    # The command name sits in parentheses and may hold spaces: split after its last ')'.
    return raw[raw.rindex(")") + 2 :].split()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text("ascii").split()]
        except OSError:
            continue
    return found


def _rss_bytes(fields: list[str]) -> int:
    return int(fields[21]) * PAGE_BYTES  # field 24 of stat: rss in pages


def sample_tree(root: int) -> TreeSample | None:
    """None once the root has exited."""
    root_fields = _stat_fields(root)
    if root_fields is None:
        return None
    cpu_ticks, tree_rss, count = 0, 0, 0
    pending = [root]
    while pending:
        pid = pending.pop()
        fields = root_fields if pid == root else _stat_fields(pid)
        if fields is None:
            continue
        # utime, stime, and cutime, cstime: children that exited and were waited for.
        cpu_ticks += sum(int(value) for value in fields[11:15])
        tree_rss += _rss_bytes(fields)
        count += 1
        pending += _children(pid)
    return TreeSample(cpu_ticks / TICKS_PER_SECOND, _rss_bytes(root_fields), tree_rss, count)
