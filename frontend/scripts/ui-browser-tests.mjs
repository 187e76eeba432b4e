// The panel's browser checks in headless Debian Chromium: the IndexedDB keystore (across a
// browser restart), the ClipOpener on the shared clip vectors (verify, unwrap, Range reads,
// download), MSE playback and seeking of an ffmpeg-made fMP4 encrypted in the page, then a
// screenshot of every screen (wide/narrow, light/dark) against a fake Home Assistant.
//
//   node scripts/ui-browser-tests.mjs [--screenshots DIR]
//
// Exits 1 on any failure. Without ffmpeg the playback check is skipped (and says so).

import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { networkInterfaces, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { launchChromium } from "./chromium.mjs";
import { foldTemplatesPlugin } from "./fold-templates.mjs";

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO = resolve(FRONTEND, "..");
const at = process.argv.indexOf("--screenshots");
const SHOTS = at >= 0 ? resolve(process.argv[at + 1] ?? "screens") : null;
const CLIP_SECONDS = 10;

async function bundle(entry) {
  const built = await esbuild.build({
    absWorkingDir: FRONTEND, entryPoints: [entry], bundle: true, format: "esm", platform: "browser",
    target: "es2022", write: false, loader: { ".txt": "text" }, logLevel: "warning",
    // The screens run with their templates folded as the shipped build has them.
    plugins: [foldTemplatesPlugin],
  });
  return built.outputFiles[0].contents;
}

// Reads [[change, document], ...] on stdin: create, enrol, revoke through AccountStore.
const STORE_CHECK = `
import json, sys, tempfile
from pathlib import Path
from custom_components.e2ee_nvr.account_store import AccountStore
from custom_components.e2ee_nvr.protocol.account import AccountDocument
from custom_components.e2ee_nvr.protocol.account_v2 import AccountDocumentV2
steps = json.load(sys.stdin)
with tempfile.TemporaryDirectory() as folder:
    store = AccountStore(Path(folder))
    for change, document in steps:
        parsed = AccountDocumentV2.from_json(document) if document.get("v") == 2 else AccountDocument.from_json(document)
        if parsed.to_json() != document:
            sys.exit(f"{change}: to_json(from_json(document)) differs from what the browser sent")
        state = store.create(document, "browser") if change == "create" else store.update(document, change, "browser")
    print(f"Python AccountStore took {len(steps)} documents ({', '.join(c for c, _ in steps)}), epoch {state.recipient_set.epoch}")
`;

const work = await mkdtemp(join(tmpdir(), "e2ee-nvr-ui-"));
let mp4 = null;
const ffmpeg = spawnSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
  `testsrc=size=320x240:rate=25:duration=${CLIP_SECONDS}`, "-c:v", "libx264", "-profile:v", "baseline",
  "-pix_fmt", "yuv420p", "-g", "25", "-output_ts_offset", "3600", "-movflags", "frag_keyframe+empty_moov+default_base_moof",
  "-f", "mp4", join(work, "clip.mp4")]);
if (ffmpeg.status === 0) mp4 = await readFile(join(work, "clip.mp4"));

const files = {
  "/checks.js": await bundle("src/testing/browser-checks.ts"),
  "/screens.js": await bundle("src/testing/screens.ts"),
  "/data/clip.json": await readFile(join(REPO, "tests", "vectors", "clip.json")),
  "/data/pairing.json": await readFile(join(REPO, "tests", "vectors", "pairing.json")),
  ...(mp4 === null ? {} : { "/data/clip.mp4": mp4 }),
};
const page = (script) => `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<style>body{margin:0;font-family:Roboto,sans-serif;background:#fafafa}</style><script type="module" src="${script}"></script>`;
const server = createServer((request, response) => {
  const path = new URL(request.url ?? "/", "http://x").pathname;
  if (path === "/checks.html" || path === "/screens.html") {
    response.writeHead(200, { "content-type": "text/html" }).end(page(path.replace(".html", ".js")));
  } else if (files[path] !== undefined) {
    response.writeHead(200, { "content-type": path.endsWith(".js") ? "text/javascript" : "application/octet-stream" }).end(files[path]);
  } else {
    response.writeHead(404).end();
  }
});
await new Promise((done) => server.listen(0, "0.0.0.0", done));
const { port } = server.address();
const base = `http://127.0.0.1:${port}`;

const failures = [];
const profile = join(work, "profile");
const launch = () => launchChromium(profile, { args: ["--autoplay-policy=no-user-gesture-required"] });
const errors = (tab) => {
  tab.on("pageerror", (err) => failures.push(`page error: ${err.message}`));
  tab.on("crash", () => failures.push("the page crashed"));
  if (process.env.E2EE_NVR_DEBUG) tab.on("console", (m) => console.log(`console: ${m.text()}`));
};
let context;
try {
  // Keystore: save, restart the browser on the same profile, load and use.
  context = await launch();
  let tab = context.pages()[0] ?? (await context.newPage());
  errors(tab);
  await tab.goto(`${base}/checks.html`);
  await tab.waitForFunction(() => window.uiChecks !== undefined);
  const saved = await tab.evaluate(() => window.uiChecks.keystoreSave());
  failures.push(...saved.failures.map((f) => `keystore: ${f}`));
  await context.close();
  context = await launch();
  tab = context.pages()[0] ?? (await context.newPage());
  errors(tab);
  await tab.goto(`${base}/checks.html`);
  await tab.waitForFunction(() => window.uiChecks !== undefined);
  failures.push(...(await tab.evaluate((id) => window.uiChecks.keystoreLoad(id), saved.keyId)).map((f) => `keystore after restart: ${f}`));
  console.log(`keystore: checked (key ${saved.keyId.slice(0, 8)}… survived a browser restart)`);

  const clipFailures = await tab.evaluate(async () => {
    const vectors = await (await fetch("/data/clip.json")).json();
    return window.uiChecks.clipOpener(vectors.cases);
  });
  failures.push(...clipFailures.map((f) => `clip opener: ${f}`));
  console.log("clip opener: shared clip vectors checked");

  // The real account operations (protocol v2): turn on, enrol, data keys, pairing and revoke with
  // the passphrase, against a fake store; then every document the store received goes through
  // Python's AccountStore (from_json, the chain and recipient-set checks, the create/enrol/revoke
  // rules, a revoke's data-key rotation) and must round-trip exactly.
  const flow = await tab.evaluate(async () => {
    const vectors = await (await fetch("/data/pairing.json")).json();
    const c = vectors.cases.find((x) => x.name === "open-request");
    return window.uiChecks.accountFlow({
      typedCode: c.input.typed_code, now: c.input.now, request: c.input.request, sessionId: c.output.session_id,
      deviceKeyId: c.output.device_key_id, expiresAt: c.output.expires_at,
    });
  });
  failures.push(...flow.failures.map((f) => `account ops: ${f}`));
  for (const line of flow.log) console.log(`account ops: ${line}`);
  const python = process.env.E2EE_NVR_STORE_PYTHON ?? join(REPO, ".venv", "ha2025", "bin", "python");
  const stored = spawnSync(python, ["-c", STORE_CHECK], { cwd: REPO, input: JSON.stringify(flow.sent), encoding: "utf8" });
  if (stored.error !== undefined) {
    console.log(`account ops: Python store check SKIPPED (${python}: ${stored.error.message})`);
  } else if (stored.status !== 0) {
    failures.push(`account ops: Python refused the documents: ${stored.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  } else {
    console.log(`account ops: ${stored.stdout.trim()}`);
  }

  // Links into the panel: ?pair=<code> prefills the pair tab, a pasted e2ee-nvr-pair: URI is
  // reduced to its code, ?clip=<id> (the media browser's links) opens that clip in the player.
  const CODE = "KB7Q-IO3M-2XPZ-4H5N-RT6J";
  const linkPage = await context.newPage();
  errors(linkPage);
  await linkPage.goto(`${base}/screens.html?scenario=enrolled&pair=${encodeURIComponent(`e2ee-nvr-pair:${CODE}`)}`);
  await linkPage.waitForSelector("body[data-ready='1']");
  await linkPage.waitForSelector("[data-screen=pair]");
  const tabSelected = await linkPage.locator("[data-tab=pair]").getAttribute("aria-selected");
  const prefilled = await linkPage.locator("#code").inputValue();
  if (tabSelected !== "true" || prefilled !== CODE) failures.push(`links: ?pair= gave tab ${tabSelected}, code "${prefilled}"`);
  await linkPage.locator("#code").fill(`e2ee-nvr-pair:${CODE.toLowerCase()}`);
  const pasted = await linkPage.locator("#code").inputValue();
  if (pasted !== CODE.toLowerCase()) failures.push(`links: a pasted pairing URI left "${pasted}" in the field`);
  const clipId = (1).toString(16).padStart(32, "a");
  await linkPage.goto(`${base}/screens.html?scenario=enrolled&clip=${clipId}`);
  await linkPage.waitForSelector("body[data-ready='1']");
  try {
    await linkPage.waitForSelector(`[data-screen=player] e2ee-nvr-clip-player[clip-id="${clipId}"]`, { timeout: 5000 });
    await linkPage.waitForSelector(`[data-clip-id="${clipId}"].selected`, { timeout: 5000 });
  } catch {
    failures.push("links: ?clip=<id> did not open that clip in the player");
  }
  await linkPage.close();
  console.log("links: ?pair=, pasted e2ee-nvr-pair: URI and ?clip= checked");

  // HA's language: with hass.locale.language "de" the panel speaks German, event kinds included.
  const german = await context.newPage();
  errors(german);
  await german.goto(`${base}/screens.html?scenario=enrolled&lang=de`);
  await german.waitForSelector("body[data-ready='1']");
  await german.waitForSelector("[data-tab=clips]");
  const germanTabs = await german.locator("[role=tab]").allInnerTexts();
  if (!germanTabs.map((t) => t.trim()).includes("Aufnahmen")) failures.push(`german: tabs say ${JSON.stringify(germanTabs)}`);
  const germanKinds = await german.locator("select option").allInnerTexts();
  if (!germanKinds.includes("Bewegung") || germanKinds.includes("motion")) failures.push(`german: event filter says ${JSON.stringify(germanKinds)}`);
  const picker = await german.evaluate(() => window.customCards?.find((c) => c.type === "e2ee-nvr-clips-card")?.name);
  if (picker !== "E2EE-NVR-Aufnahmen") failures.push(`german: the card picker lists ${JSON.stringify(picker)}`);
  await german.close();
  console.log(`german: tabs ${germanTabs.map((t) => t.trim()).join(", ")}`);

  if (mp4 === null) {
    console.log("player: SKIPPED (ffmpeg not found)");
  } else {
    const played = await tab.evaluate(async (seconds) => {
      const bytes = new Uint8Array(await (await fetch("/data/clip.mp4")).arrayBuffer());
      return window.uiChecks.player(Array.from(bytes), seconds);
    }, CLIP_SECONDS);
    failures.push(...played.failures.map((f) => `player: ${f}`));
    for (const line of played.log) console.log(`player: ${line}`);
    const across = await tab.evaluate(async (seconds) => {
      const bytes = new Uint8Array(await (await fetch("/data/clip.mp4")).arrayBuffer());
      return window.uiChecks.playerAcross(Array.from(bytes), seconds);
    }, CLIP_SECONDS);
    failures.push(...across.failures.map((f) => `player across clips: ${f}`));
    for (const line of across.log) console.log(`player across clips: ${line}`);
    const live = await tab.evaluate(async () => {
      const bytes = new Uint8Array(await (await fetch("/data/clip.mp4")).arrayBuffer());
      return window.uiChecks.livePlayer(Array.from(bytes));
    });
    failures.push(...live.failures.map((f) => `live player: ${f}`));
    for (const line of live.log) console.log(`live player: ${line}`);
  }

  if (SHOTS !== null) {
    await mkdir(SHOTS, { recursive: true });
    const wordlist = (await readFile(join(REPO, "custom_components/e2ee_nvr/protocol/wordlists/eff_large_wordlist.txt"), "utf8")).split("\n");
    const denied = new Set((await readFile(join(REPO, "custom_components/e2ee_nvr/protocol/wordlists/eff_large_denylist.txt"), "utf8")).split("\n"));
    const words = wordlist.filter((w) => w && !denied.has(w)).slice(500, 510);
    const shots = [];
    const shoot = async (name, query, size, act) => {
      const view = await context.newPage();
      errors(view);
      await view.setViewportSize(size);
      await view.goto(`${query.startsWith("http") ? query : `${base}/screens.html?${query}`}`);
      await view.waitForSelector("body[data-ready='1']");
      await view.waitForTimeout(300);
      if (act) await act(view);
      await view.waitForTimeout(300);
      const file = join(SHOTS, `${name}.png`);
      await view.screenshot({ path: file, fullPage: true });
      shots.push(file);
      await view.close();
    };
    const wide = { width: 1280, height: 800 };
    const narrow = { width: 390, height: 844 };
    const lan = Object.values(networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal);
    if (lan !== undefined) await shoot("insecure", `http://${lan.address}:${port}/screens.html?scenario=off`, wide);
    await shoot("turn-on", "scenario=off", wide);
    await shoot("turn-on-narrow-dark", "scenario=off&theme=dark", narrow);
    await shoot("passphrase", "scenario=off", wide, async (v) => {
      await v.getByText("I understand: show me my passphrase").click();
      await v.waitForSelector("ol.words li");
    });
    await shoot("confirm-wrong", "scenario=off", wide, async (v) => {
      await v.getByText("I understand: show me my passphrase").click();
      await v.getByText("I wrote it down").click();
      for (const input of await v.locator("input[name^=word-]").all()) await input.fill("wrong");
      await v.getByRole("button", { name: "Turn on" }).click();
      await v.waitForSelector("[role=alert]");
    });
    await shoot("creating", "scenario=off", wide, async (v) => {
      await v.getByText("I understand: show me my passphrase").click();
      const phrase = (await v.locator("ol.words").getAttribute("data-passphrase")).split(" ");
      await v.getByText("I wrote it down").click();
      for (const input of await v.locator("input[name^=word-]").all()) {
        const n = Number((await input.getAttribute("name")).slice(5));
        await input.fill(phrase[n - 1].toUpperCase());
      }
      await v.getByRole("button", { name: "Turn on" }).click();
      await v.waitForSelector("[data-screen=creating]");
      await v.waitForTimeout(600);
    });
    await shoot("enrol-wrong", "scenario=unenrolled", wide, async (v) => {
      await v.locator("textarea").fill(words.join("  ").toUpperCase());
      await v.getByRole("button", { name: "Enrol" }).click();
      await v.waitForSelector("[role=alert]");
    });
    await shoot("enrol-not-admin", "scenario=unenrolled&admin=0", narrow);
    await shoot("clips", "scenario=enrolled", wide);
    await shoot("clips-dark", "scenario=enrolled&theme=dark", wide);
    await shoot("clips-narrow", "scenario=enrolled", narrow);
    await shoot("clips-de", "scenario=enrolled&lang=de", wide);
    await shoot("card-and-editor-de-narrow-dark", "scenario=enrolled&element=card&lang=de&theme=dark", narrow);
    await shoot("clip-selected", "scenario=enrolled", wide, async (v) => {
      await v.locator("button.tile").first().click();
    });
    await shoot("devices", "scenario=enrolled", wide, async (v) => v.locator("[data-tab=devices]").click());
    await shoot("devices-narrow-dark", "scenario=enrolled&theme=dark", narrow, async (v) => v.locator("[data-tab=devices]").click());
    await shoot("pair-error", "scenario=enrolled", wide, async (v) => {
      await v.locator("[data-tab=pair]").click();
      await v.locator("#code").fill("abcd-efgh-ijkl-mnop-qrst");
      // Pairing signs with the passphrase (v2): the button waits until one is typed.
      await v.locator("[data-screen=pair] textarea").fill(words.join(" "));
      await v.getByRole("button", { name: "Pair", exact: true }).click();
      await v.waitForSelector("[role=alert]");
    });
    await shoot("turn-off", "scenario=enrolled", wide, async (v) => {
      await v.locator("[data-tab=settings]").click();
      await v.locator("#phrase").fill("turn off");
    });
    await shoot("card-and-editor", "scenario=enrolled&element=card", wide);
    await shoot("card-unenrolled", "scenario=unenrolled&element=card", narrow);
    console.log(`screenshots: ${shots.length} in ${SHOTS}`);
  }
} catch (err) {
  failures.push(`did not run: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
} finally {
  await context?.close();
  server.close();
  await rm(work, { recursive: true, force: true });
}
for (const failure of failures) console.log(`FAIL ${failure}`);
console.log(failures.length === 0 ? "panel browser checks passed" : `${failures.length} failure(s)`);
process.exit(failures.length === 0 ? 0 : 1);
