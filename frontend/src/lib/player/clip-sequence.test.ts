import { describe, expect, it } from "vitest";
import { nextStart, placedAt, positionInSequence, timeInSequence } from "./clip-sequence";

// Three 4 s clips back to back; the second's media ended 20 ms past its signed duration.
const sequence = [
  { clipId: "a", startSeconds: 0, durationSeconds: 4 },
  { clipId: "b", startSeconds: 4.02, durationSeconds: 4 },
  { clipId: "c", startSeconds: 8.04, durationSeconds: 4 },
];

describe("a gapless clip sequence", () => {
  it("finds the clip a media time shows", () => {
    expect(placedAt(sequence, 0)?.clipId).toBe("a");
    expect(placedAt(sequence, 4.019)?.clipId).toBe("a");
    expect(placedAt(sequence, 4.02)?.clipId).toBe("b");
    expect(placedAt(sequence, 100)?.clipId).toBe("c");
    expect(placedAt([], 1)).toBeUndefined();
  });

  it("maps media time to (clip, offset) and back", () => {
    expect(positionInSequence(sequence, 5.52)).toEqual({ clipId: "b", offsetMs: 1_500 });
    expect(timeInSequence(sequence, "b", 1_500)).toBeCloseTo(5.52);
    expect(timeInSequence(sequence, "c", 60_000)).toBeCloseTo(12.04);
    expect(timeInSequence(sequence, "z", 0)).toBeNull();
    expect(positionInSequence([], 1)).toBeNull();
  });

  it("starts the next clip where the buffered media ends, else after the signed duration", () => {
    const [first] = sequence;
    if (first === undefined) throw new Error("no clip");
    expect(nextStart(first, 4.02)).toBe(4.02);
    expect(nextStart(first, null)).toBe(4);
    // A buffered end before the clip's own start is another clip's media: not ours to follow.
    expect(nextStart({ clipId: "b", startSeconds: 4.02, durationSeconds: 4 }, 3)).toBeCloseTo(8.02);
  });
});
