// Benchmark: enrol a fresh browser profile with the passphrase; the time in the page from the
// click on Enrol to the clips tab (the panel's enrolled state). Same screens as enrol.mjs.

import { clickToSeen, installProbes, watchFor } from "./bench.mjs";
import { alerts, openPanel, waitScreen } from "./common.mjs";

const ENROL_TIMEOUT_MS = 90_000;

export async function run({ page, params, shot }) {
  await installProbes(page);
  await openPanel(page, params, shot);
  const form = await waitScreen(page, "enrol");
  await form.locator("textarea#passphrase").fill(params.passphrase);
  await form.locator("input#name").fill(params.browserName);
  await watchFor(page, '[data-tab="clips"]');
  await form.locator('button[type="submit"]').click();
  const ms = await clickToSeen(page, ENROL_TIMEOUT_MS);
  if (ms === null) throw new Error(`not enrolled after ${ENROL_TIMEOUT_MS} ms; alerts ${await alerts(page)}`);
  await shot("bench-enrolled");
  return { ms };
}
