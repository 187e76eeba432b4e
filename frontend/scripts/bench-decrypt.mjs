// Clip decryption in headless Debian Chromium against raw WebCrypto AES-GCM on the same bytes and
// chunking (issue 12, figure 1). Prints one `bench:` line per figure:
//
//   bench: chromium_stream_decrypt_ratio value=V unit=ratio target=0.7 met|missed
//   bench: chromium_range_decrypt_ratio value=V unit=ratio target=0.7 met|missed
//   bench: chromium_decrypt_longest_task value=V unit=ms target=50 met|missed
//
// plus the throughputs behind the ratios. Ratios, not timings, are the figures: this machine's
// speed varies with its load.
//
//   node scripts/bench-decrypt.mjs [--mib 64]

import { benchLine as line, runInChromium } from "./chromium-page.mjs";

const at = process.argv.indexOf("--mib");
const MIB = at >= 0 ? Number(process.argv[at + 1]) : 64;
if (!(Number.isInteger(MIB) && MIB > 0)) throw new Error("--mib takes a positive whole number");

let exitCode = 1;
try {
  const { result, version } = await runInChromium("src/testing/decrypt-bench.ts", "runDecryptBench", MIB * 1024 * 1024);
  const streamRatio = result.streamMBps / result.rawMBps;
  const rangeRatio = result.rangeMBps / result.rawMBps;
  console.log(`  ${MIB} MiB clip, 256 KiB chunks, Chromium ${version}: raw WebCrypto AES-GCM ` +
    `${result.rawMBps.toFixed(0)} MB/s, StreamDecryptor ${result.streamMBps.toFixed(0)} MB/s, ` +
    `range reader ${result.rangeMBps.toFixed(0)} MB/s`);
  line("chromium_stream_decrypt_ratio", streamRatio.toFixed(2), "ratio", 0.7, streamRatio >= 0.7);
  line("chromium_range_decrypt_ratio", rangeRatio.toFixed(2), "ratio", 0.7, rangeRatio >= 0.7);
  if (result.longestTaskMs >= 0) {
    line("chromium_decrypt_longest_task", result.longestTaskMs.toFixed(0), "ms", 50, result.longestTaskMs <= 50);
  }
  exitCode = 0;
} catch (err) {
  console.error(`bench did not run: ${err instanceof Error ? err.message : String(err)}`);
}
process.exit(exitCode);
