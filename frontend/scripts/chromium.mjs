// How every browser suite starts Debian's Chromium (E2EE_NVR_CHROMIUM names another binary):
// headless, without a GPU, and without the background traffic (updates, sync, QUIC probes) that
// would reach past the test's own loopback server.

import { chromium } from "playwright-core";

const CHROMIUM = process.env.E2EE_NVR_CHROMIUM ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** A persistent context on the `profile` folder; `args` adds flags, the rest are launch options. */
export function launchChromium(profile, { args = [], ...options } = {}) {
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...ARGS, ...args], ...options });
}
