"""The off-site copy: every committed clip copied to a second store, in the background.

Ingest never waits for it: a commit only adds a row to the persisted queue and wakes this task.
The copier takes the oldest waiting clip, copies its stream objects and then its manifest (so
a clip interrupted half-way is no clip at the target: a rebuild or `recover` ignores objects
without a manifest), and marks it copied. An unreachable target stops the pass; the next try
comes after OFFSITE_RETRY_SECONDS or with the next clip. The copy keeps clips for its own
retention, independent of the primary store's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path

from homeassistant.core import HomeAssistant

from .backends import OffsiteTarget
from .clip_index import ClipQuery, ClipRow
from .clip_objects import ClipObjects, ObjectMissing, StorageUnavailable, folder_for
from .offsite_queue import Backlog, OffsiteQueue, QueuedClip

_LOGGER = logging.getLogger(__name__)
BATCH = 100
DAY_MS = 86_400_000


def now_ms() -> int:
    return int(time.time() * 1000)


class OffsiteCopier:
    """Copies clips from the primary store to the target; one instance per loaded entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        primary: ClipObjects,
        target: OffsiteTarget,
        queue: OffsiteQueue,
        scratch: Path,
        retry_seconds: float,
    ) -> None:
        self.hass = hass
        self.primary = primary
        self.target = target
        self.queue = queue
        self.scratch = scratch
        self.retry_seconds = retry_seconds
        self.backlog = Backlog(0, 0, None)
        self.last_error: str | None = None
        self.lost = 0
        self._wake = asyncio.Event()
        # One pass at a time: the loop and a caller (a test, a future service) never interleave.
        self._pass = asyncio.Lock()
        self._listeners: list[Callable[[], None]] = []

    def cutoff_ms(self, now: int) -> int:
        return now - self.target.retention_days * DAY_MS

    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` when the backlog changes; returns the function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def wake(self) -> None:
        self._wake.set()

    def enqueue(self, rows: list[ClipRow]) -> None:
        """Queue committed clips (synchronous, in the committing executor job)."""
        now = now_ms()
        self.queue.enqueue(rows, now, self.cutoff_ms(now))

    def backfill(self, query: Callable[[ClipQuery], list[ClipRow]]) -> int:
        """Queue every indexed clip not yet queued: clips from before the copy was set up, and
        any whose commit was interrupted between the index and the queue."""
        added, cursor, now = 0, None, now_ms()
        while page := query(ClipQuery(limit=1000, before=cursor)):
            added += self.queue.enqueue(page, now, self.cutoff_ms(now))
            cursor = (page[-1].start_ms, page[-1].clip_id)
        return added

    async def run(self) -> None:
        """The copier's loop: copy until caught up or failing, then wait for a wake-up."""
        while True:
            self._wake.clear()
            healthy = await self.run_once()
            timeout = None if healthy else self.retry_seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def run_once(self) -> bool:
        """One pass: expire, then copy everything waiting; False if the target failed."""
        async with self._pass:
            return await self._run_pass()

    async def _run_pass(self) -> bool:
        job = self.hass.async_add_executor_job
        try:
            await job(self._expire)
            while waiting := await job(self.queue.waiting, BATCH):
                for clip in waiting:
                    await job(self._copy, clip)
                await self._refresh()
        except StorageUnavailable as err:
            if self.last_error is None:
                _LOGGER.warning(
                    "Off-site copy to %s failed: %s", self.target.objects.describe(), err
                )
            self.last_error = str(err)
            await self._refresh()
            return False
        if self.last_error is not None:
            _LOGGER.info("Off-site copy to %s works again", self.target.objects.describe())
        self.last_error = None
        await self._refresh()
        return True

    async def _refresh(self) -> None:
        self.backlog = await self.hass.async_add_executor_job(self.queue.backlog)
        for listener in list(self._listeners):
            listener()

    def _copy(self, clip: QueuedClip) -> None:
        folder = folder_for(
            self.target.objects.layout, clip.device_id, clip.camera_id, clip.start_ms
        )
        try:
            for kind in (*clip.kinds, "manifest"):
                with self.primary.as_file(clip.rel_dir, clip.clip_id, kind, self.scratch) as path:
                    self.target.objects.put_copy(folder, clip.clip_id, kind, path)
        except ObjectMissing:
            # The primary's retention (or a user's deletion) removed it before it was copied.
            _LOGGER.warning("Clip %s was deleted before its off-site copy", clip.clip_id)
            self.lost += 1
            self.target.objects.delete_clip(folder, clip.clip_id)
            self.queue.forget([clip.clip_id])
            return
        self.queue.mark_copied(clip.clip_id, now_ms())

    def _expire(self) -> None:
        """The copy's own retention: clips older than retention_days leave the target."""
        while expired := self.queue.expired(self.cutoff_ms(now_ms()), BATCH):
            for clip in expired:
                folder = folder_for(
                    self.target.objects.layout, clip.device_id, clip.camera_id, clip.start_ms
                )
                self.target.objects.delete_clip(folder, clip.clip_id)
            self.queue.forget(c.clip_id for c in expired)
