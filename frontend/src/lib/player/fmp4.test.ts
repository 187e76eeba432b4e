import { describe, expect, it } from "vitest";
import { concat } from "../crypto/bytes";
import { isHevc, playability } from "./codec";
import { findFragment, fragmentTime, initSegmentEnd, trackTimescales } from "./fmp4";
import { clipFileName } from "./download";

function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const size = 8 + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  out.set(new TextEncoder().encode(type), 4);
  let offset = 8;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function u32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  values.forEach((v, i) => new DataView(out.buffer).setUint32(i * 4, v));
  return out;
}

// tkhd v0: version/flags, ctime, mtime, track_ID...; mdhd v0: version/flags, ctime, mtime, timescale
const trak = (id: number, timescale: number, handler: string) =>
  box(
    "trak",
    box("tkhd", u32s(0, 0, 0, id, 0)),
    box("mdia", box("mdhd", u32s(0, 0, 0, timescale, 0)), box("hdlr", u32s(0, 0), new TextEncoder().encode(handler), u32s(0, 0, 0))),
  );
const init = concat(box("ftyp", new TextEncoder().encode("isom")), box("moov", trak(1, 90000, "vide"), trak(2, 48000, "soun")));
const moof = (decodeTime: number) =>
  box("moof", box("mfhd", u32s(0, 1)), box("traf", box("tfhd", u32s(0, 2)), box("tfdt", u32s(0, 0))), box("traf", box("tfhd", u32s(0, 1)), box("tfdt", u32s(0, decodeTime))));

describe("fmp4", () => {
  it("finds the init segment end, track timescales and fragment times", () => {
    const stream = concat(init, moof(90000 * 12), box("mdat", new Uint8Array(50)));
    expect(initSegmentEnd(stream)).toBe(init.length);
    const tracks = trackTimescales(init);
    expect(tracks.get(1)).toEqual({ timescale: 90000, video: true });
    expect(tracks.get(2)).toEqual({ timescale: 48000, video: false });
    expect(fragmentTime(stream, init.length, tracks)).toBe(12);
  });

  it("finds a fragment start in the middle of a chunk, skipping a stray 'moof' in data", () => {
    const stray = concat(new Uint8Array([0, 0, 0, 20]), new TextEncoder().encode("moof"), new Uint8Array(12));
    const data = concat(new Uint8Array(7), stray, moof(5), box("mdat", new Uint8Array(3)));
    expect(findFragment(data)).toBe(7 + stray.length);
    expect(findFragment(new Uint8Array(100))).toBeNull();
  });
});

describe("codecs and names", () => {
  it("names HEVC apart from other unsupported codecs", () => {
    expect(isHevc("hvc1.1.6.L93.B0")).toBe(true);
    expect(isHevc("avc1.640028,mp4a.40.2")).toBe(false);
    const noHevc = (mime: string) => !mime.includes("hvc1");
    expect(playability("video/mp4", "hvc1.1.6.L93.B0", noHevc)).toMatchObject({ playable: false, reason: "hevc" });
    expect(playability("video/mp4", "avc1.640028", noHevc)).toMatchObject({ playable: true, mime: 'video/mp4; codecs="avc1.640028"' });
    expect(playability("video/mp4", "avc1.640028", null)).toMatchObject({ playable: false, reason: "no-mse" });
  });

  it("makes safe download names", () => {
    expect(clipFileName("Front door/../x", Date.UTC(2026, 10, 29, 12, 30, 5))).toBe("Front_door_x_2026-11-29T12-30-05Z.mp4");
  });
});
