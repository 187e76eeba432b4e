// Pair a camera: the agent's request is listed as pending; type its code and the passphrase
// (protocol v2: certifying the camera needs the signing key); the panel says paired.

import { TIMEOUT_MS, openPanel, pendingPairings, tab, waitOrAlert, waitScreen } from "./common.mjs";

export async function run({ page, params, shot }) {
  await openPanel(page, params, shot);
  await tab(page, "pair");
  const form = await waitScreen(page, "pair");
  // The agent's request reaches HA before the code is shown; the list shows it as pending.
  const pending = await pendingPairings(page);
  const pendingCount = await pending.count();
  await shot("pair-pending");
  await form.locator("input#code").fill(params.code.toLowerCase()); // typed in lower case: tolerated
  const prompt = form.locator("[data-passphrase-dialog]");
  const why = (await prompt.innerText()).trim();
  if (!why.includes("stolen browser cannot re-admit itself")) throw new Error(`the pairing passphrase prompt does not say why: ${why}`);
  await prompt.locator("textarea#passphrase").fill(params.passphrase);
  await shot("pair-code-typed");
  await form.locator('button[type="submit"]').click();
  const success = form.locator('.success[role="status"]');
  await waitOrAlert(page, success, "pairing by code", 60_000);
  const message = (await success.innerText()).trim();
  await shot("paired");
  await page.waitForTimeout(200);
  return { message, pendingCount, timeoutMs: TIMEOUT_MS };
}
