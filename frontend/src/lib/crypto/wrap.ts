// Wrapped keys: a clip key, PDK or RDK encrypted to one recipient under a context (section 7).

import { type Bytes, ascii, concat, equal } from "./bytes";
import { Fields, type Json, type JsonObject, b64encode } from "./encoding";
import { MalformedObject, NoRecipientKey, UnsupportedVersion, UnwrapFailed } from "./errors";
import { CLIP_ID_BYTES, KEY_ID_BYTES, keyId } from "./identifiers";
import { type HeldKey } from "./keys";
import * as primitives from "./primitives";

/**
 * "pdk" and "rdk" are v1 only; "data-rdk" is v2's RDK of one data-key generation; "live-key"
 * is a live session's key L (section 18), ECIES only.
 */
export type WrapPurpose = "clip-key" | "pdk" | "rdk" | "data-rdk" | "live-key";
export type WrapAlg = "ecies-p256-hkdf-sha256-aes256gcm" | "rsa-oaep-sha256";
export const ECIES_P256: WrapAlg = "ecies-p256-hkdf-sha256-aes256gcm";
export const RSA_OAEP: WrapAlg = "rsa-oaep-sha256";

const CONTEXT_PREFIX = ascii("e2ee-nvr/v1/wrap/");
const ECIES_INFO = ascii("e2ee-nvr/v1/ecies-p256");
// Every kek comes from a fresh ephemeral key and encrypts exactly one key, so the (kek, nonce)
// pair never repeats and a constant nonce is safe (section 7.1).
const ECIES_NONCE = new Uint8Array(primitives.GCM_NONCE_BYTES);
// RSA-OAEP ciphertexts are exactly the modulus length: 2048 to 4096 bits in suite 1.
const RSA_CT_MIN_BYTES = primitives.RSA_MIN_BITS / 8;
const RSA_CT_MAX_BYTES = primitives.RSA_MAX_BITS / 8;

/** Length of the wrapped plaintext; anything else is refused on unwrap. */
export function purposeKeyBytes(purpose: WrapPurpose): number {
  return purpose === "clip-key" || purpose === "live-key" ? 16 : 32;
}

const ECIES_CT_LENGTHS = new Set([16 + 16, 32 + 16]);

/** `"e2ee-nvr/v1/wrap/" || purpose || 0x00 || subject`, binding a wrap to what it is for. */
export function wrapContext(purpose: WrapPurpose, subject: Uint8Array): Bytes {
  if (purpose === "clip-key") {
    if (subject.length !== CLIP_ID_BYTES) throw new Error("clip-key context needs 16 clip_id bytes");
  } else if (purpose === "live-key") {
    // session_id || request_nonce: a wrap of L opens only for the request it answers.
    if (subject.length !== LIVE_KEY_SUBJECT_BYTES) throw new Error("live-key context needs session_id || request_nonce (32 bytes)");
  } else if (purpose === "data-rdk") {
    if (!DATA_RDK_SUBJECT_RE.test(new TextDecoder().decode(subject))) {
      throw new Error("data-rdk context needs account_id '/' generation (1 to 64)");
    }
  } else if (!/^[0-9a-f]{32}$/.test(new TextDecoder().decode(subject))) {
    throw new Error(`${purpose} context needs the account_id as 32 ASCII hex digits`);
  }
  return concat(CONTEXT_PREFIX, ascii(purpose), new Uint8Array([0]), subject);
}

export function accountContext(purpose: "pdk" | "rdk", accountId: string): Bytes {
  return wrapContext(purpose, ascii(accountId));
}

const LIVE_KEY_SUBJECT_BYTES = 32;

// account_id "/" generation, the generation 1 to 64 in decimal without leading zeros.
const DATA_RDK_SUBJECT_RE = /^[0-9a-f]{32}\/([1-9]|[1-5][0-9]|6[0-4])$/;

/** Section 7: the context of RDK_g's wraps, binding the account and the generation. */
export function dataRdkContext(accountId: string, generation: number): Bytes {
  return wrapContext("data-rdk", ascii(`${accountId}/${generation}`));
}

function purposeOf(context: Uint8Array): WrapPurpose {
  for (const purpose of ["clip-key", "pdk", "rdk", "data-rdk", "live-key"] as const) {
    const prefix = concat(CONTEXT_PREFIX, ascii(purpose), new Uint8Array([0]));
    if (context.length > prefix.length && equal(context.subarray(0, prefix.length), prefix)) {
      if (equal(wrapContext(purpose, context.subarray(prefix.length)), context)) return purpose;
    }
  }
  throw new Error("not a wrap context (build it with wrapContext)");
}

/** One key encrypted to one recipient key; `epk` is present exactly for ECIES. */
export interface WrappedKey {
  keyId: string;
  alg: WrapAlg;
  epk: Bytes | null;
  ct: Bytes;
}

export function wrappedToJson(wrapped: WrappedKey): JsonObject {
  const document: JsonObject = { key_id: wrapped.keyId, alg: wrapped.alg, ct: b64encode(wrapped.ct) };
  if (wrapped.epk !== null) document["epk"] = b64encode(wrapped.epk);
  return document;
}

/** Parse exhaustively; sizes are bounded here, the point and tag are checked on unwrap. */
export function wrappedFromJson(document: Json | undefined): WrappedKey {
  const fields = new Fields(document, "wrapped_key");
  const wrappedKeyId = fields.hex("key_id", KEY_ID_BYTES);
  const algName = fields.str("alg", { maxLen: 64 });
  if (algName !== ECIES_P256 && algName !== RSA_OAEP) {
    throw new UnsupportedVersion(`wrapped_key.alg: unknown algorithm ${JSON.stringify(algName)}`);
  }
  let epk: Bytes | null = null;
  let ct: Bytes;
  if (algName === ECIES_P256) {
    epk = fields.bytes("epk", { length: primitives.P256_POINT_BYTES });
    ct = fields.bytes("ct", { maxLen: 48 });
    if (!ECIES_CT_LENGTHS.has(ct.length)) throw new MalformedObject("wrapped_key.ct: wrong length for ECIES");
  } else {
    if (fields.has("epk")) throw new MalformedObject("wrapped_key.epk: present for RSA-OAEP");
    ct = fields.bytes("ct", { maxLen: RSA_CT_MAX_BYTES });
    if (ct.length < RSA_CT_MIN_BYTES) {
      throw new MalformedObject("wrapped_key.ct: shorter than a 2048-bit RSA block");
    }
  }
  fields.done();
  return { keyId: wrappedKeyId, alg: algName, epk, ct };
}

function checkLength(keyBytes: Uint8Array, context: Uint8Array): void {
  if (keyBytes.length !== purposeKeyBytes(purposeOf(context))) {
    throw new Error("key length does not fit the context's purpose");
  }
}

async function eciesKek(shared: CryptoKey, epk: Uint8Array, recipientPoint: Uint8Array, usage: KeyUsage) {
  // Both points go into the salt so a wrap cannot be re-targeted to another recipient, nor its
  // ephemeral key swapped, without changing the kek (and so failing the tag).
  return primitives.hkdfAesGcmKey(shared, concat(epk, recipientPoint), ECIES_INFO, 32, [usage]);
}

/** ECIES to an instance key (section 7.1); `recipient` is a P-256 ECDH public key. */
export async function wrapToP256(
  recipient: CryptoKey,
  keyBytes: Uint8Array,
  context: Uint8Array,
): Promise<WrappedKey> {
  checkLength(keyBytes, context);
  const ephemeral = await primitives.p256Generate(false);
  const epk = await primitives.p256PublicBytes(ephemeral.publicKey);
  const recipientPoint = await primitives.p256PublicBytes(recipient);
  const shared = await primitives.ecdhP256HkdfKey(ephemeral.privateKey, recipient);
  const kek = await eciesKek(shared, epk, recipientPoint, "encrypt");
  const ct = await primitives.aesGcmEncrypt(kek, ECIES_NONCE, keyBytes, context);
  return { keyId: await keyId(recipient), alg: ECIES_P256, epk, ct };
}

/** RSA-OAEP-SHA256 to the data or recovery key, the context as OAEP label (section 7.2). */
export async function wrapToRsa(
  recipient: CryptoKey,
  keyBytes: Uint8Array,
  context: Uint8Array,
): Promise<WrappedKey> {
  checkLength(keyBytes, context);
  primitives.rsaCheckPublic(recipient);
  const ct = await primitives.rsaOaepEncrypt(recipient, keyBytes, context);
  return { keyId: await keyId(recipient), alg: RSA_OAEP, epk: null, ct };
}

function checkAddressed(held: HeldKey, wrapped: WrappedKey, purpose: WrapPurpose, context: Uint8Array) {
  if (purposeOf(context) !== purpose) throw new Error("context was built for another purpose");
  // Section 18.1: a live key is wrapped to instance keys only.
  if (purpose === "live-key" && held.kind !== "p256") throw new UnwrapFailed("live key: RSA");
  if (wrapped.keyId !== held.keyId) throw new UnwrapFailed("wrapped to another key");
  const alg = held.kind === "p256" ? ECIES_P256 : RSA_OAEP;
  if (wrapped.alg !== alg) throw new UnwrapFailed(`${wrapped.alg} does not fit this key type`);
}

async function eciesKekFor(
  held: HeldKey & { kind: "p256" },
  wrapped: WrappedKey,
  usage: KeyUsage,
): Promise<CryptoKey> {
  if (wrapped.epk === null) throw new UnwrapFailed("ECIES wrap without an ephemeral key");
  try {
    // The import checks the point is on P-256: an off-curve point would leak bits of the
    // private key through the shared secret (invalid-curve attack).
    const ephemeral = await primitives.p256PublicFromBytes(wrapped.epk);
    const shared = await primitives.ecdhP256HkdfKey(held.privateKey, ephemeral);
    return await eciesKek(shared, wrapped.epk, held.publicPoint, usage);
  } catch (err) {
    throw new UnwrapFailed(`ECIES wrap does not open: ${String(err)}`);
  }
}

/** Open a wrap to bytes (PDK, RDK, or a clip key for tests); every failure is UnwrapFailed. */
export async function unwrapBytes(
  held: HeldKey,
  wrapped: WrappedKey,
  context: Uint8Array,
  purpose: WrapPurpose,
): Promise<Bytes> {
  checkAddressed(held, wrapped, purpose, context);
  let plaintext: Bytes;
  if (held.kind === "p256") {
    const kek = await eciesKekFor(held, wrapped, "decrypt");
    try {
      plaintext = await primitives.aesGcmDecrypt(kek, ECIES_NONCE, wrapped.ct, context);
    } catch {
      throw new UnwrapFailed("ECIES wrap does not open");
    }
  } else {
    if (wrapped.epk !== null) throw new UnwrapFailed("RSA-OAEP wrap carries an ephemeral key");
    try {
      plaintext = await primitives.rsaOaepDecrypt(held.privateKey, wrapped.ct, context);
    } catch {
      // One error for every padding failure: distinguishing them would be a padding oracle.
      throw new UnwrapFailed("RSA-OAEP wrap does not open");
    }
  }
  // A wrap that opens to the wrong length was made for something else; never truncate or pad.
  if (plaintext.length !== purposeKeyBytes(purpose)) {
    plaintext.fill(0);
    throw new UnwrapFailed(`unwrapped ${plaintext.length} bytes, ${purpose} takes another length`);
  }
  return plaintext;
}

/**
 * Open a wrapped clip key as a non-extractable HKDF key (section 7.1's browser path).
 *
 * With an instance key the clip key never reaches JavaScript: ECDH, HKDF and AES-GCM unwrapKey
 * all run inside WebCrypto; the ciphertext length (plaintext + tag) is checked first, which is
 * the same check as the plaintext length after decryption. With the RSA data key (whose PKCS#8
 * came out of a backup through JavaScript anyway) the bytes pass through and are zeroed.
 */
export async function unwrapHkdfKey(
  held: HeldKey,
  wrapped: WrappedKey,
  context: Uint8Array,
  purpose: WrapPurpose,
): Promise<CryptoKey> {
  if (held.kind === "rsa") {
    const bytes = await unwrapBytes(held, wrapped, context, purpose);
    try {
      return await primitives.hkdfKey(bytes);
    } finally {
      bytes.fill(0);
    }
  }
  checkAddressed(held, wrapped, purpose, context);
  const kek = await eciesKekFor(held, wrapped, "unwrapKey");
  if (wrapped.ct.length !== purposeKeyBytes(purpose) + primitives.GCM_TAG_BYTES) {
    throw new UnwrapFailed(`wrapped key length does not fit ${purpose}`);
  }
  try {
    return await primitives.aesGcmUnwrapHkdfKey(kek, ECIES_NONCE, wrapped.ct, context);
  } catch {
    throw new UnwrapFailed("ECIES wrap does not open");
  }
}

/**
 * Open the first wrap addressed to a held key.
 *
 * NoRecipientKey when no wrap names any held key; UnwrapFailed when some do but none opens (a
 * wrap addressed to us that fails is tampering or a bug, never silently "not for us").
 */
export async function unwrapAny<T>(
  heldKeys: readonly HeldKey[],
  wrappedKeys: readonly WrappedKey[],
  open: (held: HeldKey, wrapped: WrappedKey) => Promise<T>,
): Promise<T> {
  let failure: UnwrapFailed | null = null;
  for (const held of heldKeys) {
    for (const wrapped of wrappedKeys) {
      if (wrapped.keyId !== held.keyId) continue;
      try {
        return await open(held, wrapped);
      } catch (err) {
        if (!(err instanceof UnwrapFailed)) throw err;
        failure = err;
      }
    }
  }
  if (failure !== null) throw failure;
  throw new NoRecipientKey("no wrapped key for any key held here");
}

