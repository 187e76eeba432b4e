// Clips: the clip is listed, plays (the <video> decodes frames) and, if asked, downloads as a
// decrypted MP4 saved at params.downloadPath.

import { clipTile, openPanel, tab, waitDecodedFrames, waitOrAlert, waitScreen } from "./common.mjs";

export async function run({ page, params, shot }) {
  await openPanel(page, params, shot);
  await tab(page, "clips");
  await waitScreen(page, "clips");
  const tile = await clipTile(page, page, params.clipId, params.listTimeoutMs ?? 45_000);
  const clipId = await tile.getAttribute("data-clip-id");
  // Let the decrypted thumbnails render before the picture.
  await page.waitForTimeout(1000);
  await shot(`clips-${params.label ?? "list"}`);
  await tile.click();
  const player = await waitScreen(page, "player");
  const video = await waitDecodedFrames(page, player, `playing clip ${clipId}`);
  await page.waitForTimeout(500);
  await shot(`playing-${params.label ?? "clip"}`);
  let download = null;
  if (params.downloadPath) {
    const [event] = await Promise.all([
      page.waitForEvent("download", { timeout: 60_000 }),
      player.getByRole("button", { name: "Download" }).click(),
    ]).catch(async (err) => {
      await waitOrAlert(page, page.locator("#never"), "downloading", 1).catch((e) => {
        throw new Error(`${e.message}; ${err}`);
      });
      throw err;
    });
    const failure = await event.failure();
    if (failure) throw new Error(`download of ${clipId} failed: ${failure}`);
    await event.saveAs(params.downloadPath);
    download = { path: params.downloadPath, fileName: event.suggestedFilename() };
    await shot("downloaded");
  }
  return { clipId, video, download };
}
