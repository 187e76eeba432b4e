"""Issue 14's timeline, end to end: a real hass, the real agent recording continuously in short
clips from the simulated RTSP/ONVIF camera, and Debian's Chromium in the panel.

An ONVIF people-detection event is sent while a continuous clip records. The owner lets HA see
only "motion", so a "person" marker can only come from the event details the browser decrypted.
The marker must sit at the event's moment, in the clip that holds it, at the right place on the
bar, and clicking it must play that clip from the event's offset. Then scrubbing (a drag) to
just before a clip boundary must play on into the next clip: the player reports the next clip,
the <video>'s time passes the boundary without an ended or waiting event there, and frames keep
decoding.
Then the keys: Home plays the day's first recording, Shift+ArrowRight jumps to the event. Then
the dashboard card with `timeline: true` shows the same marker and plays it. Last, on a phone
(390x844, touchscreen): HA's narrow layout with nothing scrolling sideways, a tap on the marker
and a finger's drag along the bar each play from the touched moment.
Screens are PNGs in test-artifacts/e2e/timeline/.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from devstack.agent_process import ContinuousTiming
from devstack.browser_driver import BrowserDriver, save_dashboard, wait_for_clip_count
from devstack.flow_driver import start_recording
from devstack.ports import free_port
from devstack.stack import Stack, StackSettings, running_stack
from tests.e2e.ui_checks import artifact_dir

pytestmark = pytest.mark.slow

CLIP_SECONDS = 4.0
PEOPLE_TOPIC = "tns1:RuleEngine/MyRuleDetector/PeopleDetect"
# The event lasts this long; a guard so it has a start and an end, not a measurement.
EVENT_SECONDS = 1.0
# The fake camera stamps UtcTime in whole seconds: an event may start up to 1 s before it was
# sent (tests/agent/test_continuous_events.py).
EVENT_CLOCK_SLACK_MS = 1_500
# The marker's centre is its moment; this much off is still the right place.
MARKER_PIXELS = 8
PHONE_WIDTH = 390
# A finger's target: WCAG 2.5.8's minimum target size (CSS px).
TOUCH_TARGET_PX = 24
PHONE_BAR_FRACTION = 0.75
# Clips of one continuous recording meet within the timeline's join tolerance.
JOIN_MS = 1_000


def people(stack: Stack, active: bool) -> None:
    onvif = stack.camera.onvif
    assert onvif is not None
    onvif.motion(active, topic=PEOPLE_TOPIC, item="IsPeople")


def back_to_back(
    rows: list[dict[str, Any]], after_ms: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two adjacent clips (by start) ending after `after_ms`, with one more clip after them."""
    ordered = sorted(rows, key=lambda r: int(r["start_ms"]))
    for first, second, _third in zip(ordered, ordered[1:], ordered[2:], strict=False):
        meets = abs(int(second["start_ms"]) - int(first["end_ms"])) <= JOIN_MS
        if meets and int(first["start_ms"]) >= after_ms:
            return first, second
    raise AssertionError(f"no two back-to-back clips after {after_ms}: {ordered}")


async def test_timeline_marker_and_playback_across_a_clip_boundary(tmp_path: Path) -> None:
    shots = artifact_dir("timeline")
    settings = StackSettings(tmp_path, free_port(), timing=ContinuousTiming(CLIP_SECONDS))
    async with running_stack(settings) as stack:
        driver = BrowserDriver(shots, tmp_path / "profiles")
        await driver.turn_on(stack)
        await driver.pair(stack, await stack.agent.start_pairing())
        await start_recording(stack)
        recorded = len(await wait_for_clip_count(stack, 1))

        sent_from_ms = int(time.time() * 1000)
        people(stack, True)
        await asyncio.sleep(EVENT_SECONDS)
        people(stack, False)
        sent_to_ms = int(time.time() * 1000)
        # The clip holding the event, and two more after it to cross into.
        rows = await wait_for_clip_count(stack, recorded + 4)
        stack.agent.check_running()
        holding = [r for r in rows if r["start_ms"] <= sent_to_ms and r["end_ms"] >= sent_from_ms]
        assert holding, (sent_from_ms, sent_to_ms, rows)
        first, second = back_to_back(rows, min(int(r["start_ms"]) for r in holding))

        result = await driver.scenario(
            stack,
            "timeline",
            markerKind="person",
            boundary={
                "clipId": first["clip_id"],
                "nextClipId": second["clip_id"],
                "startMs": first["start_ms"],
                "endMs": first["end_ms"],
            },
            firstClipId=min(rows, key=lambda r: int(r["start_ms"]))["clip_id"],
        )
        # The dashboard card with its timeline on: the same marker, decrypted by the card.
        card = {"type": "custom:e2ee-nvr-clips-card", "mode": "clips", "timeline": True}
        in_card = await driver.scenario(
            stack,
            "card-timeline",
            dashboardPath=await save_dashboard(stack, [card], url_path="timeline-card"),
            markerKind="person",
        )
        # On a phone, by touch: a clip before the event's, which playing on from the marker
        # never reaches by itself.
        scrub_clip = min(rows, key=lambda r: int(r["start_ms"]))
        assert scrub_clip not in holding, (scrub_clip, holding)
        on_phone = await driver.scenario(
            stack,
            "timeline-touch",
            device="phone",
            markerKind="person",
            scrubClip={
                "clipId": scrub_clip["clip_id"],
                "startMs": scrub_clip["start_ms"],
                "endMs": scrub_clip["end_ms"],
            },
        )
        stack.agent.check_running()

    check_marker(result, rows, sent_from_ms, sent_to_ms)
    check_crossing(result["boundary"])
    check_keys(result)
    check_card(in_card, result["marker"])
    check_phone(on_phone, result["marker"], scrub_clip)
    pictures = sorted(p.name for p in shots.glob("*.png"))
    assert any("crossed-boundary" in name for name in pictures), pictures


def check_marker(
    result: dict[str, Any], rows: list[dict[str, Any]], sent_from_ms: int, sent_to_ms: int
) -> None:
    """(a) At the event's moment, in the clip that recorded it, at its offset there, drawn
    where that moment is on the bar; a click plays that clip from there."""
    marker = result["marker"]
    print(f"timeline: marker {marker}; from marker {result['fromMarker']['firstPosition']}")
    assert sent_from_ms - EVENT_CLOCK_SLACK_MS <= marker["atMs"] <= sent_to_ms, (
        marker,
        sent_from_ms,
        sent_to_ms,
    )
    home = {r["clip_id"]: r for r in rows}[marker["clipId"]]
    assert home["start_ms"] <= marker["atMs"] < home["end_ms"], (marker, home)
    assert marker["offsetMs"] == marker["atMs"] - home["start_ms"], (marker, home)
    drawn_off_px = abs(marker["drawnFraction"] - marker["expectedFraction"]) * marker["barWidth"]
    assert drawn_off_px <= MARKER_PIXELS, marker
    # HA never saw a "person": its rows name only what the owner let it see.
    assert all("person" not in r["events"] for r in rows), rows
    # The first position the player reported and the first range the <video> played both
    # start at the event's offset in its clip.
    played = result["fromMarker"]
    assert played["firstPosition"]["clipId"] == marker["clipId"], (played, marker)
    assert abs(played["firstPosition"]["offsetMs"] - marker["offsetMs"]) < 1_000, (played, marker)
    ranges = played["video"]["played"]
    assert abs(ranges[0][0] - marker["offsetMs"] / 1000) < 0.5, (ranges, marker)
    assert played["video"]["frames"] > 0 and played["video"]["error"] is None, played


def check_crossing(boundary: dict[str, Any]) -> None:
    """(b) The next clip plays: the media time passed the boundary with no seek, no ended and
    no waiting there, and frames kept decoding."""
    after, before = boundary["after"], boundary["before"]
    print(f"timeline: before {before}, after {after}; media events {boundary['mediaAfterSeek']}")
    boundary_time = after["currentTime"] - after["offsetMs"] / 1000
    assert before["currentTime"] < boundary_time < after["currentTime"], boundary
    assert not [m for m in boundary["media"] if m["type"] == "ended"], boundary
    since = boundary["mediaAfterSeek"]
    # No seek after the playhead reached the spot before the boundary: it played there itself.
    assert not [m for m in since if m["type"] == "seeking"], boundary
    stalls = [m for m in since if m["type"] in ("waiting", "stalled")]
    assert not [m for m in stalls if abs(m["currentTime"] - boundary_time) < 0.5], boundary
    state_before, state_after = boundary["stateBefore"], boundary["stateAfter"]
    assert state_after["frames"] > state_before["frames"], boundary
    assert state_after["currentTime"] > state_before["currentTime"], boundary
    assert not state_after["ended"] and not state_after["paused"], boundary
    assert state_after["error"] is None, boundary
    # One played range runs across the boundary: the picture never stopped there.
    assert any(start < boundary_time < end for start, end in state_after["played"]), state_after


def check_card(in_card: dict[str, Any], marker: dict[str, Any]) -> None:
    """(d) The card's timeline (inside HA's ha-card) has the panel's marker, and plays it."""
    print(f"timeline: card marker {in_card['marker']}, played {in_card['played']}")
    assert in_card["insideHaCard"], in_card
    assert in_card["marker"]["clipId"] == marker["clipId"], (in_card, marker)
    assert in_card["marker"]["atMs"] == marker["atMs"], (in_card, marker)
    assert in_card["playingClip"] == marker["clipId"], in_card
    assert abs(in_card["played"][0][0] - marker["offsetMs"] / 1000) < 0.5, in_card
    assert in_card["video"]["frames"] > 0 and in_card["video"]["error"] is None, in_card


def check_keys(result: dict[str, Any]) -> None:
    """(c) Home played the day's first recording from its start; Shift+ArrowRight then jumped
    to the event; the slider names itself and says where it is."""
    keys, marker = result["keys"], result["marker"]
    assert keys["home"]["offsetMs"] < 1_000, keys
    assert keys["nextEvent"]["clipId"] == marker["clipId"], (keys, marker)
    assert keys["slider"]["label"] and keys["slider"]["valueText"], keys


def check_phone(on_phone: dict[str, Any], marker: dict[str, Any], clip: dict[str, Any]) -> None:
    """(e) At 390x844 with a touchscreen: HA's narrow layout (no sidebar, its menu button in our
    header), no sideways scrolling, a marker a finger can hit, and both the tap on it and the
    drag along the bar play from the touched moment."""
    print(f"timeline: phone {on_phone['layout']}, marker {on_phone['marker']}")
    print(f"timeline: phone scrub {on_phone['scrub']}")
    assert on_phone["touch"]["maxTouchPoints"] > 0, on_phone["touch"]
    for layout in on_phone["layout"].values():
        assert layout["innerWidth"] == PHONE_WIDTH, layout
        assert layout["scrollWidth"] <= PHONE_WIDTH, layout
        assert layout["panelRight"] <= PHONE_WIDTH, layout
        assert layout["panelNarrow"] and not layout["sidebarShown"], layout
        menu = layout["menuButton"]
        assert menu is not None and menu["width"] >= TOUCH_TARGET_PX, layout
    # The row's name sits above its bar on a phone: the bar has most of the width to scrub.
    assert on_phone["scrub"]["bar"]["width"] >= PHONE_WIDTH * PHONE_BAR_FRACTION, on_phone["scrub"]
    box = on_phone["marker"]["box"]
    assert box["width"] >= TOUCH_TARGET_PX and box["height"] >= TOUCH_TARGET_PX, box
    tapped = on_phone["fromMarker"]
    assert on_phone["marker"]["clipId"] == marker["clipId"], (on_phone["marker"], marker)
    assert abs(tapped["offsetMs"] - marker["offsetMs"]) < 1_000, (tapped, marker)
    scrub = on_phone["scrub"]
    aimed_offset = scrub["aimMs"] - int(clip["start_ms"])
    # Where the finger let go, to a pixel (msPerPixel); the same second's leeway as the tap's.
    assert abs(scrub["position"]["offsetMs"] - aimed_offset) < 1_000 + scrub["msPerPixel"], scrub
    assert scrub["video"]["frames"] > 0 and scrub["video"]["error"] is None, scrub
