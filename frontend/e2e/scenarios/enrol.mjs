// Enrol this (fresh) browser profile with the passphrase, typed loosely (case and spacing).

import { openPanel, waitOrAlert, waitScreen } from "./common.mjs";

const ENROL_TIMEOUT_MS = 90_000;

export async function run({ page, params, shot }) {
  await openPanel(page, params, shot);
  const form = await waitScreen(page, "enrol");
  const revokedBefore = await form.locator(".warning").isVisible().catch(() => false);
  await shot("enrol");
  const sloppy = params.passphrase.toUpperCase().split(" ").join("   ");
  await form.locator("textarea#passphrase").fill(sloppy);
  await form.locator("input#name").fill(params.browserName);
  await shot("enrol-typed");
  const started = Date.now();
  await form.locator('button[type="submit"]').click();
  await waitOrAlert(page, page.locator('[data-tab="clips"]'), "enrolling with the passphrase", ENROL_TIMEOUT_MS);
  const seconds = (Date.now() - started) / 1000;
  await shot("enrolled");
  return { seconds, revokedBefore };
}
