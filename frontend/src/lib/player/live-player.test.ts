// The live player's pure parts: codecs from a real ffmpeg init segment (the strings the agent's
// codecs.py gives for the same bytes), live-edge and trim arithmetic, the screens' states.

import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { ChunkAuthFailed, NotEnrolled, Replayed } from "../crypto/errors";
import { normaliseConfig, firstLiveCamera, liveCameraChoices } from "../flows/card-config";
import { afterEnd, liveStatusOf } from "../flows/live-state";
import { initSegmentEnd } from "./fmp4";
import { initCodecs } from "./init-codecs";
import { liveEdgeTarget, offsetForFirstFragment, trimRange } from "./live-edge";
import { LiveUnplayable } from "./live-errors";

/** The init segment (ftyp + moov) of one second of fragmented MP4 made by real ffmpeg. */
function ffmpegInit(args: string[]): Uint8Array {
  const out = execFileSync("ffmpeg", [
    "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", ...args, "-t", "1", "-pix_fmt", "yuv420p",
    "-movflags", "frag_keyframe+empty_moov+default_base_moof", "-f", "mp4", "pipe:1",
  ]);
  const data = new Uint8Array(out);
  return data.subarray(0, initSegmentEnd(data) ?? data.length);
}

describe("codecs from the init record", () => {
  it("H.264 with AAC audio, as codecs.py names them", () => {
    const init = ffmpegInit(["-f", "lavfi", "-i", "sine=frequency=440", "-c:v", "libx264", "-profile:v", "baseline", "-c:a", "aac"]);
    expect(initCodecs(init)).toEqual({ mime: "video/mp4", codecs: "avc1.42c00a,mp4a.40.2", hasAudio: true });
  });

  it("H.265 without audio", () => {
    const init = ffmpegInit(["-c:v", "libx265", "-tag:v", "hvc1", "-x265-params", "log-level=error"]);
    expect(initCodecs(init)).toEqual({ mime: "video/mp4", codecs: "hvc1.1.6.L30.90", hasAudio: false });
  });

  it("garbage gives no codec rather than an exception", () => {
    expect(initCodecs(new Uint8Array([0, 0, 0, 9, 0x6d, 0x6f, 0x6f, 0x76, 1]))).toEqual({ mime: "audio/mp4", codecs: "", hasAudio: false });
  });
});

describe("live edge", () => {
  it("jumps forward when more than 3 s behind or outside the newest range, never otherwise", () => {
    expect(liveEdgeTarget([], 0)).toBeNull();
    expect(liveEdgeTarget([{ start: 0, end: 4 }], 2)).toBeNull();
    expect(liveEdgeTarget([{ start: 0, end: 10 }], 2)).toBe(9.5);
    // Before the first fragment (a joining viewer) and stuck before a dropped fragment's hole.
    expect(liveEdgeTarget([{ start: 5, end: 6 }], 0)).toBe(5.5);
    expect(liveEdgeTarget([{ start: 0, end: 4 }, { start: 6, end: 8 }], 3.9)).toBe(7.5);
  });

  it("trims behind the playhead only once 30 s are there, keeping 10 s", () => {
    expect(trimRange([{ start: 0, end: 25 }], 24)).toBeNull();
    expect(trimRange([{ start: 0, end: 45 }], 44)).toEqual({ start: 0, end: 34 });
  });

  it("places a restarted capture's fragments after what is buffered", () => {
    expect(offsetForFirstFragment(1234.5, null)).toBe(-1234.5);
    expect(offsetForFirstFragment(0.2, 40)).toBeCloseTo(39.8);
  });
});

describe("live states", () => {
  it("names each outcome", () => {
    const hevc = new LiveUnplayable({ playable: false, mime: 'video/mp4; codecs="hvc1.1.6.L93.B0"', reason: "hevc" });
    expect(liveStatusOf(hevc)).toMatchObject({ state: "unplayable", key: "live.hevc" });
    expect(liveStatusOf(new ApiError("camera_offline", "no RTSP"))).toMatchObject({ state: "offline", key: "live.offline" });
    expect(liveStatusOf(new ApiError("NotEnrolled", "key not in H"))).toMatchObject({ state: "revoked" });
    expect(liveStatusOf(new NotEnrolled("revoked"))).toMatchObject({ state: "revoked" });
    expect(liveStatusOf(new Replayed("seq 3 after 5"))).toMatchObject({ state: "tampered", params: { name: "Replayed" } });
    expect(liveStatusOf(new ChunkAuthFailed("tag"))).toMatchObject({ state: "tampered", params: { name: "ChunkAuthFailed" } });
    expect(liveStatusOf(new ApiError("BadSignature", "x"))).toMatchObject({ state: "tampered" });
    expect(afterEnd("rekey").restart).toBe(true);
    expect(afterEnd("camera-offline")).toMatchObject({ restart: false, status: { state: "offline" } });
    expect(afterEnd(null)).toMatchObject({ restart: false, status: { state: "ended" } });
  });
});

describe("the card's live mode", () => {
  const a = `${"a".repeat(32)}/front`;
  const b = `${"b".repeat(32)}/back`;
  it("defaults to live, offers the chosen cameras, starts with the configured one", () => {
    const config = normaliseConfig({ type: "custom:e2ee-nvr-clips-card" });
    expect(config.mode).toBe("live");
    expect(liveCameraChoices(config, [a, b])).toEqual([a, b]);
    expect(firstLiveCamera(config, [a, b])).toBe(a);
    const chosen = normaliseConfig({ type: "x", cameras: [b], live_camera: b, mode: "clips" });
    expect(liveCameraChoices(chosen, [a, b])).toEqual([b]);
    expect(firstLiveCamera(chosen, [b])).toBe(b);
    expect(() => normaliseConfig({ type: "x", mode: "tv" })).toThrow(/mode/);
  });
});
