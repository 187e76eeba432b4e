// Run the crypto test suites (vectors + Wycheproof) in headless Debian Chromium.
//
// esbuild bundles test/browser/entry.ts; a server on 127.0.0.1 (a secure context, so
// crypto.subtle exists) serves it with the data files; playwright-core drives /usr/bin/chromium
// (never a downloaded browser). Prints failures and "N passed, N failed"; exits 1 on any failure.

import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { launchChromium } from "./chromium.mjs";

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO = resolve(FRONTEND, "..");
const DATA_ROOTS = {
  vectors: join(REPO, "tests", "vectors"),
  // E2EE_NVR_WYCHEPROOF names Project Wycheproof's files; CI's default is shared/ beside the clone.
  wycheproof:
    process.env.E2EE_NVR_WYCHEPROOF ?? join(REPO, "..", "shared", "vectors", "wycheproof"),
  wordlists: join(REPO, "custom_components", "e2ee_nvr", "protocol", "wordlists"),
};
// Required in CI and whenever the variable names a folder; a bare clone without the files runs
// everything else and says what it left out.
const IN_CI = !["", "0", "false", "no"].includes((process.env.CI ?? "").toLowerCase());
const WYCHEPROOF_SKIPPED =
  !IN_CI && process.env.E2EE_NVR_WYCHEPROOF === undefined && !existsSync(DATA_ROOTS.wycheproof);
if (WYCHEPROOF_SKIPPED) {
  console.log(`Wycheproof files not found at ${DATA_ROOTS.wycheproof}: skipped (set E2EE_NVR_WYCHEPROOF)`);
}
const TIMEOUT_MS = 10 * 60 * 1000;

const built = await esbuild.build({
  entryPoints: [join(FRONTEND, "test", "browser", "entry.ts")],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  loader: { ".txt": "text" },
  logLevel: "warning",
});
const bundle = built.outputFiles[0].contents;
const page = `<!doctype html><meta charset="utf-8"><title>crypto tests</title>
<script type="module" src="/bundle.js"></script>`;

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? "/", "http://127.0.0.1");
  try {
    if (url.pathname === "/") {
      response.writeHead(200, { "content-type": "text/html" }).end(page);
    } else if (url.pathname === "/bundle.js") {
      response.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    } else if (url.pathname.startsWith("/data/")) {
      const [root, ...rest] = url.pathname.slice("/data/".length).split("/");
      const base = DATA_ROOTS[root];
      const file = base === undefined ? undefined : resolve(base, ...rest);
      if (file === undefined || !file.startsWith(base + sep)) throw new Error("outside the data roots");
      response.writeHead(200, { "content-type": "application/octet-stream" }).end(await readFile(file));
    } else {
      response.writeHead(404).end();
    }
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((done) => server.listen(0, "127.0.0.1", done));
const { port } = server.address();

const profile = await mkdtemp(join(tmpdir(), "e2ee-nvr-chromium-"));
let exitCode = 1;
let context;
try {
  context = await launchChromium(profile);
  const tab = context.pages()[0] ?? (await context.newPage());
  tab.on("pageerror", (err) => console.error(`page error: ${err.message}`));
  await tab.goto(`http://127.0.0.1:${port}/${WYCHEPROOF_SKIPPED ? "?wycheproof=skip" : ""}`);
  await tab.waitForFunction(() => window.testOutcome?.done === true, null, {
    timeout: TIMEOUT_MS,
    polling: 500,
  });
  const outcome = await tab.evaluate(() => window.testOutcome);
  const version = context.browser()?.version() ?? (await tab.evaluate(() => navigator.userAgent));
  for (const failure of outcome.failures) console.log(`FAIL ${failure}`);
  console.log(`Chromium ${version}: crypto vectors and Wycheproof`);
  console.log(`${outcome.passed} passed, ${outcome.failed} failed`);
  exitCode = outcome.failed === 0 && outcome.passed > 0 ? 0 : 1;
} catch (err) {
  console.error(`browser tests did not run: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await context?.close();
  server.close();
  await rm(profile, { recursive: true, force: true });
}
process.exit(exitCode);
