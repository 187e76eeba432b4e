"""A camera's live tap: the capture loop's init segment and fragments, offered to live view.

The recording's own ffmpeg feeds the tap (no second RTSP connection while recording runs).
Feeding never blocks and never fails: each subscriber has a small bounded queue, and a
subscriber that falls behind loses whole fragments (each starts on a keyframe), so live view
can never hold up the cutter and the clips it seals. A camera that does not record (`record:
false`) runs capture only while the tap has subscribers (`demand`).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Literal

TapKind = Literal["init", "media"]
# Fragments a subscriber may have waiting; more means it is behind: older ones are dropped.
SUBSCRIBER_QUEUE_FRAGMENTS = 4


class TapSubscription:
    """One consumer of a tap: the latest init first, then fragments as capture delivers them."""

    def __init__(self) -> None:
        self._items: deque[tuple[TapKind, bytes]] = deque()
        self._wake = asyncio.Event()
        self.closed = False
        self.dropped = 0

    def put(self, kind: TapKind, data: bytes) -> None:
        if kind == "init":
            # A new init (ffmpeg restarted) makes everything queued before it obsolete.
            self.dropped += sum(1 for k, _d in self._items if k == "media")
            self._items.clear()
        elif sum(1 for k, _d in self._items if k == "media") >= SUBSCRIBER_QUEUE_FRAGMENTS:
            self._items = deque(item for item in self._items if item[0] == "init")
            self.dropped += SUBSCRIBER_QUEUE_FRAGMENTS
        self._items.append((kind, data))
        self._wake.set()

    def close(self) -> None:
        """Ends the subscription at once: what is still queued is not delivered."""
        self.closed = True
        self._items.clear()
        self._wake.set()

    async def get(self) -> tuple[TapKind, bytes] | None:
        """The next item, or None once the subscription is closed."""
        while not self._items:
            if self.closed:
                return None
            self._wake.clear()
            await self._wake.wait()
        return self._items.popleft()


class LiveTap:
    """One camera's tap; the capture loop calls on_init/on_fragment/on_stream_end."""

    def __init__(self, camera_id: str) -> None:
        self.camera_id = camera_id
        self._subscribers: list[TapSubscription] = []
        self._init: bytes | None = None
        self.demand = asyncio.Event()
        self.no_demand = asyncio.Event()
        self.no_demand.set()
        # Set while a capture session has delivered its init segment and is streaming; the
        # monotonic time it stopped (or the tap was made) otherwise.
        self.streaming = False
        self.idle_since = time.monotonic()

    def on_init(self, data: bytes) -> None:
        self._init = data
        self.streaming = True
        for subscriber in self._subscribers:
            subscriber.put("init", data)

    def on_fragment(self, data: bytes) -> None:
        for subscriber in self._subscribers:
            subscriber.put("media", data)

    def on_stream_end(self) -> None:
        """ffmpeg stopped; the next session begins with a new init."""
        self._init = None
        self.streaming = False
        self.idle_since = time.monotonic()

    def open(self) -> TapSubscription:
        """A new subscription, starting at the latest init; it creates demand for capture."""
        subscription = TapSubscription()
        if self._init is not None:
            subscription.put("init", self._init)
        self._subscribers.append(subscription)
        self.demand.set()
        self.no_demand.clear()
        return subscription

    def close(self, subscription: TapSubscription) -> None:
        subscription.close()
        if subscription in self._subscribers:
            self._subscribers.remove(subscription)
        if not self._subscribers:
            self.demand.clear()
            self.no_demand.set()

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)
