// What the players' browser checks share: a plaintext MP4 encrypted here into a clip's stream,
// read back through the real range reader (each chunk authenticated) with every Range request
// recorded, and a wait for a condition on the <video>.

import { fromHex } from "../lib/crypto/bytes";
import * as primitives from "../lib/crypto/primitives";
import { StreamEncryptor } from "../lib/crypto/stream";
import { RangeChunkReader } from "../lib/player/chunk-reader";

export const CHECK_CHUNK_SIZE = 1 << 12;

export interface EncryptedClip {
  reader: RangeChunkReader;
  /** Each [start, end) the reader fetched, in order. */
  requested: Array<[number, number]>;
}

export async function encryptedClip(mp4: Uint8Array, clipIdHex = "00112233445566778899aabbccddeeff"): Promise<EncryptedClip> {
  const clipKey = primitives.randomBytes(16);
  const clipId = fromHex(clipIdHex);
  const encryptor = new StreamEncryptor(clipKey, clipId, "video", CHECK_CHUNK_SIZE);
  const ciphertext = new Uint8Array([...(await encryptor.update(mp4)), ...(await encryptor.finalize())]);
  const summary = encryptor.summary;
  const geometry = { chunkSize: CHECK_CHUNK_SIZE, chunkCount: summary.chunkCount, ciphertextSize: summary.ciphertextSize, plaintextSize: summary.plaintextSize };
  const requested: Array<[number, number]> = [];
  const reader = new RangeChunkReader(
    geometry,
    async (range) => {
      requested.push([range[0], range[1]]);
      return ciphertext.slice(range[0], range[1]);
    },
    await primitives.hkdfKey(clipKey),
    clipId,
  );
  return { reader, requested };
}

/** Resolves true once `predicate` holds, false after `timeoutMs` (a guard, not a measurement). */
export function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = (): void => {
      if (predicate()) resolve(true);
      else if (Date.now() - started > timeoutMs) resolve(false);
      else setTimeout(tick, 50);
    };
    tick();
  });
}
