// Run one end-to-end scenario in headless Debian Chromium against a running Home Assistant.
//
// Usage: node e2e/run-scenario.mjs <scenario>   with a JSON object on stdin:
//   { "haUrl": "http://127.0.0.1:PORT", "username": "...", "password": "...",
//     "screenshotDir": "/abs/dir", "profileDir": "/abs/dir" (optional),
//     "device": "desktop" (default) or "phone", ...scenario fields }
// Prints one JSON line on stdout, {"ok": true, ...} or {"ok": false, "error": "..."}, and exits
// 0 or 1. devstack/browser.py is the Python side. playwright-core drives /usr/bin/chromium,
// never a downloaded browser; a named profileDir keeps IndexedDB (the instance key) between
// scenarios, as a real enrolled browser would.

import { mkdir, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchChromium } from "../scripts/chromium.mjs";

const SCENARIOS = {
  login: () => import("./scenarios/login.mjs"),
  "turn-on": () => import("./scenarios/turn-on.mjs"),
  pair: () => import("./scenarios/pair.mjs"),
  play: () => import("./scenarios/play.mjs"),
  enrol: () => import("./scenarios/enrol.mjs"),
  revoke: () => import("./scenarios/revoke.mjs"),
  revoked: () => import("./scenarios/revoked.mjs"),
  "turn-off": () => import("./scenarios/turn-off.mjs"),
  card: () => import("./scenarios/card.mjs"),
  "card-timeline": () => import("./scenarios/card-timeline.mjs"),
  "card-picker": () => import("./scenarios/card-picker.mjs"),
  screenshots: () => import("./scenarios/screenshots.mjs"),
  "bench-enrol": () => import("./scenarios/bench-enrol.mjs"),
  "bench-pair": () => import("./scenarios/bench-pair.mjs"),
  "bench-play": () => import("./scenarios/bench-play.mjs"),
  "bench-live": () => import("./scenarios/bench-live.mjs"),
  "signed-facts": () => import("./scenarios/signed-facts.mjs"),
  upgrade: () => import("./scenarios/upgrade.mjs"),
  live: () => import("./scenarios/live.mjs"),
  timeline: () => import("./scenarios/timeline.mjs"),
  "timeline-touch": () => import("./scenarios/timeline-touch.mjs"),
  "live-revoked": () => import("./scenarios/live-revoked.mjs"),
};

// The browser a scenario runs in. "phone" is a 390x844 touch phone as Chromium's device mode
// has one: a touchscreen (real touch events, pointerType "touch"), the mobile viewport and a
// 3x screen, so HA takes its narrow layout and our elements meet a finger, not a mouse.
const DEVICES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 3 },
};

async function main() {
  const name = process.argv[2];
  if (!(name in SCENARIOS)) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS)}`);
  const params = JSON.parse(await readFile("/dev/stdin", "utf8"));
  await mkdir(params.screenshotDir, { recursive: true });
  const profile = params.profileDir ?? (await mkdtemp(join(tmpdir(), "e2ee-nvr-e2e-")));
  const device = DEVICES[params.device ?? "desktop"];
  if (device === undefined) throw new Error(`unknown device ${params.device}; known: ${Object.keys(DEVICES)}`);
  const context = await launchChromium(profile, { ...device, acceptDownloads: true });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  // Every console line and page error, kept for the failure report (the last 60).
  const consoleLog = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
    consoleLog.push(`${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => {
    consoleErrors.push(`pageerror: ${error}`);
    consoleLog.push(`pageerror: ${error?.stack ?? error}`);
  });
  let step = 0;
  const shot = async (label) => {
    step += 1;
    const prefix = params.shotPrefix ? `${params.shotPrefix}-` : "";
    const path = join(params.screenshotDir, `${prefix}${name}-${String(step).padStart(2, "0")}-${label}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  };
  try {
    const scenario = await SCENARIOS[name]();
    const result = await scenario.run({ page, params, shot, context });
    return { ok: true, ...result, consoleErrors };
  } catch (error) {
    const path = await shot("failure").catch(() => null);
    return {
      ok: false,
      error: String(error?.stack ?? error),
      screenshot: path,
      url: page.url(),
      consoleErrors,
      console: consoleLog.slice(-60),
    };
  } finally {
    await context.close();
  }
}

const result = await main().catch((error) => ({ ok: false, error: String(error?.stack ?? error) }));
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(result.ok ? 0 : 1);
