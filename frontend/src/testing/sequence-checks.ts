// Browser check of playback across clips: two encrypted clips (the same ffmpeg fMP4 twice, so
// both start at the same decode time, as clips of two recordings would) played by one
// MsePlayer as a sequence, from just before the boundary on into the second clip.

import { playability } from "../lib/player/codec";
import { MsePlayer } from "../lib/player/mse-player";
import { encryptedClip, waitFor } from "./encrypted-clip";

type Failures = string[];

function check(failures: Failures, ok: boolean, what: string): void {
  if (!ok) failures.push(what);
}

const BEFORE_BOUNDARY_SECONDS = 2;

export async function playerAcrossClips(mp4: Uint8Array, durationSeconds: number): Promise<{ failures: Failures; log: string[] }> {
  const failures: Failures = [];
  const log: string[] = [];
  const first = await encryptedClip(mp4, "aa".repeat(16));
  const second = await encryptedClip(mp4, "bb".repeat(16));
  const verdict = playability("video/mp4", "avc1.42c01e");
  if (!verdict.playable) return { failures: ["H.264 baseline is not playable via MSE"], log };
  const video = document.createElement("video");
  video.muted = true;
  document.body.append(video);
  const seen: Array<{ type: string; time: number }> = [];
  for (const type of ["waiting", "ended", "seeking"]) video.addEventListener(type, () => seen.push({ type, time: video.currentTime }));
  let error: unknown = null;
  const asked: string[] = [];
  const mse = new MsePlayer(
    video,
    { clipId: "first", reader: first.reader, mime: verdict.mime, durationSeconds },
    {
      onError: (err) => (error = err),
      bufferAheadSeconds: 4,
      continueWith: async (clipId) => {
        asked.push(clipId);
        return clipId === "first" ? { clipId: "second", reader: second.reader, mime: verdict.mime, durationSeconds } : null;
      },
    },
  );
  await mse.start();
  video.currentTime = durationSeconds - BEFORE_BOUNDARY_SECONDS;
  await waitFor(() => !video.seeking && video.readyState >= 3, 10_000);
  const framesBefore = video.getVideoPlaybackQuality().totalVideoFrames;
  const timeBefore = video.currentTime;
  seen.length = 0;
  await Promise.race([video.play().catch((err: unknown) => failures.push(`play(): ${String(err)}`)), waitFor(() => false, 5_000)]);
  const crossed = await waitFor(() => mse.position()?.clipId === "second" && video.currentTime > durationSeconds + 1, 15_000);
  const position = mse.position();
  log.push(`from ${timeBefore.toFixed(2)} s to ${video.currentTime.toFixed(2)} s, now ${JSON.stringify(position)}; asked for the clip after ${asked.join(", ")}; events ${JSON.stringify(seen)}`);
  check(failures, crossed, `played on into the second clip (position ${JSON.stringify(position)}, currentTime ${video.currentTime})`);
  check(failures, second.requested.length > 0, "the second clip was fetched through its own reader");
  check(failures, !seen.some((e) => e.type === "ended" || e.type === "seeking"), `no end and no seek at the boundary: ${JSON.stringify(seen)}`);
  check(failures, !seen.some((e) => e.type === "waiting" && Math.abs(e.time - durationSeconds) < 0.5), `no stall at the boundary: ${JSON.stringify(seen)}`);
  check(failures, video.getVideoPlaybackQuality().totalVideoFrames > framesBefore, "frames decoded across the boundary");
  // Placed where the first clip's media ends: the second clip's offset is the time past it.
  const offsetSeconds = (position?.offsetMs ?? 0) / 1000;
  check(failures, Math.abs(video.currentTime - offsetSeconds - durationSeconds) < 0.1, `second clip starts at ${video.currentTime - offsetSeconds} s, the first lasts ${durationSeconds} s`);
  // Back into the first clip by (clip, offset): a seek within the sequence, no restart.
  check(failures, mse.seekToClip("first", 1_000), "the first clip is part of the sequence");
  const back = await waitFor(() => !video.seeking && video.readyState >= 2 && mse.position()?.clipId === "first", 10_000);
  check(failures, back, `seek back into the first clip (position ${JSON.stringify(mse.position())})`);
  if (error !== null) failures.push(`player error: ${String(error)}`);
  mse.stop();
  video.remove();
  return { failures, log };
}
