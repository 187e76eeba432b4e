// How the browser benchmarks time their contenders (decrypt-bench.ts, day-load-bench.ts).

export const ROUNDS = 3;

/** Interleaved rounds, fastest of each kept: load from other processes hits all alike. */
export async function fastestOf(runs: ReadonlyArray<() => Promise<void>>): Promise<number[]> {
  const fastest = runs.map(() => Infinity);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, run] of runs.entries()) {
      const started = performance.now();
      await run();
      fastest[i] = Math.min(fastest[i] ?? Infinity, performance.now() - started);
    }
  }
  return fastest;
}
