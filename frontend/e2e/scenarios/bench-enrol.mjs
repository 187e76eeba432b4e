// Benchmark: enrol a fresh browser profile with the passphrase; the time in the page from the
// click on Enrol to the clips tab (the panel's enrolled state). Same screens as enrol.mjs.

import { installProbes, timeSubmit } from "./bench.mjs";
import { openPanel, waitScreen } from "./common.mjs";

const ENROL_TIMEOUT_MS = 90_000;

export async function run({ page, params, shot }) {
  await installProbes(page);
  await openPanel(page, params, shot);
  const form = await waitScreen(page, "enrol");
  await form.locator("textarea#passphrase").fill(params.passphrase);
  await form.locator("input#name").fill(params.browserName);
  const ms = await timeSubmit(page, form, '[data-tab="clips"]', ENROL_TIMEOUT_MS, "enrolled");
  await shot("bench-enrolled");
  return { ms };
}
