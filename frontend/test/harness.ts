// A tiny runner interface shared by vitest (Node) and the Chromium runner: suites of named
// async cases, built from data files a DataSource provides in either environment.

export interface TestCase {
  name: string;
  run: () => Promise<void>;
}

export interface TestSuite {
  name: string;
  cases: TestCase[];
}

/** Reads the shared data files: `vectors/<file>.json` and `wycheproof/<file>.json`. */
export interface DataSource {
  json(path: string): Promise<unknown>;
  text(path: string): Promise<string>;
}

export class AssertionFailed extends Error {
  override name = "AssertionFailed";
}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionFailed(message);
}

/** JSON-style deep equality (objects by sorted keys). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left).sort();
  const otherKeys = Object.keys(right).sort();
  return deepEqual(keys, otherKeys) && keys.every((key) => deepEqual(left[key], right[key]));
}

/** "ok" when `attempt` succeeds, else the name of the error it threw: what the suites compare. */
export async function outcomeOf(attempt: () => unknown): Promise<string> {
  try {
    await attempt();
    return "ok";
  } catch (err) {
    return err instanceof Error ? err.name : String(err);
  }
}

/** Expect `attempt` to give `output` (expect "ok") or to throw the error named `expect`. */
export async function expectOutcome(
  attempt: () => Promise<unknown>,
  expect: string,
  output: unknown,
): Promise<void> {
  let result: unknown;
  try {
    result = await attempt();
  } catch (err) {
    const name = err instanceof Error ? err.name : String(err);
    if (expect === "ok") {
      throw new AssertionFailed(`expected ok, got ${name}: ${err instanceof Error ? err.message : ""}`);
    }
    assert(name === expect, `expected ${expect}, got ${name}: ${err instanceof Error ? err.message : ""}`);
    return;
  }
  assert(expect === "ok", `expected ${expect}, got ok`);
  assert(
    deepEqual(result, output),
    `output differs:\n got      ${JSON.stringify(result)}\n expected ${JSON.stringify(output)}`,
  );
}
