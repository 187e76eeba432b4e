// Log in through Home Assistant's own login page, then open the E2EE NVR panel.
//
// Proves the UI driver end to end (Chromium, HA's auth flow, the panel's bundle loading); the
// panel's own screens (turn on, pair, play) are scenarios of their own, written with the panel.

const TIMEOUT_MS = 30_000;

export async function run({ page, params, shot }) {
  await page.goto(params.haUrl, { timeout: TIMEOUT_MS });
  // HA redirects to /auth/authorize; its fields sit in open shadow roots, which Playwright's
  // locators pierce.
  await page.locator('input[name="username"]').fill(params.username, { timeout: TIMEOUT_MS });
  await page.locator('input[name="password"]').fill(params.password);
  await shot("login-page");
  await page.locator('input[name="password"]').press("Enter");
  await page.waitForURL((url) => !url.pathname.startsWith("/auth/"), { timeout: TIMEOUT_MS });
  await page.locator("home-assistant").waitFor({ state: "attached", timeout: TIMEOUT_MS });
  await page.goto(`${params.haUrl}/${params.panelPath ?? "e2ee-nvr"}`, { timeout: TIMEOUT_MS });
  const panelDefined = await page
    .waitForFunction(() => customElements.get("e2ee-nvr-panel") !== undefined, null, {
      timeout: TIMEOUT_MS,
    })
    .then(() => true);
  await page.waitForTimeout(1000); // let the panel render its first screen before the picture
  const screenshot = await shot("panel");
  return { panelDefined, url: page.url(), screenshot };
}
