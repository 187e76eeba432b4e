// Figure 10 (scripts/benchmarks/live_view.py): camera-to-screen latency of live view, and the
// viewers the agent's CPU per viewer is measured against.
//
// The test camera (devstack/rtsp_server.py) writes its wall clock into every keyframe's SEI as
// "E2EE-NVR-PLAINTEXT-MARKER T=<Unix ms>". Nothing in the product is instrumented: this page
// wraps SourceBuffer.appendBuffer, so it sees the decrypted fragments exactly as the live
// player hands them to Media Source Extensions, notes where each keyframe's fragment lands on
// the media timeline, and a requestVideoFrameCallback loop on the panel's <video> takes the
// moment that keyframe is presented. Latency = presentation (page clock, Unix ms) − the
// camera's stamp; both clocks are this machine's. A keyframe leaves the camera at the start of
// its GOP and its fragment is complete only at the next keyframe, so one GOP of the figure is
// the fragmenting itself (the target is 2 s plus one GOP).
//
// Phases (params.phaseMs each): one viewer (the panel's Live tab), then params.extraViewers
// more pages on the same camera. The Python side reads the agent's CPU between the returned
// marks.

/* global SourceBuffer -- the probe runs in the page, where it exists */
import { PANEL, TIMEOUT_MS, alerts, openLoggedIn, tab } from "./common.mjs";

const LIVE_TIMEOUT_MS = 60_000;
// A keyframe counts only if the frame presented is this close to it (seconds): a jump to the
// live edge that skips it would otherwise charge the skipped time to latency.
const PRESENTED_WITHIN_S = 0.15;

function probe() {
  const marker = new TextEncoder().encode("E2EE-NVR-PLAINTEXT-MARKER T=");
  const stampOf = (bytes) => {
    outer: for (let i = 0; i + marker.length < bytes.length; i++) {
      for (let j = 0; j < marker.length; j++) if (bytes[i + j] !== marker[j]) continue outer;
      let value = 0;
      let k = i + marker.length;
      while (k < bytes.length && bytes[k] >= 0x30 && bytes[k] <= 0x39) value = value * 10 + (bytes[k++] - 0x30);
      return value;
    }
    return null;
  };
  const keyframes = [];
  window.__liveBench = { keyframes, latencies: [], skipped: 0 };
  const append = SourceBuffer.prototype.appendBuffer;
  SourceBuffer.prototype.appendBuffer = function (data) {
    const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    const stamp = stampOf(bytes);
    if (stamp !== null) {
      const ranges = this.buffered;
      const before = ranges.length > 0 ? ranges.end(ranges.length - 1) : null;
      this.addEventListener(
        "updateend",
        () => {
          const after = this.buffered;
          if (after.length > 0) keyframes.push({ stamp, start: before ?? after.start(0) });
        },
        { once: true },
      );
    }
    return append.call(this, data);
  };
}

function watchFrames(video, within) {
  const bench = window.__liveBench;
  const onFrame = (_now, meta) => {
    const shownAt = performance.timeOrigin + meta.expectedDisplayTime;
    while (bench.keyframes.length > 0 && bench.keyframes[0].start <= meta.mediaTime + 0.001) {
      const keyframe = bench.keyframes.shift();
      if (meta.mediaTime - keyframe.start <= within) bench.latencies.push(shownAt - keyframe.stamp);
      else bench.skipped += 1;
    }
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);
}

async function openLive(page, params) {
  await openLoggedIn(page, params, `/${PANEL}`);
  await tab(page, "live");
  const view = page.locator('[data-screen="live"] e2ee-live-view').first();
  await view.waitFor({ state: "attached", timeout: TIMEOUT_MS });
  const deadline = Date.now() + LIVE_TIMEOUT_MS;
  for (;;) {
    const state = await view.getAttribute("data-state");
    if (state === "live") return view;
    if ((state !== null && state !== "connecting") || Date.now() > deadline) {
      throw new Error(`live view is "${state}": ${await alerts(page)}`);
    }
    await page.waitForTimeout(200);
  }
}

export async function run({ page, params, context }) {
  await context.addInitScript(probe);
  const view = await openLive(page, params);
  await view.locator("video").first().evaluate(watchFrames, PRESENTED_WITHIN_S);
  const marks = { oneFrom: Date.now() };
  await page.waitForTimeout(params.phaseMs);
  marks.oneTo = Date.now();
  const extra = [];
  for (let i = 0; i < params.extraViewers; i++) {
    const another = await context.newPage();
    await openLive(another, params);
    extra.push(another);
  }
  marks.manyFrom = Date.now();
  await page.waitForTimeout(params.phaseMs);
  marks.manyTo = Date.now();
  const measured = await page.evaluate(() => ({ latencies: window.__liveBench.latencies, skipped: window.__liveBench.skipped }));
  for (const another of extra) await another.close();
  return { marks, viewers: 1 + extra.length, ...measured };
}
