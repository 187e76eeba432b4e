// Turn E2EE on through the panel: the trade-offs, the passphrase, the 3-word check, creation.
// Returns the passphrase as the panel showed it (ol.words[data-passphrase]): the user's copy.

import { TIMEOUT_MS, openPanel, waitOrAlert, waitScreen } from "./common.mjs";

const CREATE_TIMEOUT_MS = 90_000; // real scrypt and RSA key generation in the browser

export async function run({ page, params, shot }) {
  await openPanel(page, params, shot);
  const intro = await waitScreen(page, "turn-on");
  await shot("turn-on-explained");
  await intro.locator("button.primary").click();
  const shown = await waitScreen(page, "passphrase");
  const passphrase = await shown.locator("ol.words[data-passphrase]").getAttribute("data-passphrase");
  const words = passphrase.trim().split(/\s+/);
  if (words.length < 10) throw new Error(`the passphrase shown has ${words.length} words: ${passphrase}`);
  await shot("passphrase");
  await shown.locator("button.primary").click();
  const confirm = await waitScreen(page, "confirm");
  const inputs = await confirm.locator('input[name^="word-"]').all();
  if (inputs.length === 0) throw new Error("the confirmation screen asks for no words");
  const asked = [];
  for (const input of inputs) {
    const n = Number((await input.getAttribute("name")).slice("word-".length));
    asked.push(n);
    await input.fill(words[n - 1]);
  }
  await shot("confirm-words");
  const started = Date.now();
  await confirm.locator("button.primary").click();
  await page.locator('[data-screen="creating"], [data-screen="turned-on"], [role="alert"]').first()
    .waitFor({ state: "visible", timeout: TIMEOUT_MS });
  if (await page.locator('[data-screen="creating"]').isVisible().catch(() => false)) await shot("creating");
  // "turned-on" shows only until the panel reloads the account and moves to its tabs.
  await waitOrAlert(page, page.locator('[data-screen="turned-on"], [data-tab="clips"]'), "turning E2EE on", CREATE_TIMEOUT_MS);
  const seconds = (Date.now() - started) / 1000;
  if (await page.locator('[data-screen="turned-on"]').isVisible().catch(() => false)) await shot("turned-on");
  await page.locator('[data-tab="clips"]').waitFor({ state: "visible", timeout: TIMEOUT_MS });
  await waitScreen(page, "clips");
  await page.waitForTimeout(500);
  await shot("turned-on-clips");
  return { passphrase, asked, seconds };
}
