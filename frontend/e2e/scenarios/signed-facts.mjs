// Clips: what the tile, the player and the download name say about params.clipId, as the panel
// shows it: the signed facts (data-signed-*), every disagreement with HA's index row
// (data-mismatch and the player's spelled-out list), and the downloaded file's name.

import { TIMEOUT_MS, clipTile, openPanel, tab, waitScreen } from "./common.mjs";

async function factsOf(scope) {
  const signed = scope.locator("e2ee-nvr-clip-facts .signed").first();
  await signed.waitFor({ state: "visible", timeout: 45_000 });
  const mismatch = scope.locator("e2ee-nvr-clip-facts .mismatch").first();
  const shown = await mismatch.isVisible().catch(() => false);
  return {
    camera: await signed.getAttribute("data-signed-camera"),
    cameraId: await signed.getAttribute("data-signed-camera-id"),
    startMs: Number(await signed.getAttribute("data-signed-start")),
    endMs: Number(await signed.getAttribute("data-signed-end")),
    events: await signed.getAttribute("data-signed-events"),
    text: (await signed.innerText()).trim(),
    mismatch: shown ? await mismatch.getAttribute("data-mismatch") : null,
    mismatchText: shown ? (await mismatch.innerText()).trim() : "",
  };
}

export async function run({ page, params, shot }) {
  await openPanel(page, params, shot);
  await tab(page, "clips");
  await waitScreen(page, "clips");
  const tile = await clipTile(page, page, params.clipId, params.listTimeoutMs ?? 45_000);
  const tileFacts = await factsOf(tile);
  await shot("signed-facts-tile");
  await tile.click();
  const player = await waitScreen(page, "player");
  const playerFacts = await factsOf(player);
  await shot("signed-facts-player");
  const [event] = await Promise.all([
    page.waitForEvent("download", { timeout: 60_000 }),
    player.getByRole("button", { name: "Download" }).click({ timeout: TIMEOUT_MS }),
  ]);
  const failure = await event.failure();
  if (failure) throw new Error(`download of ${params.clipId} failed: ${failure}`);
  const fileName = event.suggestedFilename();
  await event.delete(); // decrypted video: only its name is evidence here
  return { tile: tileFacts, player: playerFacts, fileName };
}
