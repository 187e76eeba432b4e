"""A running SHA-256 that hashes large blocks on a worker thread while the caller goes on.

The stream writer's bound is its hash: AES-GCM runs several times faster than SHA-256 here, so
hashing each block in series costs most of the time. hashlib releases the GIL while it hashes a
large buffer, so a worker thread hashes block k while the caller encrypts block k + 1; the
pipeline then runs at the speed of the slower stage (the hash) instead of the sum of both.

Only immutable `bytes` are handed to the worker: a caller could reuse a mutable buffer at once,
and the digest must cover the bytes as they were when `update` was called. At most one block
per hash is in flight, which keeps both the order of the updates and the memory bounded (one
block, already held by whoever produced it).
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor

# Below this a thread hand-off costs more than hashing in place (about 20 us against ~40 us).
BACKGROUND_MIN_BYTES = 1 << 16


class OverlappedSha256:
    """hashlib.sha256's update/digest, with large updates hashed off the caller's thread.

    Each hash owns its worker, started at the first large update and stopped by `digest` (or
    `close`): a process keeps no thread between streams, and one that drops a stream unread
    loses the worker with it (an idle ThreadPoolExecutor's thread exits once the executor is
    collected).
    """

    __slots__ = ("_executor", "_hasher", "_pending")

    def __init__(self) -> None:
        self._hasher = hashlib.sha256()
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Future[None] | None = None

    def update(self, data: bytes) -> None:
        """Add `data` (immutable bytes, so the worker reads exactly what was passed)."""
        if type(data) is not bytes:
            raise TypeError("OverlappedSha256 hashes immutable bytes only")
        self._wait()
        if len(data) < BACKGROUND_MIN_BYTES:
            self._hasher.update(data)
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="stream-sha256")
        self._pending = self._executor.submit(self._hasher.update, data)

    def digest(self) -> bytes:
        """The digest of everything so far; the worker stops (a later update starts another)."""
        self.close()
        return self._hasher.digest()

    def close(self) -> None:
        """Finish the pending block and stop the worker thread."""
        self._wait()
        if self._executor is not None:
            executor, self._executor = self._executor, None
            executor.shutdown(wait=True)

    def _wait(self) -> None:
        # The previous block must be in the state before the next one, or the order is lost.
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()
