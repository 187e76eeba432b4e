// Clip decryption in headless Debian Chromium against raw WebCrypto AES-GCM on the same bytes and
// chunking (issue 12, figure 1). Prints one `bench:` line per figure:
//
//   bench: chromium_stream_decrypt_ratio value=V unit=ratio target=0.7 met|missed
//   bench: chromium_range_decrypt_ratio value=V unit=ratio target=0.7 met|missed
//   bench: chromium_decrypt_longest_task value=V unit=ms target=50 met|missed
//
// plus the throughputs behind the ratios. Ratios, not timings, are the figures: this machine's
// speed varies with its load.
//
//   node scripts/bench-decrypt.mjs [--mib 64]

import { createServer } from "node:http";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { launchChromium } from "./chromium.mjs";

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const at = process.argv.indexOf("--mib");
const MIB = at >= 0 ? Number(process.argv[at + 1]) : 64;
if (!(Number.isInteger(MIB) && MIB > 0)) throw new Error("--mib takes a positive whole number");

const built = await esbuild.build({
  absWorkingDir: FRONTEND, entryPoints: ["src/testing/decrypt-bench.ts"], bundle: true, format: "esm",
  platform: "browser", target: "es2022", minify: true, write: false, loader: { ".txt": "text" }, logLevel: "warning",
});
const bundle = built.outputFiles[0].contents;
const page = `<!doctype html><meta charset="utf-8"><title>decrypt bench</title><script type="module" src="/bench.js"></script>`;
// Served from 127.0.0.1, a secure context, so crypto.subtle exists.
const server = createServer((request, response) => {
  if (request.url === "/") response.writeHead(200, { "content-type": "text/html" }).end(page);
  else if (request.url === "/bench.js") response.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
  else response.writeHead(404).end();
});
await new Promise((done) => server.listen(0, "127.0.0.1", done));
const profile = await mkdtemp(join(tmpdir(), "e2ee-nvr-bench-"));
let context;
let exitCode = 1;
try {
  context = await launchChromium(profile);
  const tab = context.pages()[0] ?? (await context.newPage());
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  await tab.waitForFunction(() => typeof window.runDecryptBench === "function");
  const result = await tab.evaluate((bytes) => window.runDecryptBench(bytes), MIB * 1024 * 1024);
  const line = (name, value, unit, target, met) =>
    console.log(`bench: ${name} value=${value} unit=${unit} target=${target} ${met ? "met" : "missed"}`);
  const streamRatio = result.streamMBps / result.rawMBps;
  const rangeRatio = result.rangeMBps / result.rawMBps;
  console.log(`  ${MIB} MiB clip, 256 KiB chunks, Chromium ${context.browser()?.version() ?? ""}: raw WebCrypto AES-GCM ` +
    `${result.rawMBps.toFixed(0)} MB/s, StreamDecryptor ${result.streamMBps.toFixed(0)} MB/s, ` +
    `range reader ${result.rangeMBps.toFixed(0)} MB/s`);
  line("chromium_stream_decrypt_ratio", streamRatio.toFixed(2), "ratio", 0.7, streamRatio >= 0.7);
  line("chromium_range_decrypt_ratio", rangeRatio.toFixed(2), "ratio", 0.7, rangeRatio >= 0.7);
  if (result.longestTaskMs >= 0) {
    line("chromium_decrypt_longest_task", result.longestTaskMs.toFixed(0), "ms", 50, result.longestTaskMs <= 50);
  }
  exitCode = 0;
} catch (err) {
  console.error(`bench did not run: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await context?.close();
  server.close();
  await rm(profile, { recursive: true, force: true });
}
process.exit(exitCode);
