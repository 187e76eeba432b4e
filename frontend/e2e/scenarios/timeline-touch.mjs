// The timeline on a phone (run with device "phone": 390x844, touchscreen, mobile viewport): HA
// takes its narrow layout (no sidebar, its menu button in our header), nothing of the page
// scrolls sideways, a finger's tap on the event marker plays from the event, and a finger's
// drag along the bar (real touch events through CDP: touchStart, touchMove, touchEnd, which
// Chromium turns into pointer events of type "touch") plays from where the finger let go.
//
// params: scrubClip: { clipId, startMs, endMs } (a clip before the event's, so playback from
// the marker never reaches it by itself), markerKind.

import { openPanel, tab, waitDecodedFrames, waitScreen } from "./common.mjs";
import { PLAYER, ROW, barBox, recordPlayback, videoState, waitPosition, watchVideo } from "./timeline.mjs";

/** A finger at least this far (px) from every marker's box starts the drag on the bar itself. */
const CLEAR_OF_MARKERS_PX = 24;
const DRAG_STEPS = 10;

/** HA's layout at this size: its sidebar, our header's menu button, and sideways overflow. */
async function layout(page) {
  const measured = await page.evaluate(() => {
    const find = (root, selector) => {
      const direct = root.querySelector(selector);
      if (direct) return direct;
      for (const el of root.querySelectorAll("*")) {
        const found = el.shadowRoot ? find(el.shadowRoot, selector) : null;
        if (found) return found;
      }
      return null;
    };
    const sidebar = find(document, "ha-sidebar");
    const box = sidebar?.getBoundingClientRect();
    const panel = find(document, "e2ee-nvr-panel");
    return {
      innerWidth: window.innerWidth,
      scrollWidth: document.scrollingElement.scrollWidth,
      panelRight: panel.getBoundingClientRect().right,
      panelScrollWidth: panel.scrollWidth,
      panelNarrow: panel.narrow === true,
      // Shown means it takes room on the screen: a closed modal drawer is not displayed.
      sidebarShown: sidebar !== null && sidebar.checkVisibility() && box.width > 0 && box.right > 0,
    };
  });
  const menu = page.locator("e2ee-nvr-panel ha-menu-button ha-icon-button").first();
  return { ...measured, menuButton: (await menu.isVisible()) ? await menu.boundingBox() : null };
}

/** A point on the bar, in the middle of its height, clear of every marker. */
async function clearPoint(page, box) {
  const markers = await page.locator(`${ROW} .marker`).evaluateAll((els) =>
    els.map((el) => el.getBoundingClientRect()).map((r) => [r.left, r.right]),
  );
  for (const fraction of [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]) {
    const x = box.x + box.width * fraction;
    if (markers.every(([left, right]) => x < left - CLEAR_OF_MARKERS_PX || x > right + CLEAR_OF_MARKERS_PX)) return x;
  }
  throw new Error(`no spot on the bar clear of the markers ${JSON.stringify(markers)}`);
}

/** One finger: down at `fromX`, along the bar to `toX`, up there. */
async function touchDrag(cdp, fromX, toX, y) {
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ x: fromX, y }] });
  for (let i = 1; i <= DRAG_STEPS; i += 1) {
    const x = fromX + ((toX - fromX) * i) / DRAG_STEPS;
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [{ x, y }] });
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
}

export async function run({ page, params, shot, context }) {
  await openPanel(page, params, shot);
  await tab(page, "clips");
  await waitScreen(page, "timeline", 60_000);
  const marker = page.locator(`${ROW} .marker[data-kind="${params.markerKind}"]`).first();
  await marker.waitFor({ state: "visible", timeout: 60_000 });
  await shot("phone-timeline");
  const before = await layout(page);
  const touch = await page.evaluate(() => ({ maxTouchPoints: navigator.maxTouchPoints }));

  // A tap on the marker: the finger's touch, not a click.
  const placed = {
    clipId: await marker.getAttribute("data-clip-id"),
    offsetMs: Number(await marker.getAttribute("data-offset-ms")),
  };
  const markerBox = await marker.boundingBox();
  await recordPlayback(page);
  await page.touchscreen.tap(markerBox.x + markerBox.width / 2, markerBox.y + markerBox.height / 2);
  const fromMarker = await waitPosition(page, "tapping the marker", (p) => p.clipId === placed.clipId);
  const video = await watchVideo(page);
  await waitDecodedFrames(page, page.locator(PLAYER).first(), "playing from the tapped marker");
  await shot("phone-tapped-marker");

  // A drag along the bar to the middle of scrubClip, let go there.
  const { box, from, to } = await barBox(page);
  const clip = params.scrubClip;
  const aimMs = Math.round((clip.startMs + clip.endMs) / 2);
  const toX = box.x + ((aimMs - from) / (to - from)) * box.width;
  const y = box.y + box.height / 2;
  const fromX = await clearPoint(page, box);
  await page.evaluate(() => (window.timelineLog.positions = []));
  const cdp = await context.newCDPSession(page);
  await touchDrag(cdp, fromX, toX, y);
  const scrubbed = await waitPosition(page, "scrubbing by touch", (p) => p.clipId === clip.clipId);
  await waitDecodedFrames(page, page.locator(PLAYER).first(), "playing from the scrubbed moment");
  const afterScrub = await videoState(video);
  await shot("phone-scrubbed");
  return {
    layout: { before, after: await layout(page) },
    touch,
    marker: { ...placed, box: markerBox },
    fromMarker,
    scrub: {
      aimMs,
      // The moment under the finger as the bar maps pixels (the aim, to a pixel's resolution).
      msPerPixel: (to - from) / box.width,
      position: scrubbed,
      video: afterScrub,
      bar: box,
    },
  };
}
