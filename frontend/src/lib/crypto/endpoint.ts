// The endpoint role (section 11): create an account, enrol, unlock keys, revoke (endpoint.py).
//
// An Endpoint holds what an enrolled browser holds: the pinned root and its instance key, whose
// private half is generated non-extractable and never backed up. Everything else comes from
// the store's account document and is checked before use, because the store is not trusted.
// Account private keys are generated extractable only long enough to export their PKCS#8 into
// the backups; every handle used afterwards is a non-extractable re-import.

import { type AccountDocument, type InstanceEntry, MAX_INSTANCES, accountRoot } from "./account";
import * as backup from "./backup";
import { type Bytes, equal, utf8 } from "./bytes";
import * as certs from "./certs";
import * as envelope from "./envelope";
import { BackupMismatch, BadSignature, UntrustedKey, WrongPassphrase } from "./errors";
import { issueCertificate, makeRoot } from "./issue";
import * as kdf from "./kdf";
import { type HeldP256Key, newInstanceKey } from "./keys";
import { canonicalPassphrase } from "./passphrase";
import * as primitives from "./primitives";
import * as recipients from "./recipients";
import { accountContext, unwrapBytes, wrapToP256, wrapToRsa } from "./wrap";

const RDK_SECRET_BYTES = 32;

export interface Endpoint {
  accountId: string;
  root: certs.Cert;
  instanceKey: HeldP256Key;
}

/** Account keys recovered from backups, all non-extractable; held only while needed. */
export interface AccountKeys {
  signing: backup.OpenedKey;
  recovery: backup.OpenedKey;
  /** The RDK: the caller zeroes it when done (openDataKey is its only use). */
  rdk: Bytes;
}

const now = () => Math.floor(Date.now() / 1000);

async function instanceEntry(
  accountId: string,
  root: certs.Cert,
  signingKey: CryptoKey,
  instance: HeldP256Key,
  pdk: Uint8Array,
  rdk: Uint8Array,
): Promise<InstanceEntry> {
  const cert = await issueCertificate(root, signingKey, await primitives.exportSpki(instance.publicKey), "instance");
  return {
    keyId: instance.keyId,
    certDer: cert.der,
    pdkWrapped: await wrapToP256(instance.publicKey, pdk, accountContext("pdk", accountId)),
    rdkWrapped: await wrapToP256(instance.publicKey, rdk, accountContext("rdk", accountId)),
  };
}

/** An instance member of a recipient set: its key id and certificate. */
export interface InstanceMember {
  keyId: string;
  certDer: Bytes;
}

/** Sign the recipient set {data, every instance member} at `epoch` with the account signing key. */
export async function signRecipientSet(
  accountId: string,
  signingKey: CryptoKey,
  epoch: number,
  dataCertDer: Bytes,
  instances: readonly InstanceMember[],
): Promise<envelope.SignedEnvelope> {
  const members: recipients.Recipient[] = [
    { role: "data", keyId: (await certs.loadCert(dataCertDer)).key.keyId ?? "", certDer: dataCertDer },
    ...instances.map((i) => ({ role: "instance" as const, keyId: i.keyId, certDer: i.certDer })),
  ];
  return recipients.signRecipientSet(recipients.buildRecipientSet(accountId, epoch, now(), members), signingKey);
}

/**
 * The instance members of a verified set. The next set is built from these and never from the
 * store's `instances` list: that list is unsigned, and a store that adds a revoked browser to it
 * would otherwise have the owner's own next enrol or revoke sign that browser back in.
 */
export function verifiedInstances(current: recipients.VerifiedRecipientSet): InstanceMember[] {
  return current.recipientSet.recipients
    .filter((r) => r.role === "instance")
    .map((r) => ({ keyId: r.keyId, certDer: r.certDer }));
}

/** The store's entries (wraps) of exactly the members: an entry for anyone else is dropped. */
function entriesOf(document: AccountDocument, members: readonly InstanceMember[]): InstanceEntry[] {
  const keep = new Set(members.map((m) => m.keyId));
  return document.instances.filter((i) => keep.has(i.keyId));
}

/** Generate an RSA key extractable, back it up, and keep only a non-extractable re-import. */
async function generateBackedUp(
  purpose: backup.BackupPurpose,
  write: (pkcs8: Uint8Array, publicSpki: Bytes) => Promise<void>,
): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; spki: Bytes }> {
  const pair = await primitives.rsaGenerate(purpose, true);
  const spki = await primitives.exportSpki(pair.publicKey);
  const pkcs8 = await primitives.exportPkcs8(pair.privateKey);
  try {
    await write(pkcs8, spki);
    const privateKey = await primitives.rsaPrivateFromPkcs8(pkcs8, purpose, false);
    return { privateKey, publicKey: pair.publicKey, spki };
  } finally {
    pkcs8.fill(0);
  }
}

/** The stages of createAccount, in the order it reaches them (for a progress display). */
export type CreateStage = "passphrase-key" | "random-key" | "keys" | "certificates" | "backups" | "recipients";

/**
 * Make every account key, the three backups and recipient set epoch 1 (section 11 "Create").
 * `kdfParams` (PDK, RDK) lets tests use the cheapest parameters the bounds allow; `progress`
 * is told each stage as it starts.
 */
export async function createAccount(
  passphrase: string,
  kdfParams: { pdk: kdf.KdfParams; rdk: kdf.KdfParams } = { pdk: kdf.newDefaultParams(), rdk: kdf.newDefaultParams() },
  progress: (stage: CreateStage) => void = () => {},
): Promise<{ document: AccountDocument; endpoint: Endpoint }> {
  progress("passphrase-key");
  const pdk = await kdf.deriveKey(utf8(await canonicalPassphrase(passphrase)), kdfParams.pdk);
  // The random secret behind the RDK is discarded once derived: only wraps of the RDK remain.
  progress("random-key");
  const secret = primitives.randomBytes(RDK_SECRET_BYTES);
  const rdk = await kdf.deriveKey(secret, kdfParams.rdk);
  secret.fill(0);
  try {
    const backups: Partial<Record<backup.BackupRole, backup.KeyBackup>> = {};
    let root: certs.Cert | null = null;
    let rootSigner: CryptoKey | null = null;
    // The root's backup needs the root certificate, which needs the key: so the signing key is
    // certified inside its own backup step, before its PKCS#8 is zeroed.
    progress("keys");
    const signing = await generateBackedUp("pss", async (pkcs8, spki) => {
      rootSigner = await primitives.rsaPrivateFromPkcs8(pkcs8, "pss", false);
      root = await makeRoot(rootSigner, spki);
      backups.signing = await backup.makeBackup("signing", root.key.keyId ?? "", pkcs8, root, pdk, kdfParams.pdk);
    });
    if (root === null || rootSigner === null) throw new Error("root not made");
    const rootCert: certs.Cert = root;
    const accountId = rootCert.key.keyId ?? "";
    const issued: Partial<Record<"recovery" | "data", certs.Cert>> = {};
    const issueAndBackUp = (role: "recovery" | "data", key: Uint8Array, params: kdf.KdfParams) =>
      generateBackedUp("oaep", async (pkcs8, spki) => {
        const cert = await issueCertificate(rootCert, signing.privateKey, spki, role);
        issued[role] = cert;
        backups[role] = await backup.makeBackup(role, accountId, pkcs8, cert, key, params);
      });
    progress("certificates");
    const recovery = await issueAndBackUp("recovery", pdk, kdfParams.pdk);
    await issueAndBackUp("data", rdk, kdfParams.rdk);
    const dataCertDer = issued.data?.der;
    if (backups.signing === undefined || backups.recovery === undefined || backups.data === undefined || dataCertDer === undefined || issued.recovery === undefined) {
      throw new Error("account keys incomplete");
    }
    progress("backups");
    const rdkWrappedToRecovery = await wrapToRsa(recovery.publicKey, rdk, accountContext("rdk", accountId));
    const instanceKey = await newInstanceKey();
    const instance = await instanceEntry(accountId, rootCert, signing.privateKey, instanceKey, pdk, rdk);
    progress("recipients");
    const recipientSet = await signRecipientSet(accountId, signing.privateKey, 1, dataCertDer, [instance]);
    const document: AccountDocument = {
      accountId,
      rootCertDer: rootCert.der,
      recoveryCertDer: issued.recovery.der,
      dataCertDer,
      backups: { signing: backups.signing, recovery: backups.recovery, data: backups.data },
      rdkWrappedToRecovery,
      instances: [instance],
      recipientSet,
    };
    return { document, endpoint: { accountId, root: rootCert, instanceKey } };
  } finally {
    pdk.fill(0);
    rdk.fill(0);
  }
}

async function openWithPdk(document: AccountDocument, pdk: Uint8Array): Promise<AccountKeys> {
  const root = await accountRoot(document);
  const signing = await backup.openBackup(document.backups.signing, pdk, document.accountId, root);
  const recoveryCert = await certs.loadCert(document.recoveryCertDer);
  const recovery = await backup.openBackup(document.backups.recovery, pdk, document.accountId, recoveryCert);
  const context = accountContext("rdk", document.accountId);
  const rdk = await unwrapBytes(recovery, document.rdkWrappedToRecovery, context, "rdk");
  return { signing, recovery, rdk };
}

/** The PDK from a typed passphrase: InvalidPassphrase for typos, WrongPassphrase if not ours. */
export async function derivePdk(document: AccountDocument, passphrase: string): Promise<Bytes> {
  const signingBackup = document.backups.signing;
  const pdk = await kdf.deriveKey(utf8(await canonicalPassphrase(passphrase)), signingBackup.kdf);
  try {
    await kdf.verifyKeyCheck(pdk, document.accountId, signingBackup.check);
  } catch (err) {
    // Section 11.4: the same PDK matching the recovery backup's check shows the passphrase is
    // right and the signing backup was swapped: BackupMismatch, never a wrong passphrase (and
    // so never a spent attempt of the user's back-off).
    const recovery = document.backups.recovery;
    const sameParams = JSON.stringify(kdf.paramsToJson(recovery.kdf)) === JSON.stringify(kdf.paramsToJson(signingBackup.kdf));
    if (err instanceof WrongPassphrase && sameParams && (await kdf.keyCheckMatches(pdk, document.accountId, recovery.check))) {
      pdk.fill(0);
      throw new BackupMismatch("the signing backup is not this account's (the passphrase opens the recovery backup)");
    }
    pdk.fill(0);
    throw err;
  }
  return pdk;
}

/** Open the signing and recovery backups and the RDK with the passphrase alone. */
export async function unlockWithPassphrase(document: AccountDocument, passphrase: string): Promise<AccountKeys> {
  const pdk = await derivePdk(document, passphrase);
  try {
    return await openWithPdk(document, pdk);
  } finally {
    pdk.fill(0);
  }
}

async function dataKeyId(document: AccountDocument): Promise<string> {
  return (await certs.loadCert(document.dataCertDer)).key.keyId ?? "";
}

/**
 * Enrol this browser with the passphrase: a new non-extractable instance key, its certificate,
 * PDK and RDK wrapped to it, recipient set epoch + 1. The new endpoint pins the root it is
 * shown; the passphrase authenticates it, since only the real account's backups open with it
 * and hold the keys the root and its certificates name.
 */
export async function enrolWithPassphrase(
  document: AccountDocument,
  passphrase: string,
  expectedAccountId: string | null = null,
): Promise<{ document: AccountDocument; endpoint: Endpoint }> {
  const root = await accountRoot(document);
  if (expectedAccountId !== null && document.accountId !== expectedAccountId) {
    throw new UntrustedKey("account: not the expected account");
  }
  if (document.instances.length >= MAX_INSTANCES) throw new Error(`an account holds at most ${MAX_INSTANCES} instances`);
  const pdk = await derivePdk(document, passphrase);
  let keys: AccountKeys | null = null;
  try {
    keys = await openWithPdk(document, pdk);
    const current = await recipients.verifyRecipientSet(document.recipientSet, root, await dataKeyId(document));
    const instanceKey = await newInstanceKey();
    const entry = await instanceEntry(document.accountId, root, keys.signing.privateKey, instanceKey, pdk, keys.rdk);
    const members = [...verifiedInstances(current), entry];
    const signed = await signRecipientSet(document.accountId, keys.signing.privateKey, current.epoch + 1, document.dataCertDer, members);
    const instances = [...entriesOf(document, members), entry];
    return {
      document: { ...document, instances, recipientSet: signed },
      endpoint: { accountId: document.accountId, root, instanceKey },
    };
  } finally {
    pdk.fill(0);
    keys?.rdk.fill(0);
  }
}

function ownEntry(document: AccountDocument, endpoint: Endpoint): InstanceEntry {
  if (document.accountId !== endpoint.accountId) throw new UntrustedKey("account: not the account this endpoint is enrolled in");
  const entry = document.instances.find((i) => i.keyId === endpoint.instanceKey.keyId);
  if (entry === undefined) throw new UntrustedKey("account: this endpoint is not enrolled (revoked?)");
  return entry;
}

/** Open the account's keys with the instance key: no passphrase on an enrolled endpoint. */
export async function unlockWithInstance(document: AccountDocument, endpoint: Endpoint): Promise<AccountKeys> {
  const entry = ownEntry(document, endpoint);
  // The store could serve another root with matching backups of its own making: the root
  // pinned at enrolment is the only one this endpoint trusts.
  if (!equal(document.rootCertDer, endpoint.root.der)) {
    throw new UntrustedKey("account: root differs from the one pinned at enrolment");
  }
  const context = accountContext("pdk", endpoint.accountId);
  const pdk = await unwrapBytes(endpoint.instanceKey, entry.pdkWrapped, context, "pdk");
  try {
    return await openWithPdk(document, pdk);
  } finally {
    pdk.fill(0);
  }
}

/** The account data key (non-extractable), which every clip is also wrapped to. */
export async function openDataKey(document: AccountDocument, rdk: Uint8Array): Promise<backup.OpenedKey> {
  const dataCert = await certs.loadCert(document.dataCertDer);
  return backup.openBackup(document.backups.data, rdk, document.accountId, dataCert);
}

/**
 * Sign a recipient set epoch + 1: the verified current set's instances without the revoked one;
 * the document keeps the entries of exactly those members.
 */
export async function revokeInstance(
  document: AccountDocument,
  endpoint: Endpoint,
  revokedKeyId: string,
): Promise<AccountDocument> {
  const keys = await unlockWithInstance(document, endpoint);
  try {
    const current = await verifyCurrentSet(document, endpoint);
    const before = verifiedInstances(current);
    const members = before.filter((i) => i.keyId !== revokedKeyId);
    if (members.length === before.length) throw new Error(`no enrolled instance ${revokedKeyId}`);
    const signed = await signRecipientSet(document.accountId, keys.signing.privateKey, current.epoch + 1, document.dataCertDer, members);
    const instances = entriesOf(document, members);
    return { ...document, instances, recipientSet: signed };
  } finally {
    keys.rdk.fill(0);
  }
}

/** The store's current recipient set, checked against this endpoint's pinned root. */
export async function verifyCurrentSet(
  document: AccountDocument,
  endpoint: Endpoint,
): Promise<recipients.VerifiedRecipientSet> {
  if (document.accountId !== endpoint.accountId) throw new BadSignature("recipient-set: another account");
  return recipients.verifyRecipientSet(document.recipientSet, endpoint.root, await dataKeyId(document));
}
