// The panel and the dashboard card at desktop (1280x800) and phone (390x844) width, in HA's
// light and dark theme, in English and German, each a PNG named for what it shows
// (panel-phone-dark-de.png). The theme and language are this browser's HA settings, kept in
// localStorage as HA's profile page keeps them ("selectedTheme", "selectedLanguage"), set before
// each load. For every picture the page reports what it looked like, for the Python side to
// check: <html lang>, HA's darkMode, the background luminance of our element's box, the text
// shown, and every element of ours reaching past the right edge of the viewport.

/* global localStorage, getComputedStyle, innerWidth -- measure() and the settings run in the page */
import { join } from "node:path";
import { PANEL, TIMEOUT_MS, clipTile, openLoggedIn, tab, waitScreen } from "./common.mjs";

export const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
// The other tabs, pictured at phone width, where they are most likely to break: tab -> screen.
const PHONE_TABS = { live: "live", devices: "devices", pair: "pair", settings: "turn-off" };

async function applySettings(page, { theme, language }) {
  await page.evaluate(
    ([dark, lang]) => {
      localStorage.setItem("selectedTheme", JSON.stringify({ theme: "default", dark }));
      localStorage.setItem("selectedLanguage", JSON.stringify(lang));
    },
    [theme === "dark", language],
  );
}

/**
 * What the picture shows, measured in the page: `tag` is our element (e2ee-nvr-panel or
 * e2ee-nvr-clips-card); `box` the shadow-root element whose background is the surface (the panel
 * itself, the card's ha-card). Overflow: our elements whose right edge passes the viewport, not
 * counting those inside a horizontally scrolling box (the tab strip scrolls by design).
 */
function measure([tag, box]) {
  const host = document.querySelector("home-assistant");
  const find = (root, selector) => {
    const direct = root.querySelector(selector);
    if (direct) return direct;
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) {
        const found = find(el.shadowRoot, selector);
        if (found) return found;
      }
    }
    return null;
  };
  const ours = find(document, tag);
  if (ours === null) return { found: false };
  const surface = box === ":host" ? ours : ours.shadowRoot.querySelector(box);
  const [r, g, b] = (getComputedStyle(surface).backgroundColor.match(/[\d.]+/g) ?? ["255", "255", "255"]).map(Number);
  const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  const overflowing = [];
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  // An element inside a horizontally scrolling box (in its own tree or a host's) may pass the
  // edge: the box scrolls it into view.
  const scrolled = (el) => {
    for (let up = el.parentElement; up !== null; up = up.parentElement) if (scrolls(up)) return true;
    return false;
  };
  const walk = (root, inScroller) => {
    for (const el of root.querySelectorAll("*")) {
      const rect = el.getBoundingClientRect();
      const skipped = inScroller || scrolled(el);
      if (!skipped && rect.width > 0 && rect.right > innerWidth + 1) {
        overflowing.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${[...el.classList].join(".")} right=${Math.round(rect.right)}`);
      }
      if (el.shadowRoot) walk(el.shadowRoot, skipped || scrolls(el));
    }
  };
  walk(ours.shadowRoot, false);
  const text = (root) =>
    [...root.childNodes].map((n) => (n.nodeType === 3 ? n.textContent : n.nodeType === 1 ? (n.shadowRoot ? text(n.shadowRoot) : "") + text(n) : "")).join(" ");
  return {
    found: true,
    lang: document.documentElement.lang,
    darkMode: host?.hass?.themes?.darkMode ?? null,
    luminance,
    ourWidth: ours.getBoundingClientRect().width,
    overflowing,
    scrollWidth: document.scrollingElement.scrollWidth,
    text: text(ours.shadowRoot).replace(/\s+/g, " ").trim(),
  };
}

export async function run({ page, params }) {
  const shots = [];
  await openLoggedIn(page, params, `/${PANEL}`);
  for (const language of params.languages) {
    for (const theme of params.themes) {
      await applySettings(page, { theme, language });
      for (const [size, viewport] of Object.entries(VIEWPORTS)) {
        await page.setViewportSize(viewport);

        await page.goto(`${params.haUrl}/${PANEL}`, { timeout: TIMEOUT_MS });
        await page.locator("[data-tab]").first().waitFor({ state: "visible", timeout: TIMEOUT_MS });
        await tab(page, "clips");
        await clipTile(page, page.locator("e2ee-nvr-clips-view"), params.clipId, 45_000);
        // The thumbnail decrypts after the tile shows; a picture without it shows less.
        await page.locator("e2ee-nvr-clips-view img").first().waitFor({ state: "visible", timeout: TIMEOUT_MS });
        const panelName = `panel-${size}-${theme}-${language}.png`;
        await page.screenshot({ path: join(params.screenshotDir, panelName) });
        shots.push({ name: panelName, kind: "panel", size, theme, language, ...(await page.evaluate(measure, ["e2ee-nvr-panel", ":host"])) });
        for (const [name, screen] of size === "phone" ? Object.entries(PHONE_TABS) : []) {
          await tab(page, name);
          await waitScreen(page, screen);
          const tabName = `panel-${name}-${size}-${theme}-${language}.png`;
          await page.screenshot({ path: join(params.screenshotDir, tabName) });
          shots.push({ name: tabName, kind: "panel", size, theme, language, ...(await page.evaluate(measure, ["e2ee-nvr-panel", ":host"])) });
        }

        await page.goto(`${params.haUrl}${params.dashboardPath}`, { timeout: TIMEOUT_MS });
        const card = page.locator("e2ee-nvr-clips-card").first();
        await clipTile(page, card, params.clipId, 45_000);
        await card.locator("img").first().waitFor({ state: "visible", timeout: TIMEOUT_MS });
        const cardName = `card-${size}-${theme}-${language}.png`;
        await page.screenshot({ path: join(params.screenshotDir, cardName) });
        shots.push({ name: cardName, kind: "card", size, theme, language, ...(await page.evaluate(measure, ["e2ee-nvr-clips-card", "ha-card"])) });
      }
    }
  }
  return { shots };
}
