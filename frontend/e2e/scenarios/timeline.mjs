// Timeline: the day's row shows the camera's spans and an event marker taken from the decrypted
// event details; clicking the marker plays its clip from the event's offset; scrubbing (a drag)
// to just before a clip boundary plays on into the next clip; keys move the playhead.
// Everything measured is the <video>'s own state (played ranges, currentTime, decoded frames,
// its waiting/ended events) and the positions the player reports, never a duration.
//
// params: markerKind (the event kind to click), boundary: { clipId, nextClipId, startMs, endMs }
// (two back-to-back clips as HA lists them; the first's start and end), firstClipId (the day's
// first clip).

import { TIMEOUT_MS, alerts, openPanel, tab, waitDecodedFrames, waitScreen } from "./common.mjs";

export const ROW = "e2ee-nvr-timeline[data-row]";
export const PLAYER = "e2ee-nvr-day-timeline e2ee-nvr-clip-player";
/** Before the boundary the click lands this far ahead of it (ms): inside the first clip. */
const BEFORE_BOUNDARY_MS = 1_500;

/** Record every reported position and the <video>'s playback events, in order. */
export async function recordPlayback(page) {
  await page.evaluate(() => {
    window.timelineLog = { positions: [], media: [] };
    document.addEventListener("player-position", (e) => {
      // The player element dispatched it; its <video>'s time is the media timeline's.
      const video = e.composedPath()[0]?.shadowRoot?.querySelector("video");
      window.timelineLog.positions.push({ ...e.detail, currentTime: video?.currentTime ?? null });
    });
  });
}

export async function watchVideo(page) {
  const video = page.locator(`${PLAYER} video`).first();
  await video.waitFor({ state: "attached", timeout: TIMEOUT_MS });
  await video.evaluate((v) => {
    if (v.dataset.watched) return;
    v.dataset.watched = "1";
    for (const type of ["waiting", "playing", "ended", "seeking", "seeked", "stalled"]) {
      v.addEventListener(type, () => window.timelineLog.media.push({ type, currentTime: v.currentTime }));
    }
  });
  return video;
}

export function videoState(video) {
  return video.evaluate((v) => ({
    currentTime: v.currentTime,
    frames: v.getVideoPlaybackQuality().totalVideoFrames,
    paused: v.paused,
    ended: v.ended,
    readyState: v.readyState,
    played: Array.from({ length: v.played.length }, (_, i) => [v.played.start(i), v.played.end(i)]),
    error: v.error ? `${v.error.code} ${v.error.message}` : null,
  }));
}

/** Wait until a reported position satisfies `test`; fail with the player's alert if one shows. */
export async function waitPosition(page, what, test) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const positions = await page.evaluate(() => window.timelineLog.positions);
    const found = positions.find(test);
    if (found) return found;
    const shown = JSON.parse(await alerts(page));
    if (shown.length > 0) throw new Error(`${what}: the panel says ${JSON.stringify(shown)}`);
    await page.waitForTimeout(100);
  }
  throw new Error(`${what}: not reached; positions ${JSON.stringify((await page.evaluate(() => window.timelineLog)).positions.slice(-10))}`);
}

export async function barBox(page) {
  const bar = page.locator(`${ROW} [role="slider"]`).first();
  const box = await bar.boundingBox();
  const from = Number(await bar.getAttribute("data-from-ms"));
  const to = Number(await bar.getAttribute("data-to-ms"));
  return { bar, box, from, to };
}

export async function run({ page, params, shot }) {
  await openPanel(page, params, shot);
  await tab(page, "clips");
  await waitScreen(page, "timeline", 60_000);
  const marker = page.locator(`${ROW} .marker[data-kind="${params.markerKind}"]`).first();
  await marker.waitFor({ state: "visible", timeout: 60_000 });
  await page.waitForTimeout(500);
  await shot("timeline");

  // (a) The marker: where it is drawn, what it says, and where a click plays from.
  const placed = {
    clipId: await marker.getAttribute("data-clip-id"),
    offsetMs: Number(await marker.getAttribute("data-offset-ms")),
    atMs: Number(await marker.getAttribute("data-at-ms")),
  };
  const { bar, box, from, to } = await barBox(page);
  const markerBox = await marker.boundingBox();
  const drawnFraction = (markerBox.x + markerBox.width / 2 - box.x) / box.width;
  const spans = await page.locator(`${ROW} .span`).evaluateAll((els) =>
    els.map((el) => [Number(el.getAttribute("data-start-ms")), Number(el.getAttribute("data-end-ms"))]),
  );
  await recordPlayback(page);
  await marker.click();
  await watchVideo(page);
  const first = await waitPosition(page, "playing from the marker", (p) => p.clipId === placed.clipId);
  const video = page.locator(`${PLAYER} video`).first();
  await waitDecodedFrames(page, page.locator(PLAYER).first(), "playing from the marker");
  const fromMarker = await videoState(video);
  const playingClip = await page.locator(PLAYER).first().getAttribute("data-playing-clip");
  await shot("playing-from-marker");

  // (b) Just before a clip boundary: click there on the bar, and watch it play across.
  const target = params.boundary.endMs - BEFORE_BOUNDARY_MS;
  await page.evaluate(() => (window.timelineLog.positions = []));
  // Scrub: press on the bar's left part, drag across to the target, let go there.
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + ((target - from) / (to - from)) * box.width, y, { steps: 8 });
  await page.mouse.up();
  // The first position reported from the new place (not the old playhead, as the seek begins).
  const nearEnd = params.boundary.endMs - params.boundary.startMs - BEFORE_BOUNDARY_MS - 700;
  const before = await waitPosition(page, "seeking before the boundary", (p) => p.clipId === params.boundary.clipId && p.offsetMs >= nearEnd);
  const stateBefore = await videoState(video);
  const mediaBefore = (await page.evaluate(() => window.timelineLog.media)).length;
  const after = await waitPosition(page, "crossing into the next clip", (p) => p.clipId === params.boundary.nextClipId && p.offsetMs >= 1_000);
  const stateAfter = await videoState(video);
  await shot("crossed-boundary");
  const media = await page.evaluate(() => window.timelineLog.media);

  // (c) Keys on the focused slider: Home goes to the day's first recording, Shift+ArrowRight to
  // the next event after it.
  await bar.focus();
  await page.keyboard.press("Home");
  const home = await waitPosition(page, "Home", (p) => p.clipId === params.firstClipId && p.offsetMs < 1_000);
  await page.keyboard.press("Shift+ArrowRight");
  const nextEvent = await waitPosition(page, "Shift+ArrowRight", (p) => p.clipId === placed.clipId && Math.abs(p.offsetMs - placed.offsetMs) < 1_000);
  const slider = { valueText: await bar.getAttribute("aria-valuetext"), label: await bar.getAttribute("aria-label") };
  return {
    keys: { home, nextEvent, slider },
    marker: { ...placed, drawnFraction, expectedFraction: (placed.atMs - from) / (to - from), barWidth: box.width },
    spans,
    view: { from, to },
    fromMarker: { firstPosition: first, video: fromMarker, playingClip },
    boundary: { before, after, stateBefore, stateAfter, mediaAfterSeek: media.slice(mediaBefore), media },
  };
}
