// The first chunks of a clip's decrypted video: its init segment, its track timescales, and the
// decode time of its first fragment (clips are cut from a long stream, so it is not zero).

import { concat } from "../crypto/bytes";
import { type ChunkReader } from "./chunk-reader";
import { fragmentTime, initSegmentEnd, trackTimescales } from "./fmp4";

/** Chunk 0 holds the init segment; the first fragment's header may run into chunk 1 or 2. */
const HEAD_CHUNKS = 8;

export type Tracks = ReturnType<typeof trackTimescales>;

export interface ClipHead {
  /** The plaintext chunks read, in order, to be appended as they are. */
  chunks: Uint8Array[];
  /** The init segment alone, for re-entering this clip after another clip's data. */
  init: Uint8Array;
  tracks: Tracks;
  /** Seconds: the first fragment's decode time. */
  baseTime: number;
}

export async function readClipHead(reader: ChunkReader): Promise<ClipHead> {
  const chunks: Uint8Array[] = [];
  let init = new Uint8Array(0);
  let tracks: Tracks = new Map();
  let time: number | null = null;
  while (time === null && chunks.length < Math.min(HEAD_CHUNKS, reader.geometry.chunkCount)) {
    const [chunk] = await reader.read(chunks.length, chunks.length);
    if (chunk === undefined) throw new Error("clip chunk missing");
    chunks.push(chunk);
    const data = concat(...chunks);
    const initEnd = initSegmentEnd(data);
    if (initEnd === null) continue;
    init = data.slice(0, initEnd);
    tracks = trackTimescales(init);
    time = fragmentTime(data, initEnd, tracks);
  }
  return { chunks, init, tracks, baseTime: time ?? 0 };
}
