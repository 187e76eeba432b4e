// Bundle sizes (issue 12, figure 9), minified and gzipped, from a fresh build (check-build.mjs
// holds the shipped files equal to it):
//   card entry  = e2ee-nvr.js and the chunks it imports statically: what every dashboard page
//                 loads (the panel loads the same module, by the same URL);
//   panel, all  = that plus every chunk loaded on demand (account, backup, pairing, passphrase),
//                 what the panel has fetched once each screen was opened.
// Prints `bench: NAME value=V unit=kB target=T met|missed` lines (kB = 1000 bytes); figures
// without a target say `target=none reported`.
//
//   node scripts/bundle-size.mjs

import { gzipSync } from "node:zlib";
import { ENTRY_NAME, buildFiles } from "./build.mjs";

const CARD_ENTRY_TARGET_KB = 400;

const { files, metafile } = await buildFiles({ metafile: true });
const bytesOf = new Map(files);
// Metafile paths are relative to frontend/; the build's own names are the paths' tails.
const nameOf = (path) => files.map(([name]) => name).find((name) => path.endsWith(`/${name}`));
const imports = new Map(
  Object.entries(metafile.outputs).map(([path, output]) => [
    nameOf(path),
    output.imports.filter((i) => i.kind === "import-statement").map((i) => nameOf(i.path)),
  ]),
);

function staticClosure(name, seen = new Set()) {
  if (name === undefined || seen.has(name)) return seen;
  seen.add(name);
  for (const next of imports.get(name) ?? []) staticClosure(next, seen);
  return seen;
}

function sizes(names) {
  const parts = [...names].map((name) => bytesOf.get(name));
  const minified = parts.reduce((sum, bytes) => sum + bytes.length, 0);
  // Each file travels on its own, so each is compressed on its own.
  const gzipped = parts.reduce((sum, bytes) => sum + gzipSync(bytes).length, 0);
  return { minified: minified / 1000, gzipped: gzipped / 1000 };
}

const line = (name, value, target, met) =>
  console.log(`bench: ${name} value=${value.toFixed(1)} unit=kB target=${target} ${met}`);
const card = sizes(staticClosure(ENTRY_NAME));
const all = sizes(files.map(([name]) => name));
console.log(`  card entry: ${[...staticClosure(ENTRY_NAME)].join(", ")}; panel, all: ${files.length} files`);
line("bundle_card_entry_min", card.minified, CARD_ENTRY_TARGET_KB, card.minified <= CARD_ENTRY_TARGET_KB ? "met" : "missed");
line("bundle_card_entry_gzip", card.gzipped, "none", "reported");
line("bundle_panel_all_min", all.minified, "none", "reported");
line("bundle_panel_all_gzip", all.gzipped, "none", "reported");
