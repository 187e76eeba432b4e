// Run one function of a bundled page module in headless Debian Chromium and return its result:
// what the browser benchmarks (bench-decrypt.mjs, day-load-bench.mjs) share. The entry is
// bundled with esbuild, served from 127.0.0.1 (a secure context, so crypto.subtle exists), and
// must put `name` on window.

import { createServer } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { launchChromium } from "./chromium.mjs";

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** `window[name](argument)` in a page running `entry`; also the Chromium version. */
export async function runInChromium(entry, name, argument) {
  const built = await esbuild.build({
    absWorkingDir: FRONTEND, entryPoints: [entry], bundle: true, format: "esm",
    platform: "browser", target: "es2022", minify: true, write: false, loader: { ".txt": "text" }, logLevel: "warning",
  });
  const bundle = built.outputFiles[0].contents;
  const page = `<!doctype html><meta charset="utf-8"><title>${name}</title><script type="module" src="/bench.js"></script>`;
  const server = createServer((request, response) => {
    if (request.url === "/") response.writeHead(200, { "content-type": "text/html" }).end(page);
    else if (request.url === "/bench.js") response.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    else response.writeHead(404).end();
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  const profile = await mkdtemp(join(tmpdir(), "e2ee-nvr-bench-"));
  let context;
  try {
    context = await launchChromium(profile);
    const tab = context.pages()[0] ?? (await context.newPage());
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction((fn) => typeof window[fn] === "function", name);
    const result = await tab.evaluate(([fn, arg]) => window[fn](arg), [name, argument]);
    return { result, version: context.browser()?.version() ?? "" };
  } finally {
    await context?.close();
    server.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** Print one figure in the format scripts/benchmarks/report.py reads. */
export function benchLine(name, value, unit, target, met) {
  console.log(`bench: ${name} value=${value} unit=${unit} target=${target} ${met ? "met" : "missed"}`);
}
