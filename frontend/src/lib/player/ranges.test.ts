import { describe, expect, it } from "vitest";
import { ciphertextSizeFor, chunkCountFor } from "../crypto/stream-format";
import {
  chunkOfPlaintextOffset,
  chunksByteRange,
  estimateChunkForTime,
  plaintextStart,
  requestPlan,
  splitChunks,
  type StreamGeometry,
} from "./ranges";

function geometry(plaintextSize: number, chunkSize: number): StreamGeometry {
  return {
    chunkSize,
    plaintextSize,
    chunkCount: chunkCountFor(plaintextSize, chunkSize),
    ciphertextSize: ciphertextSizeFor(plaintextSize, chunkSize),
  };
}

describe("chunk ranges", () => {
  const g = geometry(1000, 256); // chunks of 256+16 bytes, last one 232+16

  it("places chunk i at 32 + i*(chunk+16), the last chunk short", () => {
    expect(g.chunkCount).toBe(4);
    expect(chunksByteRange(g, 0, 0)).toEqual([32, 32 + 272]);
    expect(chunksByteRange(g, 1, 2)).toEqual([32 + 272, 32 + 3 * 272]);
    expect(chunksByteRange(g, 3, 3)).toEqual([32 + 3 * 272, g.ciphertextSize]);
    expect(g.ciphertextSize).toBe(32 + 1000 + 4 * 16);
  });

  it("splits a run back into chunks and refuses a short run", () => {
    const [start, end] = chunksByteRange(g, 2, 3);
    const pieces = splitChunks(g, 2, new Uint8Array(end - start));
    expect(pieces.map((p) => p.length)).toEqual([272, 232 + 16]);
    expect(() => splitChunks(g, 2, new Uint8Array(end - start - 1))).toThrow(RangeError);
  });

  it("refuses chunk indexes and geometries outside the object", () => {
    expect(() => chunksByteRange(g, 0, 4)).toThrow();
    expect(() => chunksByteRange({ ...g, ciphertextSize: g.ciphertextSize + 100 }, 0, 0)).toThrow();
    expect(() => chunksByteRange({ ...g, chunkSize: 100 }, 0, 0)).toThrow();
  });

  it("maps plaintext offsets and times to chunks", () => {
    expect(chunkOfPlaintextOffset(g, 0)).toBe(0);
    expect(chunkOfPlaintextOffset(g, 255)).toBe(0);
    expect(chunkOfPlaintextOffset(g, 256)).toBe(1);
    expect(chunkOfPlaintextOffset(g, 10_000)).toBe(3);
    expect(plaintextStart(g, 2)).toBe(512);
    expect(estimateChunkForTime(g, 0, 30)).toBe(0);
    expect(estimateChunkForTime(g, 15, 30)).toBe(1);
    expect(estimateChunkForTime(g, 99, 30)).toBe(3);
    expect(estimateChunkForTime(g, 5, 0)).toBe(0);
  });

  it("plans requests of bounded size to the end", () => {
    expect(requestPlan(g, 1, 2)).toEqual([
      [1, 2],
      [3, 3],
    ]);
    expect(requestPlan(geometry(0, 64), 0, 4)).toEqual([[0, 0]]);
  });
});
