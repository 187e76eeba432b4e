// Benchmark: click a clip in the panel's list and time, in the page, the click to the first
// decoded frame the compositor presents (requestVideoFrameCallback); then set currentTime to
// params.seekSeconds and time that to the first frame presented at or after the target. The
// clip's object bytes fetched (resource timing) are counted for each, so a seek that fetched
// the whole clip shows.

import { clipBytes, installProbes } from "./bench.mjs";
import { alerts, clipTile, openPanel, tab, waitScreen } from "./common.mjs";

const FRAME_TIMEOUT_MS = 60_000;

/** The first frame presented after `afterMs` (and at media time >= minMedia), or null. */
async function frameAfter(page, afterMs, minMedia, timeout) {
  return page.evaluate(async ([after, min, limit]) => {
    const started = performance.now();
    for (;;) {
      const hit = window.__e2eeBench.frames.find((f) => f.now > after && f.mediaTime >= min);
      if (hit) return hit;
      if (performance.now() - started > limit) return null;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }, [afterMs, minMedia, timeout]);
}

export async function run({ page, params, shot }) {
  await installProbes(page);
  await openPanel(page, params, shot);
  await tab(page, "clips");
  await waitScreen(page, "clips");
  const tile = await clipTile(page, page, params.clipId, 45_000);
  await tile.click();
  const clicked = await page.evaluate(() => window.__e2eeBench.clicks.at(-1));
  const first = await frameAfter(page, clicked, 0, FRAME_TIMEOUT_MS);
  if (first === null) throw new Error(`no frame ${FRAME_TIMEOUT_MS} ms after the click; alerts ${await alerts(page)}`);
  const player = await waitScreen(page, "player");
  const video = player.locator("video").first();
  const firstBytes = await clipBytes(page, clicked, first.now);
  await shot("bench-first-frame");
  // The target's fragment starts at most one GOP before it: a frame from there on counts.
  const target = params.seekSeconds;
  const minMedia = target - params.gopSeconds;
  const seekStarted = await video.evaluate((v, t) => {
    const now = performance.now();
    v.currentTime = t;
    return now;
  }, target);
  const seeked = await frameAfter(page, seekStarted, minMedia, FRAME_TIMEOUT_MS);
  if (seeked === null) throw new Error(`no frame at ${target} s ${FRAME_TIMEOUT_MS} ms after the seek; alerts ${await alerts(page)}`);
  const seekBytes = await clipBytes(page, seekStarted, seeked.now);
  await shot("bench-seeked");
  const state = await video.evaluate((v) => ({ readyState: v.readyState, currentTime: v.currentTime, width: v.videoWidth, height: v.videoHeight }));
  return {
    firstFrameMs: first.now - clicked,
    firstMediaTime: first.mediaTime,
    firstBytes,
    seekMs: seeked.now - seekStarted,
    seekMediaTime: seeked.mediaTime,
    seekBytes,
    state,
  };
}
