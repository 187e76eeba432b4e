// A browser revoked while its panel is open presses Live. The page still shows the tabs it drew
// while enrolled, so the press really asks HA for a live session; HA and the device must refuse
// it, and the live view must say the browser was revoked: no <video>, no frame decoded. Then a
// reload shows the enrol screen with its revoked notice.
//
// params: readyFile (written once the enrolled panel shows its tabs), goFile (the Python side
// writes it after the owner revoked this browser).

import { access, writeFile } from "node:fs/promises";
import { TIMEOUT_MS, alerts, openPanel, tab, waitScreen } from "./common.mjs";

const REVOKE_TIMEOUT_MS = 180_000;
const ANSWER_TIMEOUT_MS = 60_000;

async function waitForFile(page, path) {
  const deadline = Date.now() + REVOKE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await access(path).then(() => true, () => false)) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`${path} did not appear: the owner did not revoke this browser`);
}

export async function run({ page, params, shot }) {
  await openPanel(page, params, shot);
  await page.locator('[data-tab="live"]').waitFor({ state: "visible", timeout: TIMEOUT_MS });
  await shot("enrolled-before-revoke");
  await writeFile(params.readyFile, "ready\n");
  await waitForFile(page, params.goFile);

  await tab(page, "live");
  const view = page.locator('[data-screen="live"] e2ee-live-view').first();
  await view.waitFor({ state: "attached", timeout: TIMEOUT_MS });
  const deadline = Date.now() + ANSWER_TIMEOUT_MS;
  let state = await view.getAttribute("data-state");
  while ((state === null || state === "connecting") && Date.now() < deadline) {
    await page.waitForTimeout(250);
    state = await view.getAttribute("data-state");
  }
  const note = view.locator("[data-live-note]").first();
  const shown = await note.isVisible().catch(() => false);
  const noteText = shown ? (await note.innerText()).trim() : "";
  const noteKind = shown ? await note.getAttribute("data-live-note") : null;
  // A retry would only be refused again: the way back is enrolling anew.
  const retry = await note.locator("button").count();
  // Every <video> the live view holds, and what it decoded (none is expected at all).
  const videos = await view.locator("video").evaluateAll((els) => els.map((v) => v.getVideoPlaybackQuality().totalVideoFrames));
  await shot("revoked-presses-live");

  await page.reload();
  const form = await waitScreen(page, "enrol");
  const warning = form.locator(".warning");
  const revokedNotice = (await warning.isVisible().catch(() => false)) ? (await warning.innerText()).trim() : "";
  await shot("revoked-after-reload");
  return {
    live: { state, noteKind, noteText, retry, videos },
    alerts: JSON.parse(await alerts(page)),
    revokedNotice,
    liveTabAfterReload: await page.locator('[data-tab="live"]').count(),
  };
}
