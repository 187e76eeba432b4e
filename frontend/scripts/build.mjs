// Builds the panel and card into ONE ES module: custom_components/e2ee_nvr/frontend/e2ee-nvr.js.
//
// Reproducible: no timestamps, no source maps, no minifier; paths in the bundle's comments are
// relative to frontend/ (absWorkingDir), so any clone anywhere produces the same bytes from the
// same sources and package-lock. scripts/check-build.mjs holds CI to that.
//
//   node scripts/build.mjs              write the shipped bundle
//   node scripts/build.mjs --out FILE   write elsewhere (the CI check builds into a temp dir)

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

export const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const SHIPPED = join(FRONTEND, "..", "custom_components", "e2ee_nvr", "frontend", "e2ee-nvr.js");

const BANNER = "// E2EE NVR panel and card: built from frontend/ by scripts/build.mjs. Do not edit.";

/** The bundle's bytes. */
export async function buildBundle() {
  const result = await esbuild.build({
    absWorkingDir: FRONTEND,
    entryPoints: ["src/main.ts"],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: false,
    sourcemap: false,
    charset: "utf8",
    legalComments: "inline",
    banner: { js: BANNER },
    loader: { ".txt": "text" },
    write: false,
    outfile: "e2ee-nvr.js",
    logLevel: "warning",
  });
  if (result.outputFiles.length !== 1) throw new Error(`expected one output file, got ${result.outputFiles.length}`);
  return result.outputFiles[0].contents;
}

export async function writeBundle(path) {
  const bytes = await buildBundle();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return bytes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--out");
  const out = at >= 0 ? resolve(process.argv[at + 1] ?? "") : SHIPPED;
  const bytes = await writeBundle(out);
  console.log(`wrote ${out} (${bytes.length} bytes)`);
}
