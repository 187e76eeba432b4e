// Passphrase- and random-derived keys (PDK, RDK): scrypt then PBKDF2 (protocol section 4).

import { type Bytes, ascii, concat, toHex } from "./bytes";
import { Fields, type Json, type JsonObject, b64encode, hexId } from "./encoding";
import { MalformedObject, UnsupportedVersion, WrongPassphrase } from "./errors";
import * as primitives from "./primitives";

export const ALG = "scrypt-pbkdf2-sha256";
export const DERIVED_KEY_BYTES = 32;
export const SALT_BYTES = 16;
const KEY_CHECK_LABEL = concat(ascii("e2ee-nvr/v1/key-check"), new Uint8Array([0]));
export const DEFAULT_SCRYPT_N_LOG2 = 17;
export const DEFAULT_PBKDF2_ITERATIONS = 100_000;
// The store hands these to every endpoint: the lower bounds stop it from weakening a new
// account's keys, the upper bounds from making an endpoint spend gigabytes or hours.
const BOUNDS = {
  scrypt_n_log2: [15, 20],
  scrypt_r: [8, 8],
  scrypt_p: [1, 1],
  pbkdf2_iterations: [10_000, 10_000_000],
} as const;

export interface KdfParams {
  alg: string;
  scryptNLog2: number;
  scryptR: number;
  scryptP: number;
  scryptSalt: Bytes;
  pbkdf2Iterations: number;
  pbkdf2Salt: Bytes;
}

function checkInt(name: keyof typeof BOUNDS, value: number): void {
  const [minimum, maximum] = BOUNDS[name];
  if (!Number.isSafeInteger(value) || value < minimum || value > maximum) {
    throw new MalformedObject(`kdf.${name}: ${value} outside [${minimum}, ${maximum}]`);
  }
}

/** Refuse parameters outside section 4 (checked wherever params are made or read). */
export function checkParams(params: KdfParams): KdfParams {
  if (params.alg !== ALG) throw new UnsupportedVersion(`kdf: unknown algorithm ${JSON.stringify(params.alg)}`);
  checkInt("scrypt_n_log2", params.scryptNLog2);
  checkInt("scrypt_r", params.scryptR);
  checkInt("scrypt_p", params.scryptP);
  checkInt("pbkdf2_iterations", params.pbkdf2Iterations);
  if (params.scryptSalt.length !== SALT_BYTES) throw new MalformedObject("kdf.scrypt_salt: expected 16 bytes");
  if (params.pbkdf2Salt.length !== SALT_BYTES) throw new MalformedObject("kdf.pbkdf2_salt: expected 16 bytes");
  return params;
}

export function newDefaultParams(
  scryptNLog2: number = DEFAULT_SCRYPT_N_LOG2,
  pbkdf2Iterations: number = DEFAULT_PBKDF2_ITERATIONS,
): KdfParams {
  return checkParams({
    alg: ALG,
    scryptNLog2,
    scryptR: 8,
    scryptP: 1,
    scryptSalt: primitives.randomBytes(SALT_BYTES),
    pbkdf2Iterations,
    pbkdf2Salt: primitives.randomBytes(SALT_BYTES),
  });
}

export function paramsToJson(params: KdfParams): JsonObject {
  return {
    alg: params.alg,
    scrypt_n_log2: params.scryptNLog2,
    scrypt_r: params.scryptR,
    scrypt_p: params.scryptP,
    scrypt_salt: b64encode(params.scryptSalt),
    pbkdf2_iterations: params.pbkdf2Iterations,
    pbkdf2_salt: b64encode(params.pbkdf2Salt),
  };
}

export function paramsFromJson(document: Json | undefined): KdfParams {
  const fields = new Fields(document, "kdf");
  const params = {
    alg: fields.str("alg", { maxLen: 64 }),
    scryptNLog2: fields.int("scrypt_n_log2"),
    scryptR: fields.int("scrypt_r"),
    scryptP: fields.int("scrypt_p"),
    scryptSalt: fields.bytes("scrypt_salt", { maxLen: 64 }),
    pbkdf2Iterations: fields.int("pbkdf2_iterations"),
    pbkdf2Salt: fields.bytes("pbkdf2_salt", { maxLen: 64 }),
  };
  // Python builds the object (whose constructor checks the bounds) before done().
  checkParams(params);
  fields.done();
  return params;
}

/** PBKDF2-HMAC-SHA256(scrypt(secret)): the memory-hard step first, as in the whitepaper. */
export async function deriveKey(secret: Uint8Array, params: KdfParams): Promise<Bytes> {
  checkParams(params);
  const intermediate = await primitives.scrypt(
    secret,
    params.scryptSalt,
    2 ** params.scryptNLog2,
    params.scryptR,
    params.scryptP,
    DERIVED_KEY_BYTES,
  );
  try {
    return await primitives.pbkdf2Sha256(intermediate, params.pbkdf2Salt, params.pbkdf2Iterations, DERIVED_KEY_BYTES);
  } finally {
    intermediate.fill(0);
  }
}

function checkKey(key: Uint8Array): void {
  if (key.length !== DERIVED_KEY_BYTES) throw new Error("a derived key is 32 bytes");
}

/** The PKCS#12 password form of a derived key: hex(key), 64 ASCII characters. */
export function passwordFor(key: Uint8Array): string {
  checkKey(key);
  return toHex(key);
}

function checkMessage(accountId: string): Bytes {
  return concat(KEY_CHECK_LABEL, ascii(hexId(accountId, "account_id", 16)));
}

/** HMAC-SHA256(key, "e2ee-nvr/v1/key-check" || 0x00 || account_id), stored beside a backup. */
export async function keyCheck(key: Uint8Array, accountId: string): Promise<Bytes> {
  checkKey(key);
  return primitives.hmacSha256(key, checkMessage(accountId));
}

/** True when `check` is the v1 check of `key` for this account (compared in WebCrypto). */
export async function keyCheckMatches(key: Uint8Array, accountId: string, check: Uint8Array): Promise<boolean> {
  checkKey(key);
  return primitives.hmacSha256Verify(key, checkMessage(accountId), check);
}

/** Throw WrongPassphrase unless check matches this key and account (compared in WebCrypto). */
export async function verifyKeyCheck(key: Uint8Array, accountId: string, check: Uint8Array): Promise<void> {
  checkKey(key);
  if (!(await primitives.hmacSha256Verify(key, checkMessage(accountId), check))) {
    throw new WrongPassphrase("the passphrase does not open this account's backups");
  }
}

const PASSPHRASE_CHECK_LABEL_V2 = ascii("e2ee-nvr/v2/passphrase-check\x00");
const KEY_CHECK_LABEL_V2 = ascii("e2ee-nvr/v2/key-check\x00");

/** v2: HMAC-SHA256(PDK, "e2ee-nvr/v2/passphrase-check" || 0x00 || account_id hex text). */
export async function passphraseCheck(pdk: Uint8Array, accountId: string): Promise<Bytes> {
  checkKey(pdk);
  return primitives.hmacSha256(pdk, concat(PASSPHRASE_CHECK_LABEL_V2, ascii(hexId(accountId, "account_id", 16))));
}

/** v2: the one check that may answer WrongPassphrase (section 4); compared in WebCrypto. */
export async function verifyPassphraseCheck(pdk: Uint8Array, accountId: string, check: Uint8Array): Promise<void> {
  checkKey(pdk);
  const message = concat(PASSPHRASE_CHECK_LABEL_V2, ascii(hexId(accountId, "account_id", 16)));
  if (!(await primitives.hmacSha256Verify(pdk, message, check))) {
    throw new WrongPassphrase("the passphrase does not open this account");
  }
}

function keyCheckMessageV2(accountId: string, role: string, generation: number): Bytes {
  const zero = new Uint8Array([0]);
  return concat(KEY_CHECK_LABEL_V2, ascii(hexId(accountId, "account_id", 16)), zero, ascii(role), zero, ascii(String(generation)));
}

/** v2: a backup's check bound to its slot (account, role, generation), section 4. */
export async function keyCheckV2(key: Uint8Array, accountId: string, role: string, generation: number): Promise<Bytes> {
  checkKey(key);
  return primitives.hmacSha256(key, keyCheckMessageV2(accountId, role, generation));
}

/** True when `check` is the v2 check of `key` for this slot (compared in WebCrypto). */
export async function keyCheckV2Matches(key: Uint8Array, accountId: string, role: string, generation: number, check: Uint8Array): Promise<boolean> {
  checkKey(key);
  return primitives.hmacSha256Verify(key, keyCheckMessageV2(accountId, role, generation), check);
}
