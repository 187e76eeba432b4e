// Account key backups: one RSA private key in PKCS#12 under a derived key, beside its key check
// (protocol sections 4 and 11; backup.py's twin). PKCS#12 through pkijs and WebCrypto.
//
// Passwords: the derived key's hex form (64 ASCII characters) is the password. PBES2 feeds its
// bytes to PBKDF2 as they are, and the PKCS#12 MAC key comes from RFC 7292 appendix B over the
// BMPString form with a trailing zero (pkijs converts, as OpenSSL and pyca do); for ASCII both
// forms follow from the same text, so `openssl pkcs12 -passin pass:<hex>` opens a backup.

import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { type Bytes, ascii, fromHex } from "./bytes";
import type * as certs from "./certs";
import { Fields, type Json, type JsonObject, b64encode } from "./encoding";
import { BackupMismatch, MalformedObject } from "./errors";
import { KEY_ID_RE } from "./identifiers";
import * as kdf from "./kdf";
import { type HeldRsaKey, rsaPublicOfPkcs8 } from "./keys";
import * as primitives from "./primitives";

export type BackupRole = "signing" | "recovery" | "data";
export const BACKUP_ROLES: readonly BackupRole[] = ["signing", "recovery", "data"];
export const BACKUP_TYPE = "key-backup";
// The password is a 256-bit derived key, so PBES2 iterations add no strength; 2048 keeps
// opening fast and matches the MAC iteration count pyca writes.
const PKCS12_ITERATIONS = 2048;
// Opening refuses more: a store that edits the counts (it cannot forge the MAC, but the MAC
// is checked after its key is derived) must not make an endpoint spin for minutes.
const MAX_ITERATIONS = 100_000;
const MAX_P12_BYTES = 64 * 1024;
const CHECK_BYTES = 32;

const OID = {
  sha256: "2.16.840.1.101.3.4.2.1",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacSha256: "1.2.840.113549.2.9",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  friendlyName: "1.2.840.113549.1.9.20",
  localKeyId: "1.2.840.113549.1.9.21",
};

export interface KeyBackup {
  role: BackupRole;
  accountId: string;
  kdf: kdf.KdfParams;
  check: Bytes;
  p12: Bytes;
}

export function backupToJson(backup: KeyBackup): JsonObject {
  return {
    v: 1,
    type: BACKUP_TYPE,
    role: backup.role,
    account_id: backup.accountId,
    kdf: kdf.paramsToJson(backup.kdf),
    check: b64encode(backup.check),
    p12: b64encode(backup.p12),
  };
}

/** Parse a key-backup object exhaustively (version and type first, section 1.1). */
export function backupFromJson(document: Json | undefined): KeyBackup {
  const fields = new Fields(document, BACKUP_TYPE);
  fields.versionAndType(BACKUP_TYPE);
  const role = fields.str("role", { maxLen: 16 });
  if (!(BACKUP_ROLES as readonly string[]).includes(role)) {
    throw new MalformedObject(`${BACKUP_TYPE}.role: unknown role ${JSON.stringify(role)}`);
  }
  const backup = {
    role: role as BackupRole,
    accountId: fields.str("account_id", { pattern: KEY_ID_RE }),
    kdf: kdf.paramsFromJson(fields.raw("kdf")),
    check: fields.bytes("check", { length: CHECK_BYTES }),
    p12: fields.bytes("p12", { maxLen: MAX_P12_BYTES }),
  };
  fields.done();
  return backup;
}

function engine(): pkijs.CryptoEngine {
  return new pkijs.CryptoEngine({ name: "webcrypto", crypto: globalThis.crypto });
}

function passwordBytes(derivedKey: Uint8Array): ArrayBuffer {
  return ascii(kdf.passwordFor(derivedKey)).buffer;
}

const PBES2_SETTINGS = {
  // pkijs draws the IV itself; the type wants one only because it shares AES-CBC's params type.
  contentEncryptionAlgorithm: { name: "AES-CBC", length: 256 } as unknown as pkijs.ContentEncryptionAlgorithm,
  hmacHashAlgorithm: "SHA-256",
  iterationCount: PKCS12_ITERATIONS,
};

/**
 * The section 11 profile: one PBES2-encrypted private key (PBKDF2-HMAC-SHA256, AES-256-CBC)
 * and its certificate in a PBES2-encrypted bag, both named `role`, under an HMAC-SHA256 MAC.
 * The caller zeroes `pkcs8` afterwards and keeps no extractable handle to the key.
 */
export async function makeBackup(
  role: BackupRole,
  accountId: string,
  pkcs8: Uint8Array,
  cert: certs.Cert,
  derivedKey: Uint8Array,
  params: kdf.KdfParams,
): Promise<KeyBackup> {
  const { keyId } = await rsaPublicOfPkcs8(pkcs8);
  if (keyId !== cert.key.keyId) throw new Error("the private key does not belong to the certificate");
  const crypto = engine();
  const password = passwordBytes(derivedKey);
  // localKeyID pairs the key with its certificate for OpenSSL; the key_id is that identity.
  const attributes = () => [
    new pkijs.Attribute({ type: OID.friendlyName, values: [new asn1js.BmpString({ value: role })] }),
    new pkijs.Attribute({ type: OID.localKeyId, values: [new asn1js.OctetString({ valueHex: fromHex(keyId).buffer })] }),
  ];
  const keyBag = new pkijs.PKCS8ShroudedKeyBag({ parsedValue: pkijs.PrivateKeyInfo.fromBER(new Uint8Array(pkcs8)) });
  await keyBag.makeInternalValues({ password, ...PBES2_SETTINGS }, crypto);
  const certBag = new pkijs.CertBag({ parsedValue: pkijs.Certificate.fromBER(cert.der) });
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    parsedValue: {
      safeContents: [
        { privacyMode: 1, value: new pkijs.SafeContents({ safeBags: [new pkijs.SafeBag({ bagId: OID.certBag, bagValue: certBag, bagAttributes: attributes() })] }) },
        { privacyMode: 0, value: new pkijs.SafeContents({ safeBags: [new pkijs.SafeBag({ bagId: OID.shroudedKeyBag, bagValue: keyBag, bagAttributes: attributes() })] }) },
      ],
    },
  });
  await authenticatedSafe.makeInternalValues({ safeContents: [{ password, ...PBES2_SETTINGS }, {}] }, crypto);
  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe } });
  await pfx.makeInternalValues(
    { password, iterations: PKCS12_ITERATIONS, pbkdf2HashAlgorithm: "SHA-256", hmacHashAlgorithm: "SHA-256" },
    crypto,
  );
  return {
    role,
    accountId,
    kdf: params,
    check: await kdf.keyCheck(derivedKey, accountId),
    p12: new Uint8Array(pfx.toSchema().toBER(false)),
  };
}

/** PBES2 exactly as the profile has it, with a bounded iteration count. */
function checkPbes2(algorithm: pkijs.AlgorithmIdentifier): void {
  if (algorithm.algorithmId !== OID.pbes2) throw new Error("not PBES2");
  const pbes2 = new pkijs.PBES2Params({ schema: algorithm.algorithmParams });
  if (pbes2.keyDerivationFunc.algorithmId !== OID.pbkdf2) throw new Error("PBES2 without PBKDF2");
  const pbkdf2 = new pkijs.PBKDF2Params({ schema: pbes2.keyDerivationFunc.algorithmParams });
  if (pbkdf2.prf?.algorithmId !== OID.hmacSha256 || pbes2.encryptionScheme.algorithmId !== OID.aes256Cbc) {
    throw new Error("PBES2 other than PBKDF2-HMAC-SHA256 with AES-256-CBC");
  }
  if (!(pbkdf2.iterationCount >= 1 && pbkdf2.iterationCount <= MAX_ITERATIONS)) throw new Error("PBKDF2 iterations out of range");
}

/** The one private key of a profile PKCS#12 (PKCS#8 DER); any deviation throws. */
async function pkcs8FromP12(p12: Uint8Array, password: ArrayBuffer): Promise<Uint8Array> {
  const crypto = engine();
  const pfx = pkijs.PFX.fromBER(new Uint8Array(p12));
  const mac = pfx.macData;
  if (mac === undefined || mac.mac.digestAlgorithm.algorithmId !== OID.sha256) throw new Error("MAC is not HMAC-SHA256");
  if (!((mac.iterations ?? 1) >= 1 && (mac.iterations ?? 1) <= MAX_ITERATIONS)) throw new Error("MAC iterations out of range");
  await pfx.parseInternalValues({ password, checkIntegrity: true }, crypto);
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (safe === undefined) throw new Error("no authenticated safe");
  for (const info of safe.safeContents) {
    if (info.contentType === OID.encryptedData) {
      // Read from a copy of the bytes: pkijs parses each schema object once.
      const encrypted = pkijs.EncryptedData.fromBER((info.content as asn1js.Sequence).toBER(false));
      checkPbes2(encrypted.encryptedContentInfo.contentEncryptionAlgorithm);
    } else if (info.contentType !== OID.data) {
      throw new Error("safe contents neither data nor password-encrypted");
    }
  }
  await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password })) }, crypto);
  const keyBags: pkijs.PKCS8ShroudedKeyBag[] = [];
  for (const contents of safe.parsedValue?.safeContents ?? []) {
    for (const bag of contents.value.safeBags) {
      if (bag.bagId === OID.shroudedKeyBag) keyBags.push(bag.bagValue as pkijs.PKCS8ShroudedKeyBag);
      else if (bag.bagId !== OID.certBag) throw new Error(`unexpected bag ${bag.bagId}`);
    }
  }
  const [keyBag] = keyBags;
  if (keyBag === undefined || keyBags.length !== 1) throw new Error("expected exactly one shrouded private key");
  checkPbes2(keyBag.encryptionAlgorithm);
  // pkijs declares the decrypting parse protected; it is the documented way to open the bag.
  const opener = keyBag as unknown as {
    parseInternalValues(parameters: { password: ArrayBuffer }, engine: pkijs.ICryptoEngine): Promise<void>;
  };
  await opener.parseInternalValues({ password }, crypto);
  if (keyBag.parsedValue === undefined) throw new Error("key bag did not decrypt");
  return new Uint8Array(keyBag.parsedValue.toSchema().toBER(false));
}

export type BackupPurpose = "pss" | "oaep";

/** The opened key: a non-extractable private key and the key_id of its public half. */
export interface OpenedKey extends HeldRsaKey {
  purpose: BackupPurpose;
}

/**
 * Open a backup with its derived key and require the key the account names for its role
 * (section 11). `accountId` is the verified root's; `expectedCert` the certificate the account
 * names for the role (the root for "signing"). The key check comes before PKCS#12 so a wrong
 * passphrase (WrongPassphrase) is told apart from a swapped or damaged backup (BackupMismatch).
 * The key is imported non-extractable for `purpose` (signing: RSA-PSS, else RSA-OAEP).
 */
export async function openBackup(
  backup: KeyBackup,
  derivedKey: Uint8Array,
  accountId: string,
  expectedCert: certs.Cert,
): Promise<OpenedKey> {
  checkAccount(backup, accountId);
  await kdf.verifyKeyCheck(derivedKey, accountId, backup.check);
  return openP12(backup.role, backup.p12, derivedKey, expectedCert);
}

/**
 * The PKCS#12 part of opening (v1 and v2 backups): decrypt under hex(key), and require the key
 * the account names for the role. Every failure is BackupMismatch: the key was proven first.
 */
export async function openP12(
  role: BackupRole,
  p12: Uint8Array,
  derivedKey: Uint8Array,
  expectedCert: certs.Cert,
): Promise<OpenedKey> {
  let pkcs8: Uint8Array;
  try {
    pkcs8 = await pkcs8FromP12(p12, passwordBytes(derivedKey));
  } catch (err) {
    throw new BackupMismatch(`${role} backup does not open with this account's key: ${String(err)}`);
  }
  const purpose: BackupPurpose = role === "signing" ? "pss" : "oaep";
  try {
    // The store holds the backups: it could hand over another account's PKCS#12 under a
    // matching check, so the key inside must be the one this account's certificate names.
    let opened: { keyId: string; publicKey: CryptoKey };
    try {
      opened = await rsaPublicOfPkcs8(pkcs8);
    } catch {
      throw new BackupMismatch(`${role} backup holds no RSA key`);
    }
    if (opened.keyId !== expectedCert.key.keyId) {
      throw new BackupMismatch(`${role} backup holds a key the account does not name`);
    }
    const privateKey = await primitives.rsaPrivateFromPkcs8(pkcs8, purpose, false);
    return { kind: "rsa", keyId: opened.keyId, privateKey, publicKey: opened.publicKey, purpose };
  } finally {
    pkcs8.fill(0);
  }
}

/**
 * The PKCS#8 inside a backup already opened with openBackup (migration re-files the same keys
 * as v2 backups, section 17). The caller zeroes it at once.
 */
export async function pkcs8OfBackup(p12: Uint8Array, derivedKey: Uint8Array): Promise<Uint8Array> {
  try {
    return await pkcs8FromP12(p12, passwordBytes(derivedKey));
  } catch (err) {
    throw new BackupMismatch(`backup does not open with this account's key: ${String(err)}`);
  }
}

/** Derive the key from a passphrase (canonical UTF-8) or the RDK secret, then open the backup. */
export async function openBackupWithSecret(
  backup: KeyBackup,
  secret: Uint8Array,
  accountId: string,
  expectedCert: certs.Cert,
): Promise<OpenedKey> {
  // Refuse another account's backup before spending the KDF's time and memory on it.
  checkAccount(backup, accountId);
  const derivedKey = await kdf.deriveKey(secret, backup.kdf);
  try {
    return await openBackup(backup, derivedKey, accountId, expectedCert);
  } finally {
    derivedKey.fill(0);
  }
}

function checkAccount(backup: KeyBackup, accountId: string): void {
  if (backup.accountId !== accountId) throw new BackupMismatch(`${backup.role} backup belongs to another account`);
}
