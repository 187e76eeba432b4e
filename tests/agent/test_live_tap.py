"""The live tap never holds up capture: bounded queues, whole fragments, init first."""

from __future__ import annotations

from camera_agent.capture.live_tap import SUBSCRIBER_QUEUE_FRAGMENTS, LiveTap


async def test_a_late_subscriber_starts_at_the_latest_init() -> None:
    tap = LiveTap("cam")
    tap.on_init(b"init-1")
    tap.on_fragment(b"old fragment")
    subscription = tap.open()
    tap.on_fragment(b"f1")
    assert [await subscription.get(), await subscription.get()] == [
        ("init", b"init-1"),
        ("media", b"f1"),
    ]


async def test_a_slow_subscriber_loses_fragments_not_the_init() -> None:
    tap = LiveTap("cam")
    subscription = tap.open()
    tap.on_init(b"init")
    for index in range(3 * SUBSCRIBER_QUEUE_FRAGMENTS):
        tap.on_fragment(b"f%d" % index)  # never waits, however far behind the subscriber is
    items = []
    tap.close(subscription)
    while (item := await subscription.get()) is not None:
        items.append(item)
    assert items == []  # closing ends the subscription at once
    subscription = tap.open()
    for index in range(3 * SUBSCRIBER_QUEUE_FRAGMENTS):
        tap.on_fragment(b"f%d" % index)
    first = [await subscription.get() for _ in range(2)]
    assert first[0] == ("init", b"init")
    assert subscription.dropped > 0


async def test_demand_follows_subscribers() -> None:
    tap = LiveTap("cam")
    assert not tap.demand.is_set() and tap.no_demand.is_set()
    first, second = tap.open(), tap.open()
    assert tap.demand.is_set() and not tap.no_demand.is_set()
    tap.close(first)
    assert tap.demand.is_set()
    tap.close(second)
    assert not tap.demand.is_set() and tap.no_demand.is_set()


async def test_a_new_init_replaces_what_was_queued() -> None:
    tap = LiveTap("cam")
    subscription = tap.open()
    tap.on_init(b"init-1")
    tap.on_fragment(b"f1")
    tap.on_stream_end()
    assert not tap.streaming
    tap.on_init(b"init-2")
    assert await subscription.get() == ("init", b"init-2")
