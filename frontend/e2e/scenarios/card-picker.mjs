// The card added the way a user adds it: a dashboard in edit mode, "Add card", HA's card picker
// searched for "E2EE", our entry picked, one option changed in its visual editor, saved, edit
// mode left; then the card renders the clip on the dashboard. Returns what the editor showed and
// the card's text; the Python side reads the saved dashboard config back from HA.

import { TIMEOUT_MS, clipTile, openLoggedIn } from "./common.mjs";

/** The first of `locators` that becomes visible (HA's markup differs between releases). */
async function firstVisible(page, what, ...locators) {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    for (const locator of locators) {
      if (await locator.first().isVisible().catch(() => false)) return locator.first();
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`${what}: none visible after ${TIMEOUT_MS} ms`);
}

export async function run({ page, params, shot }) {
  // ?edit=1 opens a storage-mode dashboard in edit mode (hui-root reads it).
  await openLoggedIn(page, params, `${params.dashboardPath}?edit=1`, shot);
  const addCard = await firstVisible(
    page,
    "the dashboard's Add card button",
    page.locator("ha-fab").filter({ hasText: /add card/i }),
    page.getByRole("button", { name: /add card/i }),
  );
  await shot("edit-mode");
  await addCard.click();

  // The picker lists HA's cards and every window.customCards entry; its search filters them.
  const search = await firstVisible(
    page,
    "the card picker's search field",
    page.locator("hui-card-picker search-input input"),
    page.locator("hui-card-picker input"),
  );
  await search.fill("E2EE");
  const entry = await firstVisible(page, "our entry in the card picker", page.locator("hui-card-picker .card").filter({ hasText: params.pickerName }));
  const shown = (await page.locator("hui-card-picker .card").allInnerTexts()).map((text) => text.trim());
  await shot("picker-search");
  await entry.click();

  // Our visual editor, inside HA's card dialog: change the number of clips and the mode.
  const editor = page.locator("e2ee-nvr-clips-card-editor");
  await editor.waitFor({ state: "visible", timeout: TIMEOUT_MS });
  const count = editor.locator("input#count");
  await count.fill(String(params.count));
  await count.press("Tab");
  await editor.locator("select#mode").selectOption("clips");
  const editorLabels = (await editor.locator("label").allInnerTexts()).map((text) => text.trim()).filter(Boolean);
  await shot("editor");
  await page.getByRole("button", { name: /^save$/i }).click();
  await editor.waitFor({ state: "detached", timeout: TIMEOUT_MS });
  await firstVisible(page, "the Done button", page.getByRole("button", { name: /^done$/i })).then((done) => done.click());

  // Out of edit mode, the card shows the recorded clip, decrypted.
  const card = page.locator("e2ee-nvr-clips-card").first();
  await card.waitFor({ state: "visible", timeout: TIMEOUT_MS });
  await clipTile(page, card, params.clipId, 45_000);
  const tiles = await card.locator("[data-clip-id]").count();
  const inHaCard = await card.evaluate((el) => el.shadowRoot?.querySelector("ha-card")?.matches(":defined") ?? false);
  await shot("card-added");
  return { pickerEntries: shown, editorLabels, tiles, inHaCard };
}
