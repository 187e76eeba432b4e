// Building version-2 accounts at the endpoint (section 11.3): create, a fresh browser enrolling
// itself, and revoke with rotation of the data key. Every signing operation takes the
// passphrase (section 11.2); the signing and recovery keys and every RDK are held only for the
// operation and zeroed or dropped at its end.

import { type Bytes, equal } from "./bytes";
import * as certs from "./certs";
import { type AccountDocumentV2, type DataGeneration, type InstanceEntryV2 } from "./account-v2";
import { type AccountDocument, accountRoot } from "./account";
import { makeBackup, openBackup, pkcs8OfBackup } from "./backup";
import { derivePdk } from "./endpoint";
import { type KeyBackupV2 } from "./backup-v2";
import { unlockV2 } from "./endpoint-v2";
import { NotEnrolled, UntrustedKey } from "./errors";
import { issueCertificate, makeRoot } from "./issue";
import * as kdf from "./kdf";
import { type HeldP256Key, newInstanceKey } from "./keys";
import { canonicalPassphrase } from "./passphrase";
import * as primitives from "./primitives";
import * as recipients from "./recipients";
import { utf8 } from "./bytes";
import { accountContext, dataRdkContext, unwrapBytes, wrapToP256, wrapToRsa } from "./wrap";

const RDK_BYTES = 32;
const now = () => Math.floor(Date.now() / 1000);

async function backupV2(role: "signing" | "recovery" | "data", generation: number, accountId: string, pkcs8: Uint8Array, cert: certs.Cert, key: Uint8Array): Promise<KeyBackupV2> {
  // The PKCS#12 profile is v1's; the v2 check replaces v1's and no KDF parameters are kept.
  const made = await makeBackup(role, accountId, pkcs8, cert, key, kdf.newDefaultParams(15, 10_000));
  return { role, generation, accountId, check: await kdf.keyCheckV2(key, accountId, role, generation), p12: made.p12 };
}

/** Data generation g: a fresh RSA-OAEP key, its certificate and backup under a fresh RDK_g. */
async function newGeneration(accountId: string, root: certs.Cert, signing: CryptoKey, recoveryPublic: CryptoKey, generation: number): Promise<{ entry: DataGeneration; rdk: Bytes }> {
  const pair = await primitives.rsaGenerate("oaep", true);
  const spki = await primitives.exportSpki(pair.publicKey);
  const pkcs8 = await primitives.exportPkcs8(pair.privateKey);
  // RDK_g is a CSPRNG key as it is (section 4): no KDF over it.
  const rdk = primitives.randomBytes(RDK_BYTES);
  try {
    const cert = await issueCertificate(root, signing, spki, "data");
    const entry: DataGeneration = {
      generation,
      certDer: cert.der,
      backup: await backupV2("data", generation, accountId, pkcs8, cert, rdk),
      rdkWrappedToRecovery: await wrapToRsa(recoveryPublic, rdk, dataRdkContext(accountId, generation)),
    };
    return { entry, rdk };
  } finally {
    pkcs8.fill(0);
  }
}

/** Fresh entries for exactly the set's instance recipients, wrapping every RDK_g to each. */
async function instanceEntries(accountId: string, set: recipients.RecipientSet, rdks: readonly Uint8Array[]): Promise<InstanceEntryV2[]> {
  const entries: InstanceEntryV2[] = [];
  for (const recipient of set.recipients) {
    if (recipient.role !== "instance") continue;
    const key = (await certs.loadCert(recipient.certDer)).key;
    if (key.kind !== "p256") throw new UntrustedKey("instance recipient is not a P-256 key");
    const publicKey = await primitives.p256PublicFromSpki(key.spki);
    const rdkWrapped = [];
    for (const [i, rdk] of rdks.entries()) rdkWrapped.push(await wrapToP256(publicKey, rdk, dataRdkContext(accountId, i + 1)));
    entries.push({ keyId: recipient.keyId, certDer: recipient.certDer, rdkWrapped });
  }
  return entries;
}

async function instanceRecipient(root: certs.Cert, signing: CryptoKey, instance: HeldP256Key): Promise<recipients.Recipient> {
  const cert = await issueCertificate(root, signing, await primitives.exportSpki(instance.publicKey), "instance");
  return { role: "instance", keyId: instance.keyId, certDer: cert.der, cameras: recipients.ALL_CAMERAS };
}

export interface BuiltV2 {
  document: AccountDocumentV2;
  /** The set the builder signed: its new H (persist it before using it). */
  verified: recipients.VerifiedRecipientSet;
}

/** Section 11.3 "Create": keys, generation 1, backups, set epoch 1; and this browser's key. */
export async function createAccountV2(
  passphrase: string,
  params: kdf.KdfParams = kdf.newDefaultParams(),
  progress: (step: "passphrase-key" | "keys" | "certificates" | "backups" | "recipients") => void = () => undefined,
): Promise<BuiltV2 & { instance: HeldP256Key }> {
  progress("passphrase-key");
  const pdk = await kdf.deriveKey(utf8(await canonicalPassphrase(passphrase)), params);
  const rdks: Bytes[] = [];
  try {
    progress("keys");
    const signingPair = await primitives.rsaGenerate("pss", true);
    const signingSpki = await primitives.exportSpki(signingPair.publicKey);
    const signingPkcs8 = await primitives.exportPkcs8(signingPair.privateKey);
    const signing = await primitives.rsaPrivateFromPkcs8(signingPkcs8, "pss", false);
    progress("certificates");
    const root = await makeRoot(signing, signingSpki);
    const accountId = root.key.keyId ?? "";
    progress("backups");
    const signingBackup = await backupV2("signing", 0, accountId, signingPkcs8, root, pdk);
    signingPkcs8.fill(0);
    const recoveryPair = await primitives.rsaGenerate("oaep", true);
    const recoveryPkcs8 = await primitives.exportPkcs8(recoveryPair.privateKey);
    const recoveryCert = await issueCertificate(root, signing, await primitives.exportSpki(recoveryPair.publicKey), "recovery");
    const recoveryBackup = await backupV2("recovery", 0, accountId, recoveryPkcs8, recoveryCert, pdk);
    recoveryPkcs8.fill(0);
    const first = await newGeneration(accountId, root, signing, recoveryPair.publicKey, 1);
    rdks.push(first.rdk);
    const instance = await newInstanceKey();
    const data: recipients.Recipient = { role: "data", keyId: (await certs.loadCert(first.entry.certDer)).key.keyId ?? "", certDer: first.entry.certDer };
    progress("recipients");
    const set = recipients.firstRecipientSetV2(accountId, now(), [data, await instanceRecipient(root, signing, instance)]);
    const signed = await recipients.signRecipientSet(set, signing);
    const verified = await recipients.verifyRecipientSet(signed, root, null);
    const document: AccountDocumentV2 = {
      accountId,
      rootCertDer: root.der,
      recoveryCertDer: recoveryCert.der,
      passphrase: { kdf: params, check: await kdf.passphraseCheck(pdk, accountId) },
      signingBackup,
      recoveryBackup,
      dataKeys: [first.entry],
      instances: await instanceEntries(accountId, set, rdks),
      recipientSet: signed,
    };
    return { document, verified, instance };
  } finally {
    pdk.fill(0);
    for (const rdk of rdks) rdk.fill(0);
  }
}

/** Sign `next`, check it follows H, and rebuild every instance entry with fresh wraps. */
async function signAndRebuild(document: AccountDocumentV2, root: certs.Cert, held: recipients.VerifiedRecipientSet, signing: CryptoKey, next: recipients.RecipientSet, dataKeys: DataGeneration[], rdks: readonly Uint8Array[]): Promise<BuiltV2> {
  const signed = await recipients.signRecipientSet(next, signing);
  const verified = await recipients.verifyRecipientSet(signed, root, null);
  await recipients.checkSetSuccession(verified, await recipients.heldSetOf(held));
  return { document: { ...document, dataKeys, instances: await instanceEntries(document.accountId, next, rdks), recipientSet: signed }, verified };
}

/**
 * A fresh browser enrols itself with the passphrase. The passphrase proves the root; the
 * store's set C is verified under it and the new set derives from C only.
 */
export async function enrolSelfV2(document: AccountDocumentV2, passphrase: string): Promise<BuiltV2 & { instance: HeldP256Key }> {
  const root = await accountRoot(document);
  const keys = await unlockV2(document, passphrase);
  try {
    const current = await recipients.verifyRecipientSet(document.recipientSet, root, null);
    const instance = await newInstanceKey();
    const next = await recipients.nextRecipientSet(current, now(), { add: [await instanceRecipient(root, keys.signing.privateKey, instance)] });
    return { ...(await signAndRebuild(document, root, current, keys.signing.privateKey, next, document.dataKeys, keys.rdks)), instance };
  } finally {
    for (const rdk of keys.rdks) rdk.fill(0);
  }
}

/**
 * Revoke instances (none: a plain rotation) and rotate the data key (section 11.3): generation
 * n + 1 is wrapped to the recovery key and to the remaining instances only, so nothing the
 * revoked browser holds reaches it. `held` is this endpoint's verified H, the set to derive from.
 */
export async function revokeV2(document: AccountDocumentV2, held: recipients.VerifiedRecipientSet, ownKeyId: string, passphrase: string, revoked: readonly string[]): Promise<BuiltV2> {
  const root = await accountRoot(document);
  // H was verified under the pinned root; the account id is that root's key id.
  if (document.accountId !== held.recipientSet.accountId) throw new UntrustedKey("account: not the account this endpoint holds");
  const current = await recipients.verifyRecipientSet(document.recipientSet, root, null);
  await recipients.checkSetSuccession(current, await recipients.heldSetOf(held));
  recipients.checkOwnMembership(current, ownKeyId);
  if (revoked.includes(ownKeyId)) throw new Error("an endpoint revokes others; another endpoint revokes it");
  const members = current.keys.filter((k) => k.role === "instance").map((k) => k.keyId);
  const missing = revoked.filter((id) => !members.includes(id));
  if (missing.length > 0) throw new NotEnrolled(`not instances of the signed set: ${missing.join(", ")}`);
  const keys = await unlockV2(document, passphrase);
  try {
    const generation = await newGeneration(document.accountId, root, keys.signing.privateKey, keys.recovery.publicKey, document.dataKeys.length + 1);
    keys.rdks.push(generation.rdk);
    const data: recipients.Recipient = { role: "data", keyId: (await certs.loadCert(generation.entry.certDer)).key.keyId ?? "", certDer: generation.entry.certDer };
    const next = await recipients.nextRecipientSet(current, now(), { remove: revoked, data });
    return await signAndRebuild(document, root, current, keys.signing.privateKey, next, [...document.dataKeys, generation.entry], keys.rdks);
  } finally {
    for (const rdk of keys.rdks) rdk.fill(0);
  }
}

/**
 * Section 17: upgrade a v1 account in place at the owner's next passphrase entry. `held` is this
 * endpoint's verified v1 set C; the result's set is epoch C + 1, chained to C, so agents accept
 * it without re-pairing. Old clips stay readable through data generation 1 (the v1 data key).
 */
export async function migrateV1(
  document: AccountDocument,
  held: recipients.VerifiedRecipientSet,
  ownKeyId: string,
  passphrase: string,
  drop: readonly string[] = [],
  params: kdf.KdfParams = kdf.newDefaultParams(),
): Promise<BuiltV2> {
  const root = await certs.loadCert(document.rootCertDer);
  if (document.accountId !== held.recipientSet.accountId || (await certs.verifyRoot(root)).keyId !== document.accountId) {
    throw new UntrustedKey("migration: not the account this endpoint holds");
  }
  const current = await recipients.verifyRecipientSet(document.recipientSet, root, (await certs.loadCert(document.dataCertDer)).key.keyId ?? "");
  await recipients.checkSetSuccession(current, await recipients.heldSetOf(held));
  recipients.checkOwnMembership(current, ownKeyId);
  const members = current.keys.filter((k) => k.role === "instance").map((k) => k.keyId);
  if (drop.includes(ownKeyId) || drop.some((id) => !members.includes(id))) throw new NotEnrolled("migration drops only other instances of the signed set");
  const secrets: Uint8Array[] = [];
  try {
    // Step 1: open the v1 account; RDK_1 is proven by opening the v1 data backup.
    const pdk1 = await derivePdk(document, passphrase);
    secrets.push(pdk1);
    const signing = await openBackup(document.backups.signing, pdk1, document.accountId, root);
    const oldRecovery = await openBackup(document.backups.recovery, pdk1, document.accountId, await certs.loadCert(document.recoveryCertDer));
    const rdk1 = await unwrapBytes(oldRecovery, document.rdkWrappedToRecovery, accountContext("rdk", document.accountId), "rdk");
    secrets.push(rdk1);
    const dataCert = await certs.loadCert(document.dataCertDer);
    await openBackup(document.backups.data, rdk1, document.accountId, dataCert);
    const signingPkcs8 = await pkcs8OfBackup(document.backups.signing.p12, pdk1);
    const dataPkcs8 = await pkcs8OfBackup(document.backups.data.p12, rdk1);
    secrets.push(signingPkcs8, dataPkcs8);
    // Step 2: fresh salts, so the v1 PDK every v1 browser could unwrap opens nothing here.
    const v1Params = document.backups.signing.kdf;
    if (equal(params.scryptSalt, v1Params.scryptSalt) || equal(params.pbkdf2Salt, v1Params.pbkdf2Salt)) {
      throw new Error("migration needs fresh PDK salts: the v1 PDK must not open the v2 account");
    }
    const pdk = await kdf.deriveKey(utf8(await canonicalPassphrase(passphrase)), params);
    secrets.push(pdk);
    // Step 3: a new recovery key; the old one sat under the v1 PDK.
    const recoveryPair = await primitives.rsaGenerate("oaep", true);
    const recoveryPkcs8 = await primitives.exportPkcs8(recoveryPair.privateKey);
    secrets.push(recoveryPkcs8);
    const recoveryCert = await issueCertificate(root, signing.privateKey, await primitives.exportSpki(recoveryPair.publicKey), "recovery");
    // Step 4-5: generation 1 = the v1 data key under RDK_1; generation 2 = a rotation.
    const gen1: DataGeneration = {
      generation: 1,
      certDer: document.dataCertDer,
      backup: await backupV2("data", 1, document.accountId, dataPkcs8, dataCert, rdk1),
      rdkWrappedToRecovery: await wrapToRsa(recoveryPair.publicKey, rdk1, dataRdkContext(document.accountId, 1)),
    };
    const gen2 = await newGeneration(document.accountId, root, signing.privateKey, recoveryPair.publicKey, 2);
    secrets.push(gen2.rdk);
    // Step 6: the v2 set, derived from the v1 set only (v1 recipients become "*").
    const data: recipients.Recipient = { role: "data", keyId: (await certs.loadCert(gen2.entry.certDer)).key.keyId ?? "", certDer: gen2.entry.certDer };
    const next = await recipients.nextRecipientSet(current, now(), { remove: drop, data });
    const base: AccountDocumentV2 = {
      accountId: document.accountId,
      rootCertDer: document.rootCertDer,
      recoveryCertDer: recoveryCert.der,
      passphrase: { kdf: params, check: await kdf.passphraseCheck(pdk, document.accountId) },
      signingBackup: await backupV2("signing", 0, document.accountId, signingPkcs8, root, pdk),
      recoveryBackup: await backupV2("recovery", 0, document.accountId, recoveryPkcs8, recoveryCert, pdk),
      dataKeys: [],
      instances: [],
      recipientSet: document.recipientSet,
    };
    return await signAndRebuild(base, root, current, signing.privateKey, next, [gen1, gen2.entry], [rdk1, gen2.rdk]);
  } finally {
    for (const secret of secrets) secret.fill(0);
  }
}
