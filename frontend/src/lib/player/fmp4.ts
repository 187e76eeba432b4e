// Just enough fragmented-MP4 parsing to seek: where the init segment ends, where a fragment
// (moof) starts inside a decrypted chunk, and the fragment's decode time in seconds.
// Everything parsed here is plaintext that already authenticated under the clip key.

const TEXT = new TextDecoder("latin1");

interface Box {
  type: string;
  start: number;
  headerSize: number;
  end: number;
}

function u32(data: Uint8Array, offset: number): number {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(offset);
}

function u64(data: Uint8Array, offset: number): number {
  return u32(data, offset) * 2 ** 32 + u32(data, offset + 4);
}

/** The box at `offset`, or null if its header or body runs past `limit`. */
function boxAt(data: Uint8Array, offset: number, limit = data.length): Box | null {
  if (offset + 8 > limit) return null;
  let size = u32(data, offset);
  let headerSize = 8;
  if (size === 1) {
    if (offset + 16 > limit) return null;
    size = u64(data, offset + 8);
    headerSize = 16;
  } else if (size === 0) {
    size = limit - offset;
  }
  if (size < headerSize || offset + size > limit) return null;
  return { type: TEXT.decode(data.subarray(offset + 4, offset + 8)), start: offset, headerSize, end: offset + size };
}

function children(data: Uint8Array, parent: Box): Box[] {
  const out: Box[] = [];
  let offset = parent.start + parent.headerSize;
  while (offset < parent.end) {
    const box = boxAt(data, offset, parent.end);
    if (box === null) break;
    out.push(box);
    offset = box.end;
  }
  return out;
}

function child(data: Uint8Array, parent: Box, type: string): Box | undefined {
  return children(data, parent).find((box) => box.type === type);
}

/** Offset of the first top-level moof: the init segment (ftyp, moov) is everything before. */
export function initSegmentEnd(data: Uint8Array): number | null {
  let offset = 0;
  for (;;) {
    const box = boxAt(data, offset);
    if (box === null) return null;
    if (box.type === "moof") return box.start;
    offset = box.end;
  }
}

/** Per track id, its media timescale (moov/trak/tkhd + mdia/mdhd) and whether it is video. */
export function trackTimescales(init: Uint8Array): Map<number, { timescale: number; video: boolean }> {
  const tracks = new Map<number, { timescale: number; video: boolean }>();
  let offset = 0;
  for (let box = boxAt(init, offset); box !== null; box = boxAt(init, offset)) {
    offset = box.end;
    if (box.type !== "moov") continue;
    for (const trak of children(init, box).filter((b) => b.type === "trak")) {
      const tkhd = child(init, trak, "tkhd");
      const mdia = child(init, trak, "mdia");
      const mdhd = mdia === undefined ? undefined : child(init, mdia, "mdhd");
      const hdlr = mdia === undefined ? undefined : child(init, mdia, "hdlr");
      if (tkhd === undefined || mdhd === undefined) continue;
      const tkhdBody = tkhd.start + tkhd.headerSize;
      const trackId = u32(init, tkhdBody + ((init[tkhdBody] ?? 0) === 1 ? 20 : 12));
      const mdhdBody = mdhd.start + mdhd.headerSize;
      const timescale = u32(init, mdhdBody + ((init[mdhdBody] ?? 0) === 1 ? 20 : 12));
      const handler = hdlr === undefined ? "" : TEXT.decode(init.subarray(hdlr.start + hdlr.headerSize + 8, hdlr.start + hdlr.headerSize + 12));
      if (timescale > 0) tracks.set(trackId, { timescale, video: handler === "vide" });
    }
  }
  return tracks;
}

/**
 * The first moof that starts at or after `from` and is whole inside `data`: a candidate is a
 * "moof" type whose first child is an mfhd, so a stray "moof" inside sample data rarely fits.
 */
export function findFragment(data: Uint8Array, from = 0): number | null {
  for (let i = Math.max(from, 0) + 4; i + 12 <= data.length; i++) {
    if (data[i] !== 0x6d || data[i + 1] !== 0x6f || data[i + 2] !== 0x6f || data[i + 3] !== 0x66) continue;
    const box = boxAt(data, i - 4);
    if (box === null || box.type !== "moof") continue;
    const first = boxAt(data, box.start + box.headerSize, box.end);
    if (first?.type === "mfhd") return box.start;
  }
  return null;
}

/** Decode time (seconds) of the video track of the moof at `offset`; null if unreadable. */
export function fragmentTime(
  data: Uint8Array,
  offset: number,
  tracks: Map<number, { timescale: number; video: boolean }>,
): number | null {
  const moof = boxAt(data, offset);
  if (moof === null || moof.type !== "moof") return null;
  let fallback: number | null = null;
  for (const traf of children(data, moof).filter((b) => b.type === "traf")) {
    const tfhd = child(data, traf, "tfhd");
    const tfdt = child(data, traf, "tfdt");
    if (tfhd === undefined || tfdt === undefined) continue;
    const trackId = u32(data, tfhd.start + tfhd.headerSize + 4);
    const body = tfdt.start + tfdt.headerSize;
    const decodeTime = (data[body] ?? 0) === 1 ? u64(data, body + 4) : u32(data, body + 4);
    const track = tracks.get(trackId);
    if (track === undefined) continue;
    const seconds = decodeTime / track.timescale;
    if (track.video) return seconds;
    fallback ??= seconds;
  }
  return fallback;
}
