import { describe, expect, it } from "vitest";
import { type ClipFacts } from "./clip-facts";
import { DAY, END, S, at, clip } from "../../testing/timeline-day";
import {
  InvalidTimeline,
  buildTimeline,
  clipAfter,
  fractionOf,
  momentAtFraction,
  momentOf,
  nextMarker,
  playFrom,
  positionAt,
  previousMarker,
  step,
} from "./timeline";

// Continuous recording 0-180 s in three clips (the second starts 2 ms late, as cut clips do),
// a motion that spans the first boundary (listed by both clips, ongoing in the first), a
// person in the second clip; nothing 180-300 s; an event clip 300-330 s with its motion.
const day = buildTimeline(
  [
    clip("c3", 120, 180),
    clip("c1", 0, 60, [{ kind: "motion", startMs: at(50), endMs: null }]),
    clip("c2", 60.002, 120, [
      { kind: "motion", startMs: at(50), endMs: at(65) },
      { kind: "person", startMs: at(75), endMs: at(80) },
    ]),
    clip("e1", 300, 330, [{ kind: "motion", startMs: at(305), endMs: at(312) }]),
  ],
  DAY,
  END,
);

describe("spans and gaps", () => {
  it("joins back-to-back clips into one span, in start order", () => {
    expect(day.spans).toEqual([
      { startMs: at(0), endMs: at(180), clipIds: ["c1", "c2", "c3"] },
      { startMs: at(300), endMs: at(330), clipIds: ["e1"] },
    ]);
  });

  it("leaves the rest of the day as gaps", () => {
    expect(day.gaps).toEqual([
      { startMs: at(180), endMs: at(300) },
      { startMs: at(330), endMs: END },
    ]);
  });

  it("cuts spans at the day's bounds and drops clips of other days", () => {
    const cut = buildTimeline([clip("before", -120, -60), clip("midnight", -30, 30), clip("late", 86_390, 86_420)], DAY, END);
    expect(cut.spans.map((s) => [s.startMs, s.endMs])).toEqual([
      [at(0), at(30)],
      [at(86_390), END],
    ]);
    expect(cut.clips.map((c) => c.clipId)).toEqual(["midnight", "late"]);
    // The clip that began before midnight is played from its real start: 10 s after midnight
    // is 40 s into it.
    expect(positionAt(cut, at(10))).toEqual({ clipId: "midnight", offsetMs: 40 * S });
  });

  it("a day without clips is one gap", () => {
    const empty = buildTimeline([], DAY, END);
    expect(empty.spans).toEqual([]);
    expect(empty.gaps).toEqual([{ startMs: DAY, endMs: END }]);
  });
});

describe("event markers", () => {
  it("places each event at its offset in the clip it starts in, once", () => {
    expect(day.markers).toEqual([
      { kind: "motion", atMs: at(50), endMs: at(65), clipId: "c1", offsetMs: 50 * S },
      { kind: "person", atMs: at(75), endMs: at(80), clipId: "c2", offsetMs: 75 * S - 60.002 * S },
      { kind: "motion", atMs: at(305), endMs: at(312), clipId: "e1", offsetMs: 5 * S },
    ]);
  });

  it("clamps an event that began before its clip to the clip's start, one still going to its end", () => {
    const early = buildTimeline([clip("late-start", 100, 160, [{ kind: "tamper", startMs: at(90), endMs: null }])], DAY, END);
    expect(early.markers).toEqual([{ kind: "tamper", atMs: at(100), endMs: at(160), clipId: "late-start", offsetMs: 0 }]);
  });

  it("keeps a marker inside the clip when the event's time lies past the clip's end", () => {
    const skewed = buildTimeline([clip("k", 0, 60, [{ kind: "motion", startMs: at(61), endMs: at(62) }])], DAY, END);
    expect(skewed.markers[0]).toMatchObject({ atMs: at(60), offsetMs: 60 * S, clipId: "k" });
  });

  it("finds the next and the previous event", () => {
    expect(nextMarker(day, at(50))?.kind).toBe("person");
    expect(nextMarker(day, at(0))?.atMs).toBe(at(50));
    expect(nextMarker(day, at(305))).toBeNull();
    expect(previousMarker(day, at(305))?.kind).toBe("person");
    expect(previousMarker(day, at(50))).toBeNull();
  });

  it("takes the verified ClipFacts as they are", () => {
    const facts: ClipFacts = {
      clipId: "f",
      deviceId: "d".repeat(32),
      cameraId: "yard",
      cameraName: "Yard",
      cameraNamePinned: true,
      startMs: at(0),
      endMs: at(60),
      events: [{ kind: "motion", startMs: at(12), endMs: at(14), source: "onvif" }],
      eventKinds: ["motion"],
      disagreements: [],
      withheld: null,
    };
    expect(buildTimeline([facts], DAY, END).markers[0]).toMatchObject({ clipId: "f", offsetMs: 12 * S });
  });
});

describe("a moment to a clip and back", () => {
  it("maps a moment to its clip and offset, and the offset back to the moment", () => {
    expect(positionAt(day, at(75))).toEqual({ clipId: "c2", offsetMs: 75 * S - 60.002 * S });
    for (const seconds of [0, 59.999, 75, 150, 329]) {
      const position = positionAt(day, at(seconds));
      expect(position).not.toBeNull();
      if (position !== null) expect(momentOf(day, position)).toBe(at(seconds));
    }
    expect(momentOf(day, { clipId: "unknown", offsetMs: 0 })).toBeNull();
    expect(momentOf(day, { clipId: "c1", offsetMs: 10 * 60 * S })).toBe(at(60)); // clamped to the clip
  });

  it("has no clip in a gap or in the 2 ms between two cut clips; playing from there starts the next", () => {
    expect(positionAt(day, at(60.001))).toBeNull();
    expect(playFrom(day, at(60.001))).toEqual({ clipId: "c2", offsetMs: 0 });
    expect(positionAt(day, at(200))).toBeNull();
    expect(playFrom(day, at(200))).toEqual({ clipId: "e1", offsetMs: 0 });
    expect(playFrom(day, at(400))).toBeNull();
    expect(playFrom(day, at(75))).toEqual(positionAt(day, at(75)));
  });

  it("continues playback in the next clip across a boundary", () => {
    expect(clipAfter(day, "c1")).toEqual({ clipId: "c2", offsetMs: 0 });
    expect(clipAfter(day, "c3")).toEqual({ clipId: "e1", offsetMs: 0 });
    expect(clipAfter(day, "e1")).toBeNull();
    expect(clipAfter(day, "unknown")).toBeNull();
  });

  it("with overlapping clips, continues at the moment the current one ended", () => {
    const overlap = buildTimeline([clip("a", 0, 60), clip("b", 50, 100), clip("inner", 55, 58)], DAY, END);
    expect(positionAt(overlap, at(56))).toEqual({ clipId: "inner", offsetMs: 1 * S });
    expect(positionAt(overlap, at(59))).toEqual({ clipId: "b", offsetMs: 9 * S });
    expect(clipAfter(overlap, "a")).toEqual({ clipId: "b", offsetMs: 10 * S });
    expect(overlap.spans).toHaveLength(1);
  });
});

describe("keyboard", () => {
  it("steps like a slider and jumps across gaps in the direction of travel", () => {
    expect(step(day, at(100), "ArrowRight")).toBe(at(110));
    expect(step(day, at(100), "ArrowUp")).toBe(at(110));
    expect(step(day, at(100), "ArrowLeft")).toBe(at(90));
    expect(step(day, at(175), "ArrowRight")).toBe(at(300)); // 185 s is a gap: on to the next recording
    expect(step(day, at(305), "ArrowLeft")).toBe(at(180) - 1); // 295 s is a gap: back to the last frame before it
    expect(step(day, at(5), "ArrowLeft")).toBeNull(); // nothing before
    expect(step(day, at(325), "ArrowRight")).toBeNull(); // nothing after
  });

  it("pages by the large step, and Home and End go to the first and last recorded moment", () => {
    expect(step(day, at(0), "PageUp", { smallMs: 10 * S, largeMs: 100 * S })).toBe(at(100));
    expect(step(day, at(320), "PageDown", { smallMs: 10 * S, largeMs: 100 * S })).toBe(at(180) - 1);
    expect(step(day, at(150), "Home")).toBe(at(0));
    expect(step(day, at(150), "End")).toBe(at(330) - 1);
  });

  it("ignores other keys and an empty day", () => {
    expect(step(day, at(100), "Enter")).toBeNull();
    expect(step(buildTimeline([], DAY, END), DAY, "Home")).toBeNull();
  });
});

describe("pointer", () => {
  it("maps a place on the bar to a moment and back, clamped to the day", () => {
    expect(momentAtFraction(day, 0)).toBe(DAY);
    expect(momentAtFraction(day, 0.5)).toBe(at(43_200));
    expect(momentAtFraction(day, 1.7)).toBe(END);
    expect(momentAtFraction(day, Number.NaN)).toBe(DAY);
    expect(fractionOf(day, at(21_600))).toBe(0.25);
    expect(fractionOf(day, DAY - 5 * S)).toBe(0);
  });
});

describe("bad input", () => {
  it("refuses day bounds that are not a range, and a clip that ends before it starts", () => {
    expect(() => buildTimeline([], END, DAY)).toThrow(InvalidTimeline);
    expect(() => buildTimeline([], DAY, Number.NaN)).toThrow(InvalidTimeline);
    expect(() => buildTimeline([clip("backwards", 10, 5)], DAY, END)).toThrow(/ends before it starts/);
  });
});
