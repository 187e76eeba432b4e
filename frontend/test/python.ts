// Node-only: run a Python snippet with the repo's protocol package (the reference
// implementation) on JSON from stdin, and read JSON from its stdout.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** .venv/py311 exists once ./scripts/test has run (it installs the package, editable). */
export const PYTHON = process.env["E2EE_NVR_TEST_PYTHON"] ?? resolve(REPO_ROOT, ".venv", "py311", "bin", "python");
const IN_CI = !["", "0", "false", "no"].includes((process.env["CI"] ?? "").toLowerCase());
/**
 * Whether the interop suite runs. In CI (and whenever E2EE_NVR_TEST_PYTHON names an interpreter)
 * it always runs, so a missing venv fails it instead of skipping it; only a local
 * `./scripts/test --frontend` on a machine without .venv/py311 leaves it out, saying so.
 */
export const HAVE_PYTHON = IN_CI || process.env["E2EE_NVR_TEST_PYTHON"] !== undefined || existsSync(PYTHON);

export function run(command: string, args: string[], input: string, cwd = REPO_ROOT): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile(command, args, { cwd, maxBuffer: 64 << 20, timeout: 300_000 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`${command} failed: ${err.message}\n${stderr}`));
      else done(stdout);
    });
    child.stdin?.end(input);
  });
}

/** Run `script` (which reads `data = json.load(sys.stdin)` and prints JSON) and parse its output. */
export async function python(script: string, data: unknown): Promise<unknown> {
  const prelude = "import json, sys, base64\ndata = json.load(sys.stdin)\n";
  const out = await run(PYTHON, ["-c", prelude + script], JSON.stringify(data));
  return JSON.parse(out) as unknown;
}
