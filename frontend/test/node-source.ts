// The shared data files read from disk: tests/vectors in this repo and the Wycheproof files
// in <repo>/../shared/vectors/wycheproof (in CI, a copy of shared/ sits beside the clone).
// A missing folder or file fails the test run; nothing is skipped.

import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type DataSource } from "./harness";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const DATA_ROOTS: Record<string, string> = {
  vectors: resolve(REPO_ROOT, "tests", "vectors"),
  wycheproof: resolve(REPO_ROOT, "..", "shared", "vectors", "wycheproof"),
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
