// CI check of the shipped bundle: two fresh builds must be byte-identical (reproducibility),
// and equal to custom_components/e2ee_nvr/frontend/e2ee-nvr.js (nobody forgot to rebuild).

import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { FRONTEND, SHIPPED, writeBundle } from "./build.mjs";

const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");
const dir = await mkdtemp(join(tmpdir(), "e2ee-nvr-build-"));
let failed = false;
try {
  const first = await writeBundle(join(dir, "a", "e2ee-nvr.js"));
  const second = await writeBundle(join(dir, "b", "e2ee-nvr.js"));
  if (Buffer.compare(first, second) !== 0) {
    console.error(`build is not reproducible: two builds differ (${sha(first)} vs ${sha(second)})`);
    failed = true;
  } else {
    console.log(`reproducible: two builds are identical (${first.length} bytes, sha256 ${sha(first)})`);
  }
  let shipped = null;
  try {
    shipped = await readFile(SHIPPED);
  } catch {
    shipped = null;
  }
  const name = relative(join(FRONTEND, ".."), SHIPPED);
  if (shipped === null || Buffer.compare(shipped, first) !== 0) {
    console.error(
      `${name} differs from a fresh build${shipped === null ? " (missing)" : ""}: ` +
        "run `cd frontend && node scripts/build.mjs` and commit the result",
    );
    failed = true;
  } else {
    console.log(`${name} equals a fresh build`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
