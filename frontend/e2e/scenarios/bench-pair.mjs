// Benchmark: pair a camera by its code; the time in the page from the click on Pair to the
// panel's "paired" message. Same screens as pair.mjs.

import { clickToSeen, installProbes, watchFor } from "./bench.mjs";
import { alerts, openPanel, pendingPairings, tab, waitScreen } from "./common.mjs";

const PAIR_TIMEOUT_MS = 60_000;

export async function run({ page, params, shot }) {
  await installProbes(page);
  await openPanel(page, params, shot);
  await tab(page, "pair");
  const form = await waitScreen(page, "pair");
  await pendingPairings(page);
  await form.locator("input#code").fill(params.code);
  await form.locator("[data-passphrase-dialog] textarea#passphrase").fill(params.passphrase);
  await watchFor(page, '.success[role="status"]');
  await form.locator('button[type="submit"]').click();
  const ms = await clickToSeen(page, PAIR_TIMEOUT_MS);
  if (ms === null) throw new Error(`not paired after ${PAIR_TIMEOUT_MS} ms; alerts ${await alerts(page)}`);
  await shot("bench-paired");
  return { ms };
}
