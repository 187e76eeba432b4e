"""Exponential back-off with full jitter, the supervised loop every long-lived job runs in, and
the wait that a stop request cuts short."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

LOG = logging.getLogger(__name__)
_T = TypeVar("_T")


@dataclass(frozen=True)
class BackoffSettings:
    """Delays grow from `initial_seconds` by `factor` up to `max_seconds`."""

    initial_seconds: float = 1.0
    max_seconds: float = 300.0
    factor: float = 2.0


class Backoff:
    """Full jitter (a uniform draw below the exponential bound), so many agents that lost the
    same Home Assistant do not all come back in the same second."""

    def __init__(self, settings: BackoffSettings) -> None:
        self._settings = settings
        self._attempts = 0

    def reset(self) -> None:
        self._attempts = 0

    def next_delay(self) -> float:
        bound = min(
            self._settings.max_seconds,
            self._settings.initial_seconds * self._settings.factor**self._attempts,
        )
        self._attempts += 1
        # Not a secret: jitter only spreads retries in time.
        return random.uniform(bound / 2, bound)  # noqa: S311


async def sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True when `stop` was set meanwhile."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


async def supervise(
    name: str,
    job: Callable[[], Awaitable[None]],
    stop: asyncio.Event,
    backoff: BackoffSettings | None = None,
) -> None:
    """Run `job` until `stop` is set; if it raises, log it and start it again after a back-off.

    A job that returns normally while `stop` is not set is restarted too: long-lived jobs
    (capture, upload, heartbeat) are supposed to run for months.
    """
    delays = Backoff(backoff or BackoffSettings())
    while not stop.is_set():
        try:
            await job()
            delays.reset()
        except asyncio.CancelledError:
            raise
        except Exception:
            LOG.exception("job %s failed; restarting it after a back-off", name)
        if stop.is_set() or await sleep_or_stop(stop, delays.next_delay()):
            return


async def until_stopped(work: Awaitable[_T], stop_event: asyncio.Event) -> _T | None:
    """The result of `work`, or None (with `work` cancelled) if stop_event is set first."""
    task = asyncio.ensure_future(work)
    stopper = asyncio.create_task(stop_event.wait())
    try:
        await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None
