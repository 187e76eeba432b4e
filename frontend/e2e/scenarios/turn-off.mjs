// Turn E2EE off: the consequences, the typed confirmation; the panel is back to "turn on".

import { openPanel, tab, waitOrAlert, waitScreen } from "./common.mjs";

export async function run({ page, params, shot }) {
  await openPanel(page, params, shot);
  await tab(page, "settings");
  const form = await waitScreen(page, "turn-off");
  const submit = form.locator('button[type="submit"]');
  const disabledBefore = await submit.isDisabled();
  await shot("turn-off");
  await form.locator("input#phrase").fill("turn off");
  await shot("turn-off-typed");
  await submit.click();
  await waitOrAlert(page, page.locator('[data-screen="turn-on"]'), "turning E2EE off", 60_000);
  await shot("turned-off");
  return { disabledBefore };
}
