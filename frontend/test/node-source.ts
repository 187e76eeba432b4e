// The shared data files read from disk: tests/vectors in this repo and Project Wycheproof's
// files in the folder named by E2EE_NVR_WYCHEPROOF, else <repo>/../shared/vectors/wycheproof
// (in CI, a copy of shared/ sits beside the clone). In CI or with the variable set, a missing
// folder or file fails the run; in a bare clone without either, the Wycheproof suite is skipped
// with a message saying how to provide it (wycheproofAvailable).

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type DataSource } from "./harness";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const DATA_ROOTS: Record<string, string> = {
  vectors: resolve(REPO_ROOT, "tests", "vectors"),
  wycheproof:
    process.env["E2EE_NVR_WYCHEPROOF"] ??
    resolve(REPO_ROOT, "..", "shared", "vectors", "wycheproof"),
  wordlists: resolve(REPO_ROOT, "custom_components", "e2ee_nvr", "protocol", "wordlists"),
};

export function dataPath(path: string): string {
  const [root, ...rest] = path.split("/");
  const base = DATA_ROOTS[root ?? ""];
  if (base === undefined || rest.some((part) => part === ".." || part === "")) {
    throw new Error(`no data root for ${path}`);
  }
  return resolve(base, ...rest);
}

export const nodeSource: DataSource = {
  async text(path) {
    return readFile(dataPath(path), "utf-8");
  },
  async json(path) {
    return JSON.parse(await readFile(dataPath(path), "utf-8")) as unknown;
  },
};

const IN_CI = !["", "0", "false", "no"].includes((process.env["CI"] ?? "").toLowerCase());

/** False only where skipping is allowed: no variable, not in CI, and no folder. */
export const wycheproofAvailable: boolean =
  IN_CI ||
  process.env["E2EE_NVR_WYCHEPROOF"] !== undefined ||
  existsSync(DATA_ROOTS["wycheproof"] ?? "");
