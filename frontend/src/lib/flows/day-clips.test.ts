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
  it("keeps the clips that verify and counts the ones that do not", async () => {
    const rows = ["a", "b", "bad", "c", "d", "e"].map(row);
    const seen: number[] = [];
    const found = await verifyRows(
      rows,
      async (r) => {
        if (r.clip_id === "bad") throw new Error("signature does not verify");
        return facts(r.clip_id, "dev", "cam", 0);
      },
      (progress) => seen.push(progress.facts.length + progress.refused),
    );
    expect(found.facts.map((f) => f.clipId).sort()).toEqual(["a", "b", "c", "d", "e"]);
    expect(found.refused).toBe(1);
    expect(seen.at(-1)).toBe(6);
  });

  it("groups by the signed camera, each camera's clips by start", () => {
    const cameras = byCamera([facts("2", "dev", "yard", 20), facts("1", "dev", "door", 5), facts("3", "dev", "yard", 10)]);
    expect([...cameras.keys()]).toEqual(["dev/door", "dev/yard"]);
    expect(cameras.get("dev/yard")?.map((f) => f.clipId)).toEqual(["3", "2"]);
  });
});
