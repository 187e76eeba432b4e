// A day of clips for the timeline in headless Debian Chromium: the batch path (clips/manifests
// through ClipOpener.factsOfMany, every manifest verified, every key unwrapped, every events
// object decrypted) against the same number of raw WebCrypto RSA-PSS verifies, ECIES unwraps
// and events decrypts (src/testing/day-load-bench.ts says exactly what each side does).
// Prints, for scripts/benchmarks/day_load.py:
//
//   bench: chromium_day_load_vs_raw_webcrypto value=V unit=ratio target=none met
//   bench: chromium_day_load_clips_per_s value=V unit=clips/s target=none met
//
// The ratio is the raw baseline's time over the batch path's (1 would be no overhead at all);
// a ratio, not a timing, because this machine's speed varies with its load. No target: the
// issue sets none; the figure is reported.
//
//   node scripts/day-load-bench.mjs [--clips 1440]

import { benchLine as line, runInChromium } from "./chromium-page.mjs";

const at = process.argv.indexOf("--clips");
const CLIPS = at >= 0 ? Number(process.argv[at + 1]) : 1440;
if (!(Number.isInteger(CLIPS) && CLIPS > 0)) throw new Error("--clips takes a positive whole number");

let exitCode = 1;
try {
  const { result, version } = await runInChromium("src/testing/day-load-bench.ts", "runDayLoadBench", CLIPS);
  if (result.drawn !== CLIPS) throw new Error(`only ${result.drawn} of ${CLIPS} clips verified`);
  const ratio = result.rawMs / result.batchMs;
  console.log(`  ${CLIPS} clips, Chromium ${version}: batch path ${result.batchMs.toFixed(0)} ms in ` +
    `${result.calls} clips/manifests calls (the one-by-one path: ${2 * CLIPS} round trips), raw WebCrypto ` +
    `${result.rawMs.toFixed(0)} ms`);
  line("chromium_day_load_vs_raw_webcrypto", ratio.toFixed(2), "ratio", "none", true);
  line("chromium_day_load_clips_per_s", (CLIPS / (result.batchMs / 1000)).toFixed(0), "clips/s", "none", true);
  exitCode = 0;
} catch (err) {
  console.error(`bench did not run: ${err instanceof Error ? err.message : String(err)}`);
}
process.exit(exitCode);
