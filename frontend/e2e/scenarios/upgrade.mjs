// A protocol-v1 account: the panel shows the upgrade prompt (what changes, what it cannot undo);
// the passphrase typed there migrates the account in place (account/migrate, section 17). A wrong
// passphrase is tried first when params.wrongPassphrase is given, and must be refused as such.

import { TIMEOUT_MS, openPanel, refusalOfWrongPassphrase, waitScreen } from "./common.mjs";

const MIGRATE_TIMEOUT_MS = 120_000; // scrypt twice (v1 and the new parameters), RSA key generation

export async function run({ page, params, shot }) {
  await openPanel(page, params, shot);
  const card = await waitScreen(page, "upgrade");
  const text = (await card.innerText()).trim();
  await shot("upgrade-prompt");
  const prompt = card.locator("[data-passphrase-dialog]");
  let wrongRefused = null;
  if (params.wrongPassphrase) {
    wrongRefused = await refusalOfWrongPassphrase(prompt, params.wrongPassphrase);
  }
  await prompt.locator("textarea#passphrase").fill(params.passphrase);
  await prompt.locator('button[type="submit"]').click();
  await page.locator('[data-screen="upgrade"]').waitFor({ state: "detached", timeout: MIGRATE_TIMEOUT_MS }).catch(async (err) => {
    const alert = await page.locator('[role="alert"]').allInnerTexts();
    throw new Error(`the upgrade prompt is still shown; alerts ${JSON.stringify(alert)}\n${err}`);
  });
  await page.locator('[data-tab="clips"]').waitFor({ state: "visible", timeout: TIMEOUT_MS });
  await shot("upgraded");
  return { text, wrongRefused };
}
