// The dashboard card (custom:e2ee-nvr-clips-card): its clip tile plays inline.

import { TIMEOUT_MS, clipTile, openLoggedIn, waitDecodedFrames } from "./common.mjs";

export async function run({ page, params, shot }) {
  await openLoggedIn(page, params, params.dashboardPath, shot);
  const card = page.locator("e2ee-nvr-clips-card").first();
  try {
    await card.waitFor({ state: "attached", timeout: TIMEOUT_MS });
  } catch (err) {
    const defined = await page.evaluate(() => customElements.get("e2ee-nvr-clips-card") !== undefined);
    throw new Error(`no e2ee-nvr-clips-card on ${params.dashboardPath} (element defined: ${defined})\n${err}`, { cause: err });
  }
  const tile = await clipTile(page, card, params.clipId, 45_000).catch(async (err) => {
    throw new Error(`${err.message}; card text: ${JSON.stringify(await card.innerText())}`);
  });
  const clipId = await tile.getAttribute("data-clip-id");
  await page.waitForTimeout(1000);
  await shot("card");
  await tile.click();
  const video = await waitDecodedFrames(page, card, `card playing ${clipId}`);
  await page.waitForTimeout(500);
  await shot("card-playing");
  return { clipId, video };
}
