// The dashboard card (custom:e2ee-nvr-clips-card): its clip tile plays inline. Then the panel is
// opened in the same page (in-app navigation, as the sidebar does) and the page reports which
// URLs the bundle was evaluated from: the integration loads the card by the panel's URL, so one.

import { PANEL, TIMEOUT_MS, clipTile, openLoggedIn, waitDecodedFrames } from "./common.mjs";

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
  // The clip player's video (a card in live mode has a live <video> above it).
  const video = await waitDecodedFrames(page, card.locator("e2ee-nvr-clip-player"), `card playing ${clipId}`);
  await page.waitForTimeout(500);
  await shot("card-playing");
  await page.evaluate((path) => {
    history.pushState(null, "", path);
    window.dispatchEvent(new CustomEvent("location-changed"));
  }, `/${PANEL}`);
  await page.locator("e2ee-nvr-panel").first().waitFor({ state: "attached", timeout: TIMEOUT_MS });
  await page.locator("[data-screen], [data-tab]").first().waitFor({ state: "visible", timeout: TIMEOUT_MS });
  await shot("panel-after-card");
  const modules = await page.evaluate(() => ({
    copies: window.__e2eeNvrModuleCopies ?? [],
    entryFetches: performance
      .getEntriesByType("resource")
      .map((entry) => entry.name)
      .filter((name) => new URL(name).pathname === "/e2ee_nvr_static/e2ee-nvr.js"),
    panelModuleUrl: document.querySelector("home-assistant")?.hass?.panels?.["e2ee-nvr"]?.config?._panel_custom?.module_url ?? null,
    cardDefined: customElements.get("e2ee-nvr-clips-card") !== undefined,
    panelDefined: customElements.get("e2ee-nvr-panel") !== undefined,
  }));
  return { clipId, video, modules };
}
