// Helpers shared by the scenarios: log in through HA's own login page, open the panel, wait for
// a screen (data-screen), switch tabs (data-tab), and check that a <video> decoded frames.
//
// Playwright's CSS locators pierce open shadow roots, so `[data-screen=x]` finds the panel's
// screens inside <home-assistant> → ... → <e2ee-nvr-panel> → <e2ee-nvr-*-view>.

export const TIMEOUT_MS = 30_000;
export const PANEL = "e2ee-nvr";

/** Open `path` (e.g. "/e2ee-nvr"); log in on the way if HA asks for it. */
export async function openLoggedIn(page, params, path, shot) {
  const target = `${params.haUrl}${path}`;
  await page.goto(target, { timeout: TIMEOUT_MS });
  const username = page.locator('input[name="username"]');
  const app = page.locator("home-assistant");
  await Promise.race([
    username.waitFor({ state: "visible", timeout: TIMEOUT_MS }),
    app.waitFor({ state: "attached", timeout: TIMEOUT_MS }),
  ]);
  if (new URL(page.url()).pathname.startsWith("/auth/")) {
    await username.fill(params.username, { timeout: TIMEOUT_MS });
    await page.locator('input[name="password"]').fill(params.password);
    // "Keep me logged in": the next scenario in this profile skips the login page.
    const keep = page.locator("ha-checkbox").first();
    if ((await keep.count()) && !(await keep.evaluate((box) => box.checked === true))) {
      await keep.click().catch(() => undefined);
    }
    if (shot) await shot("login-page");
    await page.locator('input[name="password"]').press("Enter");
    await page.waitForURL((url) => !url.pathname.startsWith("/auth/"), { timeout: TIMEOUT_MS });
    await app.waitFor({ state: "attached", timeout: TIMEOUT_MS });
    if (new URL(page.url()).pathname !== path) await page.goto(target, { timeout: TIMEOUT_MS });
  }
}

/** Open the panel and wait until it shows one of its screens (or a tab bar). */
export async function openPanel(page, params, shot) {
  await openLoggedIn(page, params, `/${params.panelPath ?? PANEL}`, shot);
  await page.waitForFunction(() => customElements.get("e2ee-nvr-panel") !== undefined, null, {
    timeout: TIMEOUT_MS,
  });
  await page.locator("[data-screen], [data-tab]").first().waitFor({ state: "visible", timeout: TIMEOUT_MS });
}

export async function waitScreen(page, name, timeout = TIMEOUT_MS) {
  const screen = page.locator(`[data-screen="${name}"]`).first();
  try {
    await screen.waitFor({ state: "visible", timeout });
  } catch (err) {
    throw new Error(`screen "${name}" did not appear in ${timeout} ms; visible: ${await visibleScreens(page)}; ` +
      `alerts: ${await alerts(page)}\n${err}`, { cause: err });
  }
  return screen;
}

export async function visibleScreens(page) {
  const names = [];
  for (const el of await page.locator("[data-screen]").all()) {
    if (await el.isVisible().catch(() => false)) names.push(await el.getAttribute("data-screen"));
  }
  return JSON.stringify(names);
}

/** Every role=alert text on the page (the panel's error messages). */
export async function alerts(page) {
  const texts = [];
  for (const el of await page.locator('[role="alert"]').all()) {
    if (await el.isVisible().catch(() => false)) texts.push((await el.innerText()).trim());
  }
  return JSON.stringify(texts);
}

/** Fail at once with the panel's own error text if one appears while waiting for `ok`. */
export async function waitOrAlert(page, okLocator, what, timeout = TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (await okLocator.first().isVisible().catch(() => false)) return;
    const shown = JSON.parse(await alerts(page));
    if (shown.length > 0) throw new Error(`${what}: the panel says ${JSON.stringify(shown)}`);
    await page.waitForTimeout(250);
  }
  throw new Error(`${what}: nothing after ${timeout} ms; screens ${await visibleScreens(page)}`);
}

/** The pair tab's pending requests, refreshed until the agent's appears (about 10 s at most). */
export async function pendingPairings(page) {
  const pending = page.locator("li[data-session-id]");
  for (let i = 0; i < 20 && (await pending.count()) === 0; i += 1) {
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.waitForTimeout(500);
  }
  return pending;
}

/** Submits a wrong passphrase in `prompt`; the refusal the prompt shows. */
export async function refusalOfWrongPassphrase(prompt, wrongPassphrase) {
  await prompt.locator("textarea#passphrase").fill(wrongPassphrase);
  await prompt.locator('button[type="submit"]').click();
  const refused = prompt.locator('.error[role="alert"]');
  await refused.waitFor({ state: "visible", timeout: 60_000 });
  return (await refused.innerText()).trim();
}

export async function tab(page, name) {
  await page.locator(`[data-tab="${name}"]`).click({ timeout: TIMEOUT_MS });
}

/**
 * Wait until the <video> under `scope` has decoded frames: getVideoPlaybackQuality() counts
 * frames the decoder produced, so a positive count means the decrypted MP4 really played.
 */
export async function waitDecodedFrames(page, scope, what, timeout = 45_000) {
  const video = scope.locator("video").first();
  try {
    await video.waitFor({ state: "attached", timeout });
  } catch {
    throw new Error(`${what}: no <video> element; alerts: ${await alerts(page)}`);
  }
  const deadline = Date.now() + timeout;
  let last = null;
  while (Date.now() < deadline) {
    last = await video.evaluate((v) => ({
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
      currentTime: v.currentTime,
      readyState: v.readyState,
      error: v.error ? `${v.error.code} ${v.error.message}` : null,
      width: v.videoWidth,
      height: v.videoHeight,
    }));
    if (last.frames > 0 && last.width > 0) return last;
    const shown = JSON.parse(await alerts(page));
    if (shown.length > 0) throw new Error(`${what}: the player says ${JSON.stringify(shown)}; video ${JSON.stringify(last)}`);
    await page.waitForTimeout(250);
  }
  throw new Error(`${what}: no decoded frames after ${timeout} ms; video ${JSON.stringify(last)}; alerts ${await alerts(page)}`);
}

/** The newest clip tile (or the one named), waiting for it to be listed. */
export async function clipTile(page, scope, clipId, timeout = TIMEOUT_MS) {
  const selector = clipId ? `button[data-clip-id="${clipId}"]` : "button[data-clip-id]";
  const tile = scope.locator(selector).first();
  try {
    await tile.waitFor({ state: "visible", timeout });
  } catch {
    throw new Error(`clip ${clipId ?? "(any)"} is not listed after ${timeout} ms; alerts ${await alerts(page)}`);
  }
  return tile;
}
