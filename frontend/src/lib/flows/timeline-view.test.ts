import { describe, expect, it } from "vitest";
import { DAY, END, S, at, clip } from "../../testing/timeline-day";
import { buildTimeline } from "./timeline";
import { MIN_WINDOW_MS, fitWindow, follow, fractionInWindow, keyAction, markersInWindow, momentInWindow, placeInWindow, zoom } from "./timeline-view";

// Continuous 4 s clips 36 000-36 012 s (10:00), a motion inside the second; an event clip at 18:00.
const day = buildTimeline(
  [
    clip("a", 36_000, 36_004),
    clip("b", 36_004, 36_008, [{ kind: "motion", startMs: at(36_005.5), endMs: at(36_006) }]),
    clip("c", 36_008, 36_012),
    clip("e", 64_800, 64_830, [{ kind: "person", startMs: at(64_810), endMs: null }]),
  ],
  DAY,
  END,
);

describe("the visible window", () => {
  it("fits the recorded part of the day with a margin", () => {
    const view = fitWindow(day);
    expect(view.fromMs).toBeLessThan(at(36_000));
    expect(view.toMs).toBeGreaterThan(at(64_830));
    expect(view.toMs - view.fromMs).toBeLessThan(86_400 * S);
  });

  it("fits a short recording into at least a minute, inside the day", () => {
    const early = buildTimeline([clip("x", 1, 5)], DAY, END);
    const view = fitWindow(early);
    expect(view).toEqual({ fromMs: DAY, toMs: DAY + MIN_WINDOW_MS });
  });

  it("is the whole day when nothing is recorded", () => {
    expect(fitWindow(buildTimeline([], DAY, END))).toEqual({ fromMs: DAY, toMs: END });
  });

  it("zooms around a moment and never past the day or below a minute", () => {
    const view = zoom(day, { fromMs: DAY, toMs: END }, 0.5, at(36_000));
    expect(view.toMs - view.fromMs).toBe(43_200 * S);
    expect(view.fromMs).toBe(at(36_000 - 21_600));
    expect(zoom(day, view, 1e-6, at(36_000)).toMs - zoom(day, view, 1e-6, at(36_000)).fromMs).toBe(MIN_WINDOW_MS);
    expect(zoom(day, view, 10, at(36_000))).toEqual({ fromMs: DAY, toMs: END });
  });

  it("follows a playhead that left it, and stays put while it is inside", () => {
    const view = { fromMs: at(36_000), toMs: at(36_060) };
    expect(follow(day, view, at(36_030))).toBe(view);
    const moved = follow(day, view, at(36_070));
    expect(moved.fromMs).toBeLessThanOrEqual(at(36_070));
    expect(moved.toMs).toBeGreaterThan(at(36_070));
    expect(moved.toMs - moved.fromMs).toBe(60 * S);
  });
});

describe("bar geometry", () => {
  const view = { fromMs: at(36_000), toMs: at(36_060) };

  it("maps pointer fractions to moments and back, clamped to the window", () => {
    expect(momentInWindow(view, 0.5)).toBe(at(36_030));
    expect(momentInWindow(view, -1)).toBe(at(36_000));
    expect(momentInWindow(view, Number.NaN)).toBe(at(36_000));
    expect(fractionInWindow(view, at(36_015))).toBe(0.25);
    expect(fractionInWindow(view, at(40_000))).toBe(1);
  });

  it("places spans in percent, and nothing out of view", () => {
    expect(placeInWindow(view, at(36_000), at(36_012))).toEqual({ left: 0, width: 20 });
    expect(placeInWindow(view, at(64_800), at(64_830))).toBeNull();
  });

  it("keeps the markers in view", () => {
    expect(markersInWindow(view, day.markers).map((m) => m.kind)).toEqual(["motion"]);
  });
});

describe("keys", () => {
  it("Enter and Space play from the playhead, or from the first recording", () => {
    expect(keyAction(day, at(36_002), "Enter", false)).toEqual({ kind: "play", atMs: at(36_002), marker: null });
    expect(keyAction(day, null, " ", false)).toEqual({ kind: "play", atMs: at(36_000), marker: null });
  });

  it("arrows step as a slider does, across gaps", () => {
    expect(keyAction(day, at(36_000), "ArrowRight", false)).toEqual({ kind: "seek", atMs: at(36_010), marker: null });
    expect(keyAction(day, at(36_010), "ArrowRight", false)).toEqual({ kind: "seek", atMs: at(64_800), marker: null });
    expect(keyAction(day, at(36_000), "End", false)?.atMs).toBe(at(64_830) - 1);
  });

  it("Shift+arrows jump to the next and previous event, with the marker's own clip and offset", () => {
    const next = keyAction(day, at(36_000), "ArrowRight", true);
    expect(next?.atMs).toBe(at(36_005.5));
    expect(next?.marker).toMatchObject({ clipId: "b", offsetMs: 1_500 });
    expect(keyAction(day, at(36_006), "ArrowLeft", true)?.marker?.clipId).toBe("b");
    expect(keyAction(day, at(36_000), "ArrowLeft", true)).toBeNull();
  });

  it("lets other keys through, and does nothing on an empty day", () => {
    expect(keyAction(day, at(36_000), "Tab", false)).toBeNull();
    expect(keyAction(buildTimeline([], DAY, END), null, "Enter", false)).toBeNull();
  });
});
