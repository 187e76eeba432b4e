// The endpoint's reading and unlocking of a version-2 account (sections 11.1-11.3).
//
// Unlocking takes the passphrase: PDK -> signing and recovery -> RDK_g of every generation.
// The caller holds these only for the operation (section 11.2) and zeroes the RDKs. Reading a
// clip through the data key of generation g needs no passphrase: RDK_g comes from this
// instance's own wrap, and opens data backup g as it is (no KDF runs over it, section 4).

import { utf8 } from "./bytes";
import { accountRoot } from "./account";
import * as certs from "./certs";
import { type AccountDocumentV2, type DataGeneration } from "./account-v2";
import { type OpenedKey } from "./backup";
import { openBackupV2 } from "./backup-v2";
import { MalformedObject, NoRecipientKey } from "./errors";
import * as kdf from "./kdf";
import { type HeldP256Key } from "./keys";
import { canonicalPassphrase } from "./passphrase";
import { dataRdkContext, unwrapBytes } from "./wrap";

export interface UnlockedV2 {
  signing: OpenedKey;
  recovery: OpenedKey;
  /** RDK_1..RDK_n: the caller zeroes them when the operation ends. */
  rdks: Uint8Array[];
}

/** InvalidPassphrase for typos; WrongPassphrase only from the account's passphrase check. */
export async function derivePdkV2(document: AccountDocumentV2, passphrase: string): Promise<Uint8Array> {
  const pdk = await kdf.deriveKey(utf8(await canonicalPassphrase(passphrase)), document.passphrase.kdf);
  try {
    await kdf.verifyPassphraseCheck(pdk, document.accountId, document.passphrase.check);
  } catch (err) {
    pdk.fill(0);
    throw err;
  }
  return pdk;
}

/** Open data backup g with RDK_g itself (section 4: no KDF runs here). */
export async function openDataKeyV2(document: AccountDocumentV2, generation: DataGeneration, rdk: Uint8Array): Promise<OpenedKey> {
  const root = await accountRoot(document);
  const dataCert = await certs.loadCert(generation.certDer);
  await certs.verifyIssued(dataCert, root, "data");
  return openBackupV2(generation.backup, rdk, { accountId: document.accountId, role: "data", generation: generation.generation }, dataCert);
}

/** Section 11.1: passphrase -> PDK -> signing, recovery -> RDK_g of every generation, each proven. */
export async function unlockV2(document: AccountDocumentV2, passphrase: string): Promise<UnlockedV2> {
  const root = await accountRoot(document);
  const account = document.accountId;
  const pdk = await derivePdkV2(document, passphrase);
  const rdks: Uint8Array[] = [];
  try {
    const signing = await openBackupV2(document.signingBackup, pdk, { accountId: account, role: "signing", generation: 0 }, root);
    const recoveryCert = await certs.loadCert(document.recoveryCertDer);
    await certs.verifyIssued(recoveryCert, root, "recovery");
    const recovery = await openBackupV2(document.recoveryBackup, pdk, { accountId: account, role: "recovery", generation: 0 }, recoveryCert);
    for (const generation of document.dataKeys) {
      rdks.push(await unwrapBytes(recovery, generation.rdkWrappedToRecovery, dataRdkContext(account, generation.generation), "data-rdk"));
    }
    // Each RDK is proven against its own backup before anything is signed with the account.
    for (const [i, generation] of document.dataKeys.entries()) await openDataKeyV2(document, generation, rdks[i] ?? new Uint8Array());
    return { signing, recovery, rdks };
  } catch (err) {
    for (const rdk of rdks) rdk.fill(0);
    throw err;
  } finally {
    pdk.fill(0);
  }
}

/** The data key of generation g through this instance's own wrap of RDK_g (no passphrase). */
export async function readDataKeyV2(document: AccountDocumentV2, instance: HeldP256Key, generationNumber: number): Promise<OpenedKey> {
  const entry = document.instances.find((i) => i.keyId === instance.keyId);
  if (entry === undefined) throw new NoRecipientKey("this instance has no entry in the account (revoked?)");
  const generation = document.dataKeys[generationNumber - 1];
  const wrapped = entry.rdkWrapped[generationNumber - 1];
  if (generation === undefined || wrapped === undefined) throw new MalformedObject(`account: no data generation ${generationNumber}`);
  const rdk = await unwrapBytes(instance, wrapped, dataRdkContext(document.accountId, generationNumber), "data-rdk");
  try {
    return await openDataKeyV2(document, generation, rdk);
  } finally {
    rdk.fill(0);
  }
}
