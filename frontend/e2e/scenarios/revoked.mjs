// A revoked browser: the panel no longer shows it clips; it asks to enrol again and says why.

import { openPanel, waitScreen } from "./common.mjs";

export async function run({ page, params, shot }) {
  await openPanel(page, params, shot);
  const form = await waitScreen(page, "enrol");
  const warning = form.locator(".warning");
  const revokedNotice = (await warning.isVisible().catch(() => false)) ? (await warning.innerText()).trim() : "";
  const clipsTab = await page.locator('[data-tab="clips"]').count();
  await shot("revoked-browser");
  return { revokedNotice, clipsTab };
}
