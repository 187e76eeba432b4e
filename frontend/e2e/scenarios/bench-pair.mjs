// Benchmark: pair a camera by its code; the time in the page from the click on Pair to the
// panel's "paired" message. Same screens as pair.mjs.

import { installProbes, timeSubmit } from "./bench.mjs";
import { openPanel, pendingPairings, tab, waitScreen } from "./common.mjs";

const PAIR_TIMEOUT_MS = 60_000;

export async function run({ page, params, shot }) {
  await installProbes(page);
  await openPanel(page, params, shot);
  await tab(page, "pair");
  const form = await waitScreen(page, "pair");
  await pendingPairings(page);
  await form.locator("input#code").fill(params.code);
  await form.locator("[data-passphrase-dialog] textarea#passphrase").fill(params.passphrase);
  const ms = await timeSubmit(page, form, '.success[role="status"]', PAIR_TIMEOUT_MS, "paired");
  await shot("bench-paired");
  return { ms };
}
