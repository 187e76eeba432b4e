// CI check of the shipped bundle: two fresh builds must be byte-identical (reproducibility),
// and custom_components/e2ee_nvr/frontend/ must hold exactly the files of a fresh build, byte for
// byte (nobody forgot to rebuild, and no stale chunk is left behind).

import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { FRONTEND, SHIPPED_DIR, buildFiles } from "./build.mjs";

const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");
const digest = (files) => sha(Buffer.from(files.map(([name, bytes]) => `${name} ${sha(bytes)}\n`).join("")));

async function shippedFiles(dir, prefix = "") {
  let entries;
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch {
    return [];
  }
  const files = [];
  for (const entry of entries) {
    const name = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await shippedFiles(dir, name)));
    else files.push([name, await readFile(join(dir, name))]);
  }
  return files.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

let failed = false;
const { files: first } = await buildFiles();
const { files: second } = await buildFiles();
if (digest(first) !== digest(second)) {
  console.error(`build is not reproducible: two builds differ (${digest(first)} vs ${digest(second)})`);
  failed = true;
} else {
  const total = first.reduce((sum, [, bytes]) => sum + bytes.length, 0);
  console.log(`reproducible: two builds are identical (${first.length} files, ${total} bytes, digest ${digest(first)})`);
}
const shipped = await shippedFiles(SHIPPED_DIR);
const where = relative(join(FRONTEND, ".."), SHIPPED_DIR);
const built = new Map(first.map(([name, bytes]) => [name, bytes]));
const present = new Map(shipped.map(([name, bytes]) => [name, bytes]));
const problems = [
  ...first.filter(([name]) => !present.has(name)).map(([name]) => `${name} missing`),
  ...shipped.filter(([name]) => !built.has(name)).map(([name]) => `${name} is not part of the build (stale)`),
  ...first
    .filter(([name, bytes]) => present.has(name) && Buffer.compare(present.get(name), bytes) !== 0)
    .map(([name]) => `${name} differs`),
];
if (problems.length > 0) {
  console.error(`${where} differs from a fresh build: ${problems.join("; ")}`);
  console.error("run `cd frontend && npm run build` and commit the result");
  failed = true;
} else {
  console.log(`${where} equals a fresh build (${shipped.length} files)`);
}
process.exit(failed ? 1 : 0);
