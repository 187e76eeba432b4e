// Browser entry of scripts/bench-decrypt.mjs: clip decryption throughput against raw WebCrypto.
//
// One clip is encrypted in the page (StreamEncryptor, 256 KiB chunks), then decrypted three ways
// over the same bytes: raw AES-GCM (crypto.subtle.decrypt per chunk, awaited one by one: the
// baseline); StreamDecryptor fed 1 MiB pieces as a fetch body would (updateChunks, as
// decryptStream uses it); and the player's range reader (RangeChunkReader, two chunks per
// request; its "fetch" hands out views of the clip in memory, as a network read hands out fresh
// bytes). Three interleaved rounds, fastest kept.
// A long-task observer records the longest main-thread task while the decryptors run (clip
// bytes come from memory here, so unlike a fetch nothing else gives the UI thread a turn).

import { type Bytes, concat } from "../lib/crypto/bytes";
import { StreamDecryptor, StreamEncryptor } from "../lib/crypto/stream";
import { DEFAULT_CHUNK_SIZE, HEADER_BYTES, TAG_BYTES, chunkNonce, contentKeyBytes } from "../lib/crypto/stream-format";
import { RangeChunkReader } from "../lib/player/chunk-reader";
import { type StreamGeometry, requestPlan } from "../lib/player/ranges";
import { fastestOf } from "./rounds";

export interface DecryptBenchResult {
  clipBytes: number;
  rawMBps: number;
  streamMBps: number;
  rangeMBps: number;
  longestTaskMs: number;
}

const PIECE_BYTES = 1 << 20;
const RANDOM_LIMIT = 65536;
const CLIP_ID = new Uint8Array(16).fill(7);

function randomClip(size: number): Bytes {
  const out = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += RANDOM_LIMIT) {
    crypto.getRandomValues(out.subarray(offset, Math.min(size, offset + RANDOM_LIMIT)));
  }
  return out;
}

async function encrypt(clipKey: Uint8Array, plaintext: Uint8Array): Promise<Bytes> {
  const encryptor = new StreamEncryptor(clipKey, CLIP_ID, "video", DEFAULT_CHUNK_SIZE);
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < plaintext.length; offset += PIECE_BYTES) {
    parts.push(await encryptor.update(plaintext.subarray(offset, offset + PIECE_BYTES)));
  }
  parts.push(await encryptor.finalize());
  return concat(...parts);
}

export async function runDecryptBench(clipBytes: number): Promise<DecryptBenchResult> {
  const clipKey = randomClip(16);
  const plaintext = randomClip(clipBytes);
  const ciphertext = await encrypt(clipKey, plaintext);
  const chunkCount = Math.max(1, Math.ceil(clipBytes / DEFAULT_CHUNK_SIZE));
  const header = ciphertext.subarray(0, HEADER_BYTES);
  const unit = DEFAULT_CHUNK_SIZE + TAG_BYTES;
  const geometry: StreamGeometry = {
    chunkSize: DEFAULT_CHUNK_SIZE,
    chunkCount,
    ciphertextSize: ciphertext.length,
    plaintextSize: clipBytes,
  };

  const rawKey = await crypto.subtle.importKey(
    "raw",
    await contentKeyBytes(clipKey, CLIP_ID, "video"),
    "AES-GCM",
    false,
    ["decrypt"],
  );
  const raw = async (): Promise<void> => {
    for (let i = 0; i < chunkCount; i++) {
      const start = HEADER_BYTES + i * unit;
      await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: chunkNonce(i, i === chunkCount - 1), additionalData: header },
        rawKey,
        ciphertext.subarray(start, Math.min(start + unit, ciphertext.length)),
      );
    }
  };
  const stream = async (): Promise<void> => {
    const decryptor = new StreamDecryptor(clipKey, CLIP_ID, "video", geometry);
    for (let offset = 0; offset < ciphertext.length; offset += PIECE_BYTES) {
      await decryptor.updateChunks(ciphertext.subarray(offset, offset + PIECE_BYTES));
    }
    await decryptor.finalize();
  };
  const handle = await crypto.subtle.importKey("raw", clipKey, "HKDF", false, ["deriveKey", "deriveBits"]);
  const range = async (): Promise<void> => {
    const reader = new RangeChunkReader(geometry, async ([start, end]) => ciphertext.subarray(start, end), handle, CLIP_ID);
    for (const [first, last] of requestPlan(geometry, 0, 2)) await reader.read(first, last);
  };

  // Only tasks that start once the decryptors run count: set-up (encrypting the clip) is one
  // long task of its own, reported when it ends, after this observer starts.
  let longestTaskMs = 0;
  const decryptStarted = performance.now();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.startTime >= decryptStarted) longestTaskMs = Math.max(longestTaskMs, entry.duration);
    }
  });
  const observing = PerformanceObserver.supportedEntryTypes.includes("longtask");
  if (observing) observer.observe({ type: "longtask" });
  const [rawMs = Infinity, streamMs = Infinity, rangeMs = Infinity] = await fastestOf([raw, stream, range]);

  await new Promise((resolve) => setTimeout(resolve, 50));
  if (observing) observer.disconnect();
  const megabytes = ciphertext.length / 1e6;
  return {
    clipBytes,
    rawMBps: megabytes / (rawMs / 1000),
    streamMBps: megabytes / (streamMs / 1000),
    rangeMBps: megabytes / (rangeMs / 1000),
    longestTaskMs: observing ? longestTaskMs : -1,
  };
}

(window as unknown as { runDecryptBench: typeof runDecryptBench }).runDecryptBench = runDecryptBench;
