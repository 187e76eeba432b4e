// Builds the panel and card into custom_components/e2ee_nvr/frontend/: one ES module entry,
// e2ee-nvr.js, and the chunks it loads, in chunks/ (code splitting: the account, backup,
// certificate-issuing and passphrase code are chunks that only the screens needing them import).
//
// Minified (the Lit templates' white space folded too: scripts/fold-templates.mjs) and
// reproducible: no timestamps, no source maps, content-hashed chunk names, and esbuild's minifier
// and the folding are deterministic, so any clone anywhere produces the same bytes from the
// same sources and package-lock. scripts/check-build.mjs holds CI to that, file by file.
//
//   node scripts/build.mjs              write the shipped bundle (replacing every old chunk)
//   node scripts/build.mjs --out DIR    write elsewhere (the CI check builds into a temp dir)

import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { foldTemplatesPlugin } from "./fold-templates.mjs";

export const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const SHIPPED_DIR = join(FRONTEND, "..", "custom_components", "e2ee_nvr", "frontend");
export const ENTRY_NAME = "e2ee-nvr.js";
export const CHUNKS_DIR = "chunks";

const BANNER = "// E2EE NVR panel and card: built from frontend/ by scripts/build.mjs. Do not edit.";

/**
 * The build's files as a sorted list of [relative path, bytes]; with `metafile`, esbuild's
 * metafile too (scripts/bundle-size.mjs reads which chunks the entry imports statically).
 */
export async function buildFiles({ metafile = false } = {}) {
  const result = await esbuild.build({
    absWorkingDir: FRONTEND,
    entryPoints: [{ in: "src/main.ts", out: "e2ee-nvr" }],
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    charset: "utf8",
    legalComments: "inline",
    banner: { js: BANNER },
    loader: { ".txt": "text" },
    plugins: [foldTemplatesPlugin],
    chunkNames: `${CHUNKS_DIR}/[name]-[hash]`,
    write: false,
    outdir: "/e2ee-nvr-build",
    metafile,
    logLevel: "warning",
  });
  const files = result.outputFiles
    .map((file) => [relative("/e2ee-nvr-build", file.path), file.contents])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!files.some(([name]) => name === ENTRY_NAME)) throw new Error(`the build has no ${ENTRY_NAME}`);
  return { files, metafile: result.metafile ?? null };
}

/** Replace the entry and every chunk in `dir` with a fresh build; returns the files written. */
export async function writeBuild(dir) {
  const { files } = await buildFiles();
  // Old chunks would linger with their old hashes: the chunk folder is the build's alone.
  await rm(join(dir, CHUNKS_DIR), { recursive: true, force: true });
  for (const [name, bytes] of files) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), bytes);
  }
  return files;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--out");
  const out = at >= 0 ? resolve(process.argv[at + 1] ?? "") : SHIPPED_DIR;
  const files = await writeBuild(out);
  const total = files.reduce((sum, [, bytes]) => sum + bytes.length, 0);
  console.log(`wrote ${files.length} files to ${out} (${total} bytes)`);
}
