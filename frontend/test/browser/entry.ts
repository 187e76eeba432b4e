// The Chromium side of the test run: the same suites as vitest, with the data files fetched
// from the local test server. scripts/browser-tests.mjs loads this bundle and reads the result.
import { type DataSource } from "../harness";
import { allSuites } from "../suites";

interface Outcome {
  passed: number;
  failed: number;
  failures: string[];
  done: boolean;
}

declare global {
  interface Window {
    testOutcome: Outcome;
  }
}

const source: DataSource = {
  async text(path) {
    const response = await fetch(`/data/${path}`);
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
    return response.text();
  },
  async json(path) {
    return JSON.parse(await this.text(path)) as unknown;
  },
};

async function main(): Promise<void> {
  const outcome: Outcome = { passed: 0, failed: 0, failures: [], done: false };
  window.testOutcome = outcome;
  try {
    if (globalThis.crypto?.subtle === undefined) throw new Error("crypto.subtle missing: not a secure context");
    const withWycheproof = new URLSearchParams(location.search).get("wycheproof") !== "skip";
    for (const suite of await allSuites(source, withWycheproof)) {
      for (const entry of suite.cases) {
        try {
          await entry.run();
          outcome.passed++;
        } catch (err) {
          outcome.failed++;
          outcome.failures.push(`${suite.name} > ${entry.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    }
  } catch (err) {
    outcome.failed++;
    outcome.failures.push(`loading the suites: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  }
  outcome.done = true;
}

void main();
