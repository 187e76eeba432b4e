// The only module that calls WebCrypto (and @noble/hashes for scrypt, which WebCrypto lacks).
//
// Each function pins one algorithm and its parameters, so the Wycheproof files exercise exactly
// the calls the protocol makes (primitives.py is the Python twin).

import { scrypt as nobleScrypt } from "@noble/hashes/scrypt.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { type Bytes, concat, copy } from "./bytes";

export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;
export const P256_POINT_BYTES = 65;
export const RSA_PUBLIC_EXPONENT = 65537;
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 4096;
export const PSS_SALT_BYTES = 32;

/**
 * A primitive refused its input (bad tag, bad signature, invalid point, bad padding).
 * Internal: the protocol modules translate it into the named error of their context.
 */
export class PrimitiveFailure extends Error {
  override name = "PrimitiveFailure";
}

function subtle(): SubtleCrypto {
  const value = globalThis.crypto?.subtle;
  if (value === undefined) {
    // Browsers hide crypto.subtle outside secure contexts (plain http to a LAN address).
    throw new Error("WebCrypto is unavailable: this page is not a secure context (use HTTPS)");
  }
  return value;
}

export function randomBytes(length: number): Bytes {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let i = 0; i < length; i += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  }
  return out;
}

export async function sha256(data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await subtle().digest("SHA-256", copy(data)));
}

/**
 * SHA-1, for one identifier only: a certificate's subjectKeyIdentifier (RFC 5280 4.2.1.2
 * method 1, as pyca and OpenSSL compute it). It names a key; nothing relies on its collision
 * resistance, since the verifier matches keys by key_id (SHA-256) and signatures.
 */
export async function sha1KeyIdentifier(subjectPublicKey: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await subtle().digest("SHA-1", copy(subjectPublicKey)));
}

// ----------------------------------------------------------------------------- AES-GCM

export async function aesGcmKey(raw: Uint8Array, usages: KeyUsage[]): Promise<CryptoKey> {
  if (raw.length !== 16 && raw.length !== 32) throw new Error("AES-GCM key of 16 or 32 bytes");
  return subtle().importKey("raw", copy(raw), { name: "AES-GCM" }, false, usages);
}

function gcmParams(nonce: Uint8Array, aad: Uint8Array): AesGcmParams {
  if (nonce.length !== GCM_NONCE_BYTES) throw new PrimitiveFailure("AES-GCM nonce must be 12 bytes");
  return { name: "AES-GCM", iv: copy(nonce), additionalData: copy(aad), tagLength: 128 };
}

export async function aesGcmEncrypt(
  key: CryptoKey | Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<Bytes> {
  const cryptoKey = key instanceof Uint8Array ? await aesGcmKey(key, ["encrypt"]) : key;
  return new Uint8Array(await subtle().encrypt(gcmParams(nonce, aad), cryptoKey, copy(plaintext)));
}

/**
 * The bytes as WebCrypto's BufferSource type wants them, copied only when they live in a
 * SharedArrayBuffer. WebCrypto copies its input when called (Web IDL), so a view is safe, and
 * on the clip path an extra 256 KiB copy per chunk halved Chromium's AES-GCM throughput.
 */
function unshared(data: Uint8Array): Bytes {
  return data.buffer instanceof ArrayBuffer ? (data as Bytes) : copy(data);
}

export async function aesGcmDecrypt(
  key: CryptoKey | Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  aad: Uint8Array,
): Promise<Bytes> {
  if (ciphertext.length < GCM_TAG_BYTES) throw new PrimitiveFailure("AES-GCM input too short");
  const cryptoKey = key instanceof Uint8Array ? await aesGcmKey(key, ["decrypt"]) : key;
  try {
    return new Uint8Array(
      await subtle().decrypt(gcmParams(nonce, aad), cryptoKey, unshared(ciphertext)),
    );
  } catch {
    throw new PrimitiveFailure("AES-GCM tag mismatch");
  }
}

// ----------------------------------------------------------------------------- HKDF, HMAC, PBKDF2

/** An HKDF input key; non-extractable, so derived secrets can stay inside WebCrypto. */
export async function hkdfKey(ikm: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey("raw", copy(ikm), "HKDF", false, ["deriveBits", "deriveKey"]);
}

function hkdfParams(salt: Uint8Array, info: Uint8Array): HkdfParams {
  return { name: "HKDF", hash: "SHA-256", salt: copy(salt), info: copy(info) };
}

/** RFC 5869 extract-then-expand; `ikm` raw bytes or an HKDF CryptoKey. */
export async function hkdfSha256(
  ikm: CryptoKey | Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Promise<Bytes> {
  const key = ikm instanceof Uint8Array ? await hkdfKey(ikm) : ikm;
  return new Uint8Array(await subtle().deriveBits(hkdfParams(salt, info), key, length * 8));
}

/** HKDF straight into a non-extractable AES-GCM key: the derived bytes never reach JS. */
export async function hkdfAesGcmKey(
  ikm: CryptoKey,
  salt: Uint8Array,
  info: Uint8Array,
  lengthBytes: 16 | 32,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  return subtle().deriveKey(
    hkdfParams(salt, info),
    ikm,
    { name: "AES-GCM", length: lengthBytes * 8 },
    false,
    usages,
  );
}

/** HKDF straight into a non-extractable HMAC-SHA256 signing key of 32 bytes. */
export async function hkdfHmacKey(ikm: CryptoKey, salt: Uint8Array, info: Uint8Array): Promise<CryptoKey> {
  return subtle().deriveKey(hkdfParams(salt, info), ikm, { name: "HMAC", hash: "SHA-256", length: 256 }, false, ["sign"]);
}

/** HMAC-SHA256 under a key that stays inside WebCrypto. */
export async function hmacSha256WithKey(key: CryptoKey, message: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await subtle().sign("HMAC", key, copy(message)));
}

async function hmacKey(key: Uint8Array, usages: KeyUsage[]): Promise<CryptoKey> {
  return subtle().importKey("raw", copy(key), { name: "HMAC", hash: "SHA-256" }, false, usages);
}

export async function hmacSha256(key: Uint8Array, message: Uint8Array): Promise<Bytes> {
  const cryptoKey = await hmacKey(key, ["sign"]);
  return new Uint8Array(await subtle().sign("HMAC", cryptoKey, copy(message)));
}

/** Constant-time by construction: WebCrypto's verify compares inside the implementation. */
export async function hmacSha256Verify(
  key: Uint8Array,
  message: Uint8Array,
  tag: Uint8Array,
): Promise<boolean> {
  if (tag.length !== 32) return false;
  const cryptoKey = await hmacKey(key, ["verify"]);
  return subtle().verify("HMAC", cryptoKey, copy(tag), copy(message));
}

export async function pbkdf2Sha256(
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
  length: number,
): Promise<Bytes> {
  const key = await subtle().importKey("raw", copy(password), "PBKDF2", false, ["deriveBits"]);
  const params: Pbkdf2Params = { name: "PBKDF2", hash: "SHA-256", salt: copy(salt), iterations };
  return new Uint8Array(await subtle().deriveBits(params, key, length * 8));
}

/** scrypt (RFC 7914) from @noble/hashes; the memory bound is checked by kdf.ts first. */
export async function scrypt(
  password: Uint8Array,
  salt: Uint8Array,
  n: number,
  r: number,
  p: number,
  length: number,
): Promise<Bytes> {
  const maxmem = 129 * n * r * p + (1 << 20);
  return copy(nobleScrypt(password, salt, { N: n, r, p, dkLen: length, maxmem }));
}

// ----------------------------------------------------------------------------- P-256 ECDH

const ECDH_P256 = { name: "ECDH", namedCurve: "P-256" } as const;

/** A fresh instance or ephemeral key pair; the private half never leaves WebCrypto. */
export async function p256Generate(extractable = false): Promise<CryptoKeyPair> {
  return subtle().generateKey(ECDH_P256, extractable, ["deriveBits", "deriveKey"]);
}

export async function p256PublicBytes(publicKey: CryptoKey): Promise<Bytes> {
  return new Uint8Array(await subtle().exportKey("raw", publicKey));
}

/** Parse an uncompressed P-256 point; WebCrypto refuses points off the curve. */
export async function p256PublicFromBytes(point: Uint8Array): Promise<CryptoKey> {
  if (point.length !== P256_POINT_BYTES || point[0] !== 0x04) {
    throw new PrimitiveFailure("not an uncompressed P-256 point");
  }
  try {
    return await subtle().importKey("raw", copy(point), ECDH_P256, true, []);
  } catch {
    throw new PrimitiveFailure("invalid P-256 point");
  }
}

export async function p256PublicFromSpki(spki: Uint8Array): Promise<CryptoKey> {
  try {
    return await subtle().importKey("spki", copy(spki), ECDH_P256, true, []);
  } catch {
    throw new PrimitiveFailure("invalid P-256 public key");
  }
}

export async function p256PrivateFromPkcs8(
  pkcs8: Uint8Array,
  extractable = false,
): Promise<CryptoKey> {
  return subtle().importKey("pkcs8", copy(pkcs8), ECDH_P256, extractable, [
    "deriveBits",
    "deriveKey",
  ]);
}

/** The 32-byte x coordinate of the shared point. */
export async function ecdhP256(privateKey: CryptoKey, publicKey: CryptoKey): Promise<Bytes> {
  try {
    return new Uint8Array(
      await subtle().deriveBits({ name: "ECDH", public: publicKey }, privateKey, 256),
    );
  } catch {
    throw new PrimitiveFailure("ECDH failed");
  }
}

/** ECDH straight into a non-extractable HKDF key: the shared secret never reaches JS. */
export async function ecdhP256HkdfKey(privateKey: CryptoKey, publicKey: CryptoKey): Promise<CryptoKey> {
  try {
    return await subtle().deriveKey({ name: "ECDH", public: publicKey }, privateKey, "HKDF", false, [
      "deriveBits",
      "deriveKey",
    ]);
  } catch {
    throw new PrimitiveFailure("ECDH failed");
  }
}

// ----------------------------------------------------------------------------- RSA

const OAEP_IMPORT = { name: "RSA-OAEP", hash: "SHA-256" } as const;
const PSS_IMPORT = { name: "RSA-PSS", hash: "SHA-256" } as const;

export async function rsaGenerate(
  purpose: "oaep" | "pss",
  extractable: boolean,
  bits = 2048,
): Promise<CryptoKeyPair> {
  const algorithm = purpose === "oaep" ? OAEP_IMPORT : PSS_IMPORT;
  const usages: KeyUsage[] =
    purpose === "oaep" ? ["encrypt", "decrypt", "wrapKey", "unwrapKey"] : ["sign", "verify"];
  return subtle().generateKey(
    { ...algorithm, modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]) },
    extractable,
    usages,
  );
}

/** Suite 1 accepts RSA keys of 2048 to 4096 bits with e = 65537 and nothing else. */
export function rsaCheckPublic(key: CryptoKey): CryptoKey {
  const algorithm = key.algorithm as RsaHashedKeyAlgorithm;
  const exponent = concat(new Uint8Array(4), algorithm.publicExponent ?? new Uint8Array());
  const e = exponent.slice(-4).reduce((acc, byte) => acc * 256 + byte, 0);
  const leading = exponent.slice(0, -4).some((byte) => byte !== 0);
  if (
    leading ||
    e !== RSA_PUBLIC_EXPONENT ||
    !(algorithm.modulusLength >= RSA_MIN_BITS && algorithm.modulusLength <= RSA_MAX_BITS)
  ) {
    throw new PrimitiveFailure("RSA key outside suite 1 (2048-4096 bits, e=65537)");
  }
  return key;
}

export async function rsaPublicFromSpki(spki: Uint8Array, purpose: "oaep" | "pss"): Promise<CryptoKey> {
  const algorithm = purpose === "oaep" ? OAEP_IMPORT : PSS_IMPORT;
  const usages: KeyUsage[] = purpose === "oaep" ? ["encrypt", "wrapKey"] : ["verify"];
  try {
    return await subtle().importKey("spki", copy(spki), algorithm, true, usages);
  } catch {
    throw new PrimitiveFailure("not an RSA public key");
  }
}

export async function rsaPrivateFromPkcs8(
  pkcs8: Uint8Array,
  purpose: "oaep" | "pss",
  extractable = false,
): Promise<CryptoKey> {
  const algorithm = purpose === "oaep" ? OAEP_IMPORT : PSS_IMPORT;
  const usages: KeyUsage[] = purpose === "oaep" ? ["decrypt", "unwrapKey"] : ["sign"];
  return subtle().importKey("pkcs8", copy(pkcs8), algorithm, extractable, usages);
}

export async function rsaOaepEncrypt(
  publicKey: CryptoKey,
  plaintext: Uint8Array,
  label: Uint8Array,
): Promise<Bytes> {
  const params: RsaOaepParams = { name: "RSA-OAEP", label: copy(label) };
  return new Uint8Array(await subtle().encrypt(params, publicKey, copy(plaintext)));
}

export async function rsaOaepDecrypt(
  privateKey: CryptoKey,
  ciphertext: Uint8Array,
  label: Uint8Array,
): Promise<Bytes> {
  try {
    const params: RsaOaepParams = { name: "RSA-OAEP", label: copy(label) };
    return new Uint8Array(await subtle().decrypt(params, privateKey, copy(ciphertext)));
  } catch {
    throw new PrimitiveFailure("RSA-OAEP decryption failed");
  }
}

/**
 * Unwrap `ciphertext` straight into a non-extractable HKDF key (the clip key never reaches
 * JS); any failure is `failure`, so the caller learns nothing finer than "did not open".
 */
async function unwrapHkdfKey(
  ciphertext: Uint8Array,
  unwrappingKey: CryptoKey,
  params: RsaOaepParams | AesGcmParams,
  failure: string,
): Promise<CryptoKey> {
  try {
    return await subtle().unwrapKey("raw", copy(ciphertext), unwrappingKey, params, "HKDF", false, [
      "deriveBits",
      "deriveKey",
    ]);
  } catch {
    throw new PrimitiveFailure(failure);
  }
}

/** RSA-OAEP straight into a non-extractable HKDF key. */
export async function rsaOaepUnwrapHkdfKey(
  privateKey: CryptoKey,
  ciphertext: Uint8Array,
  label: Uint8Array,
): Promise<CryptoKey> {
  const params: RsaOaepParams = { name: "RSA-OAEP", label: copy(label) };
  return unwrapHkdfKey(ciphertext, privateKey, params, "RSA-OAEP decryption failed");
}

/** AES-GCM straight into a non-extractable HKDF key. */
export async function aesGcmUnwrapHkdfKey(
  kek: CryptoKey,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  aad: Uint8Array,
): Promise<CryptoKey> {
  return unwrapHkdfKey(ciphertext, kek, gcmParams(nonce, aad), "AES-GCM tag mismatch");
}

const PSS_PARAMS: RsaPssParams = { name: "RSA-PSS", saltLength: PSS_SALT_BYTES };

export async function rsaPssSign(privateKey: CryptoKey, message: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await subtle().sign(PSS_PARAMS, privateKey, copy(message)));
}

export async function rsaPssVerify(
  publicKey: CryptoKey,
  message: Uint8Array,
  signature: Uint8Array,
): Promise<void> {
  let valid: boolean;
  try {
    valid = await subtle().verify(PSS_PARAMS, publicKey, copy(signature), copy(message));
  } catch {
    valid = false;
  }
  if (!valid) throw new PrimitiveFailure("RSA-PSS signature does not verify");
}

export async function exportSpki(publicKey: CryptoKey): Promise<Bytes> {
  return new Uint8Array(await subtle().exportKey("spki", publicKey));
}

export async function exportPkcs8(privateKey: CryptoKey): Promise<Bytes> {
  return new Uint8Array(await subtle().exportKey("pkcs8", privateKey));
}

export async function exportJwk(key: CryptoKey): Promise<JsonWebKey> {
  return subtle().exportKey("jwk", key);
}

export async function importJwk(
  jwk: JsonWebKey,
  algorithm: RsaHashedImportParams | EcKeyImportParams,
  usages: KeyUsage[],
): Promise<CryptoKey> {
  return subtle().importKey("jwk", jwk, algorithm, true, usages);
}

/** Incremental SHA-256 (WebCrypto digests only whole buffers): hashes a stream as it passes. */
export function sha256Incremental(): { update(data: Uint8Array): void; digest(): Bytes } {
  const hasher = nobleSha256.create();
  return {
    update: (data) => {
      hasher.update(data);
    },
    digest: () => copy(hasher.digest()),
  };
}
