"""Run a coroutine that never suspends, without an event loop: the fuzz targets' async parsers.

A harness feeds the code under test from memory, so its awaits complete at once; a loop per
input would cost more than the parse. A suspension means the code awaited real I/O, which a
harness must never reach: it is an error, not a finding to ignore.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

_T = TypeVar("_T")


def run_sync(work: Coroutine[Any, Any, _T], source: str) -> _T:
    """The coroutine's result; `source` names what it reads, for the error if it suspends."""
    try:
        work.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    work.close()
    raise RuntimeError(f"suspended on {source}")
