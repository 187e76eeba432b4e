import { describe, expect, it } from "vitest";
import { type ClipRow } from "../api/schemas";
import { type ClipFacts } from "./clip-facts";
import { byCamera, verifyRows } from "./day-clips";

function row(clipId: string): ClipRow {
  return { clip_id: clipId } as ClipRow;
}

function facts(clipId: string, deviceId: string, cameraId: string, startMs: number): ClipFacts {
  return {
    clipId,
    deviceId,
    cameraId,
    cameraName: cameraId,
    cameraNamePinned: false,
    startMs,
    endMs: startMs + 4_000,
    events: [],
    eventKinds: [],
    disagreements: [],
    withheld: null,
  };
}

describe("a day's verified clips", () => {
  it("keeps the clips that verify and counts the ones that do not, in batches of 100", async () => {
    const rows = [...Array.from({ length: 250 }, (_, i) => `c${i}`), "bad"].map(row);
    const seen: number[] = [];
    const batches: number[] = [];
    const found = await verifyRows(
      rows,
      async (batch) => {
        batches.push(batch.length);
        return Promise.allSettled(
          batch.map(async (r) => {
            if (r.clip_id === "bad") throw new Error("signature does not verify");
            return facts(r.clip_id, "dev", "cam", 0);
          }),
        );
      },
      (progress) => seen.push(progress.facts.length + progress.refused),
    );
    expect(found.facts).toHaveLength(250);
    expect(found.refused).toBe(1);
    expect(batches.sort((a, b) => a - b)).toEqual([51, 100, 100]);
    expect(seen).toHaveLength(3);
    expect(seen.at(-1)).toBe(251);
  });

  it("groups by the signed camera, each camera's clips by start", () => {
    const cameras = byCamera([facts("2", "dev", "yard", 20), facts("1", "dev", "door", 5), facts("3", "dev", "yard", 10)]);
    expect([...cameras.keys()]).toEqual(["dev/door", "dev/yard"]);
    expect(cameras.get("dev/yard")?.map((f) => f.clipId)).toEqual(["3", "2"]);
  });
});
