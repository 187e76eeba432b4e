// Identifiers of keys, accounts, devices, cameras and clips (protocol section 1.3).

import { type Bytes, toHex } from "./bytes";
import { exportSpki, randomBytes, sha256 } from "./primitives";

export const KEY_ID_BYTES = 16;
export const CLIP_ID_BYTES = 16;
export const CAMERA_ID_RE = /[a-z0-9_-]{1,32}/;
export const KEY_ID_RE = /[0-9a-f]{32}/;

/** First 16 bytes of SHA-256 over the SubjectPublicKeyInfo DER, as lowercase hex. */
export async function keyIdOfSpki(spki: Uint8Array): Promise<string> {
  return toHex((await sha256(spki)).subarray(0, KEY_ID_BYTES));
}

export async function keyId(publicKey: CryptoKey): Promise<string> {
  return keyIdOfSpki(await exportSpki(publicKey));
}

export function newClipId(): Bytes {
  return randomBytes(CLIP_ID_BYTES);
}
