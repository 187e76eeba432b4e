// Devices: revoke the enrolled browser called params.browserName (not this one). Protocol v2:
// after the "sure?" the panel asks for the passphrase, saying why, and the revoke rotates the
// account's data key. With params.wrongPassphrase, a wrong one is tried first and must be refused.

import { TIMEOUT_MS, openPanel, refusalOfWrongPassphrase, tab, waitScreen } from "./common.mjs";

export async function run({ page, params, shot }) {
  await openPanel(page, params, shot);
  await tab(page, "devices");
  const list = await waitScreen(page, "devices");
  const row = list.locator("li[data-key-id]").filter({ hasText: params.browserName });
  await row.first().waitFor({ state: "visible", timeout: TIMEOUT_MS });
  if ((await row.count()) !== 1) throw new Error(`${await row.count()} enrolled browsers are called ${params.browserName}`);
  const keyId = await row.getAttribute("data-key-id");
  const before = await list.locator("li[data-key-id]").count();
  await shot("devices");
  await row.locator("e2ee-nvr-confirm-button button").first().click();
  await row.locator('[role="alertdialog"]').waitFor({ state: "visible", timeout: TIMEOUT_MS });
  await shot("revoke-confirm");
  await row.locator('[role="alertdialog"] button.primary').click();
  const prompt = row.locator("[data-passphrase-dialog]");
  await prompt.waitFor({ state: "visible", timeout: TIMEOUT_MS });
  const why = (await prompt.innerText()).trim();
  if (!why.includes("stolen browser cannot re-admit itself")) throw new Error(`the revoke passphrase prompt does not say why: ${why}`);
  let wrongRefused = null;
  if (params.wrongPassphrase) {
    wrongRefused = await refusalOfWrongPassphrase(prompt, params.wrongPassphrase);
    await shot("revoke-wrong-passphrase");
  }
  await prompt.locator("textarea#passphrase").fill(params.passphrase);
  await shot("revoke-passphrase");
  await prompt.locator('button[type="submit"]').click();
  await list.locator(`li[data-key-id="${keyId}"]`).waitFor({ state: "detached", timeout: 60_000 }).catch(async (err) => {
    const alert = await page.locator('[role="alert"]').allInnerTexts();
    throw new Error(`${params.browserName} still listed after revoking; alerts ${JSON.stringify(alert)}\n${err}`);
  });
  const after = await list.locator("li[data-key-id]").count();
  await shot("revoked");
  return { keyId, before, after, wrongRefused };
}
