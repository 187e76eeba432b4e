// Live view (section 18) in the dashboard card and in the panel's Live tab at the same time:
// two viewers in one browser. Each must show frames that advance: the <video>'s currentTime
// grows and a frame drawn to a canvas differs over time. Both must name the same session id
// (the device shares one session between viewers). While both play, the page waits for the
// Python side to read the agent's health file (params.holdMs).

import { join } from "node:path";
import { PANEL, TIMEOUT_MS, alerts, openLoggedIn, tab } from "./common.mjs";

const LIVE_TIMEOUT_MS = 60_000;
const ADVANCE_MS = 4_000;

/** Wait until the <e2ee-live-view> under `scope` is live; fail with its note otherwise. */
async function waitLive(page, scope, what) {
  const view = scope.locator("e2ee-live-view").first();
  await view.waitFor({ state: "attached", timeout: TIMEOUT_MS });
  const deadline = Date.now() + LIVE_TIMEOUT_MS;
  let state = null;
  while (Date.now() < deadline) {
    state = await view.getAttribute("data-state");
    if (state === "live") return view;
    if (state !== null && state !== "connecting") {
      throw new Error(`${what}: live view is "${state}": ${await alerts(page)}`);
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`${what}: not live after ${LIVE_TIMEOUT_MS} ms (state ${state}); alerts ${await alerts(page)}`);
}

/** currentTime, decoded frames, the session id and a hash of the frame on screen. */
async function sample(view) {
  return view.locator("video").first().evaluate((video) => {
    const canvas = document.createElement("canvas");
    canvas.width = 64;
    canvas.height = 48;
    const context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let hash = 2166136261;
    let lit = 0;
    for (let i = 0; i < pixels.length; i++) {
      hash = Math.imul(hash ^ pixels[i], 16777619) >>> 0;
      if (i % 4 !== 3 && pixels[i] > 16) lit++;
    }
    return {
      currentTime: video.currentTime,
      frames: video.getVideoPlaybackQuality().totalVideoFrames,
      width: video.videoWidth,
      sessionId: video.dataset.sessionId ?? null,
      hash,
      lit,
    };
  });
}

async function advancing(page, view, what) {
  const first = await sample(view);
  await page.waitForTimeout(ADVANCE_MS);
  const second = await sample(view);
  if (!(second.currentTime > first.currentTime && second.frames > first.frames && second.hash !== first.hash && second.lit > 0)) {
    throw new Error(`${what}: frames do not advance: ${JSON.stringify({ first, second })}`);
  }
  return { first, second };
}

export async function run({ page, params, shot, context }) {
  await openLoggedIn(page, params, params.dashboardPath, shot);
  const card = page.locator("e2ee-nvr-clips-card").first();
  await card.waitFor({ state: "attached", timeout: TIMEOUT_MS });
  const inCard = await waitLive(page, card, "card");
  const cardFrames = await advancing(page, inCard, "card");
  await shot("card-live");

  // A second viewer while the card keeps playing: the panel's Live tab in another tab.
  const second = await context.newPage();
  await openLoggedIn(second, params, `/${PANEL}`);
  await tab(second, "live");
  const panelView = await waitLive(second, second.locator('[data-screen="live"]'), "panel");
  const panelFrames = await advancing(second, panelView, "panel");
  const cardStill = await advancing(page, inCard, "card while the panel plays");
  await shot("card-while-panel");
  await second.screenshot({ path: join(params.screenshotDir, `${params.shotPrefix ?? "live"}-live-panel.png`), fullPage: true });
  // Both viewers stay open while the Python side reads the agent's health file.
  await second.waitForTimeout(params.holdMs ?? 0);
  const mute = await panelView.locator('[data-live-action="mute"]').first();
  await mute.click();
  const unmuted = await panelView.locator("video").first().evaluate((video) => !video.muted);
  await second.close();
  return { card: cardFrames, panel: panelFrames, cardStill, unmuted };
}
