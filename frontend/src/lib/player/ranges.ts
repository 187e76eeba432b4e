// Chunk arithmetic for range reads of a stream object (protocol section 9.2): which chunks hold
// a plaintext offset, which ciphertext bytes to request for a run of chunks.
//
// The geometry comes from a verified manifest; chunkRange (crypto layer) refuses a geometry that
// section 9.2 does not allow, so a lying store cannot make us request bytes outside the object.

import { HEADER_BYTES, chunkRange } from "../crypto/stream-format";

export interface StreamGeometry {
  chunkSize: number;
  chunkCount: number;
  ciphertextSize: number;
  plaintextSize: number;
}

/** The 32 header bytes every chunk's tag is bound to. */
export const HEADER_RANGE: readonly [number, number] = [0, HEADER_BYTES];

/** Ciphertext bytes [start, end) holding chunks first..last (inclusive). */
export function chunksByteRange(geometry: StreamGeometry, first: number, last: number): [number, number] {
  if (last < first) throw new RangeError("empty chunk run");
  const { chunkSize, chunkCount, ciphertextSize } = geometry;
  const [start] = chunkRange(first, chunkSize, chunkCount, ciphertextSize);
  const [, end] = chunkRange(last, chunkSize, chunkCount, ciphertextSize);
  return [start, end];
}

/** Split a ciphertext run back into its chunks, by the same geometry. */
export function splitChunks(geometry: StreamGeometry, first: number, bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const [base] = chunksByteRange(geometry, first, first);
  let index = first;
  let offset = 0;
  while (offset < bytes.length) {
    const [start, end] = chunksByteRange(geometry, index, index);
    const length = end - start;
    if (start - base !== offset || offset + length > bytes.length) throw new RangeError("short chunk run");
    out.push(bytes.subarray(offset, offset + length));
    offset += length;
    index++;
  }
  return out;
}

/** The chunk holding plaintext byte `offset` (clamped to the stream). */
export function chunkOfPlaintextOffset(geometry: StreamGeometry, offset: number): number {
  const index = Math.floor(Math.max(0, offset) / geometry.chunkSize);
  return Math.min(index, geometry.chunkCount - 1);
}

/** Plaintext offset of chunk `index`'s first byte. */
export function plaintextStart(geometry: StreamGeometry, index: number): number {
  return index * geometry.chunkSize;
}

/**
 * A first guess of the chunk holding time `seconds` of a clip lasting `durationSeconds`,
 * assuming a roughly constant bitrate; the player corrects it with the fragment's own time.
 */
export function estimateChunkForTime(geometry: StreamGeometry, seconds: number, durationSeconds: number): number {
  if (!(durationSeconds > 0)) return 0;
  const fraction = Math.min(1, Math.max(0, seconds / durationSeconds));
  return chunkOfPlaintextOffset(geometry, Math.floor(fraction * geometry.plaintextSize));
}

/** Runs of at most `perRequest` chunks from `first` to the end: one Range request each. */
export function requestPlan(geometry: StreamGeometry, first: number, perRequest: number): Array<[number, number]> {
  const plan: Array<[number, number]> = [];
  for (let start = first; start < geometry.chunkCount; start += perRequest) {
    plan.push([start, Math.min(start + perRequest, geometry.chunkCount) - 1]);
  }
  return plan;
}
