// The live player in real Chromium MSE: a real ffmpeg fMP4 cut into its init and fragments,
// sealed here as a device would seal live records, and streamed to LivePlayer at several
// fragments a second. Checks: frames decode, a dropped fragment (a seq gap) is counted and
// skipped, a new init (a restarted capture, decode times from zero again) continues the
// timeline, the playhead stays near the live edge, the end reason arrives; and a replayed
// record stops the player with Replayed before anything of it is appended.

import { type Bytes, ascii, concat, uintBE } from "../lib/crypto/bytes";
import { LiveRecordReader, RECORD_END, RECORD_INIT, RECORD_MEDIA } from "../lib/crypto/live";
import * as primitives from "../lib/crypto/primitives";
import { initSegmentEnd } from "../lib/player/fmp4";
import { LivePlayer } from "../lib/player/live-player";

type Failures = string[];
const PACE_MS = 120;

function topLevelBoxes(data: Uint8Array): Array<{ type: string; bytes: Uint8Array }> {
  const out = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let offset = 0; offset + 8 <= data.length; ) {
    const size = view.getUint32(offset);
    if (size < 8) break;
    out.push({ type: new TextDecoder().decode(data.subarray(offset + 4, offset + 8)), bytes: data.subarray(offset, offset + size) });
    offset += size;
  }
  return out;
}

/** The init segment and each moof+mdat fragment of an fMP4. */
function cut(mp4: Uint8Array): { init: Uint8Array; fragments: Uint8Array[] } {
  const initEnd = initSegmentEnd(mp4) ?? 0;
  const fragments: Uint8Array[] = [];
  let moof: Uint8Array | null = null;
  for (const box of topLevelBoxes(mp4.subarray(initEnd))) {
    if (box.type === "moof") moof = box.bytes;
    else if (box.type === "mdat" && moof !== null) {
      fragments.push(concat(moof, box.bytes));
      moof = null;
    }
  }
  return { init: mp4.subarray(0, initEnd), fragments };
}

async function sealer(sessionId: Bytes, liveKey: Bytes) {
  const mediaKey = await primitives.hkdfSha256(liveKey, sessionId, ascii("e2ee-nvr/v2/live/media"), 16);
  return async (type: number, seq: number, plaintext: Uint8Array): Promise<Bytes> => {
    const header = concat(ascii("E2LV"), new Uint8Array([type, 0, 0, 0]), sessionId, uintBE(seq, 8), uintBE(plaintext.length + 16, 4));
    return concat(header, await primitives.aesGcmEncrypt(mediaKey, concat(new Uint8Array(4), uintBE(seq, 8)), plaintext, header));
  };
}

function pacedStream(records: Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream({
    async pull(controller) {
      await new Promise((resolve) => setTimeout(resolve, PACE_MS));
      const record = records[next++];
      if (record === undefined) controller.close();
      else controller.enqueue(record);
    },
  });
}

async function play(records: Uint8Array[], sessionId: Bytes, liveKey: Bytes) {
  const video = document.createElement("video");
  video.muted = true;
  document.body.append(video);
  const mediaKey = await primitives.hkdfAesGcmKey(await primitives.hkdfKey(liveKey), sessionId, ascii("e2ee-nvr/v2/live/media"), 16, ["decrypt"]);
  const reader = new LiveRecordReader(sessionId, mediaKey);
  const outcome: { live: boolean; end: string | null | undefined; error: unknown; maxLag: number } = { live: false, end: undefined, error: null, maxLag: 0 };
  const player = new LivePlayer(video, pacedStream(records), reader, {
    onLive: () => (outcome.live = true),
    onEnd: (reason) => (outcome.end = reason),
    onError: (err) => (outcome.error = err),
  });
  const lagProbe = setInterval(() => {
    const ranges = video.buffered;
    if (ranges.length > 0 && outcome.live) outcome.maxLag = Math.max(outcome.maxLag, ranges.end(ranges.length - 1) - video.currentTime);
  }, 100);
  await player.run();
  clearInterval(lagProbe);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const ranges = Array.from({ length: video.buffered.length }, (_, i) => [video.buffered.start(i), video.buffered.end(i)]);
  const state = { frames: video.getVideoPlaybackQuality().totalVideoFrames, currentTime: video.currentTime, ranges, gaps: reader.gaps };
  player.stop();
  video.remove();
  return { outcome, state };
}

export async function livePlayerCheck(mp4: Uint8Array): Promise<{ failures: Failures; log: string[] }> {
  const failures: Failures = [];
  const log: string[] = [];
  const { init, fragments } = cut(mp4);
  const sessionId = primitives.randomBytes(16);
  const liveKey = primitives.randomBytes(16);
  const seal = await sealer(sessionId, liveKey);
  // seq 0 init, fragments 0-6 with fragment 5 dropped by the "store", a new init with the
  // stream starting over (decode times from the start again), four fragments, the end.
  const records: Bytes[] = [await seal(RECORD_INIT, 0, init)];
  let seq = 1;
  for (let i = 0; i <= 6; i++, seq++) if (i !== 5) records.push(await seal(RECORD_MEDIA, seq, fragments[i] ?? new Uint8Array()));
  records.push(await seal(RECORD_INIT, seq++, init));
  for (let i = 0; i < 4; i++) records.push(await seal(RECORD_MEDIA, seq++, fragments[i] ?? new Uint8Array()));
  records.push(await seal(RECORD_END, seq, ascii('{"reason":"stopped"}')));
  const { outcome, state } = await play(records, sessionId, liveKey);
  log.push(`live: ${fragments.length} fragments cut; played ${JSON.stringify(state)}; max lag ${outcome.maxLag.toFixed(2)} s`);
  if (outcome.error !== null) failures.push(`live player error: ${String(outcome.error)}`);
  if (!outcome.live) failures.push("live player never reported live");
  if (outcome.end !== "stopped") failures.push(`end reason ${String(outcome.end)}, expected stopped`);
  if (state.frames <= 0) failures.push(`no decoded frames (${state.frames})`);
  if (state.gaps !== 1) failures.push(`gaps ${state.gaps}, expected 1`);
  const lastEnd = state.ranges[state.ranges.length - 1]?.[1] ?? 0;
  // 7 s before the restart (one second of it a hole) and 4 s after: one growing timeline.
  if (lastEnd < 10.5) failures.push(`buffered up to ${lastEnd} s: the restarted capture did not continue the timeline`);
  if (state.currentTime < 5) failures.push(`the playhead stayed at ${state.currentTime} s, far from the live edge`);

  // A replayed record: refused, the player stops, and nothing after it is appended.
  const replay = [records[0], records[1], records[2], records[2], records[3]].filter((r): r is Bytes => r !== undefined);
  const replayed = await play(replay, sessionId, liveKey);
  const name = replayed.outcome.error instanceof Error ? replayed.outcome.error.name : String(replayed.outcome.error);
  if (name !== "Replayed") failures.push(`a replayed record gave ${name}, expected Replayed`);
  const replayEnd = replayed.state.ranges[replayed.state.ranges.length - 1]?.[1] ?? 0;
  if (replayEnd > 2.5) failures.push(`records after the replay were appended (buffered to ${replayEnd} s)`);
  log.push(`live: a replayed record stopped the player with ${name}, buffered to ${replayEnd.toFixed(2)} s`);
  return { failures, log };
}
