// The version-2 account document (section 11.1): data-key generations, no PDK wraps.
//
// Everything in it is public or sealed. Instance entries carry the RDK of every data-key
// generation (reading) and nothing that reaches the signing key: authority needs the passphrase.

import { type Bytes } from "./bytes";
import { Fields, type Json, type JsonObject, b64encode } from "./encoding";
import * as envelope from "./envelope";
import { MalformedObject } from "./errors";
import { KEY_ID_RE } from "./identifiers";
import * as kdf from "./kdf";
import { MAX_GENERATION, type KeyBackupV2, backupV2FromJson } from "./backup-v2";
import { type WrappedKey, wrappedFromJson, wrappedToJson } from "./wrap";

const ACCOUNT_TYPE = "account";
const MAX_INSTANCES = 63;
const MAX_CERT_BYTES = 8192;
const CHECK_BYTES = 32;

/** Data key generation g: its certificate, backup under RDK_g, RDK_g for the recovery key. */
export interface DataGeneration {
  generation: number;
  certDer: Bytes;
  backup: KeyBackupV2;
  rdkWrappedToRecovery: WrappedKey;
}

/** One enrolled endpoint: its certificate and RDK_1..RDK_n wrapped to its key. */
export interface InstanceEntryV2 {
  keyId: string;
  certDer: Bytes;
  rdkWrapped: WrappedKey[];
}

export interface AccountDocumentV2 {
  accountId: string;
  rootCertDer: Bytes;
  recoveryCertDer: Bytes;
  passphrase: { kdf: kdf.KdfParams; check: Bytes };
  signingBackup: KeyBackupV2;
  recoveryBackup: KeyBackupV2;
  dataKeys: DataGeneration[];
  instances: InstanceEntryV2[];
  recipientSet: envelope.SignedEnvelope;
}

function generationFromJson(document: Json | undefined, expected: number): DataGeneration {
  const fields = new Fields(document, `data_keys[${expected}]`);
  const entry: DataGeneration = {
    generation: fields.int("generation", 1, MAX_GENERATION),
    certDer: fields.bytes("cert", { maxLen: MAX_CERT_BYTES }),
    backup: backupV2FromJson(fields.raw("backup")),
    rdkWrappedToRecovery: wrappedFromJson(fields.raw("rdk_wrapped_to_recovery")),
  };
  fields.done();
  if (entry.generation !== expected) throw new MalformedObject("account: data_keys are not generations 1..n in order");
  if (entry.backup.role !== "data" || entry.backup.generation !== expected) {
    throw new MalformedObject("account: a data backup is filed under the wrong generation");
  }
  return entry;
}

function instanceFromJson(document: Json | undefined, generations: number): InstanceEntryV2 {
  const fields = new Fields(document, "instance");
  const entry: InstanceEntryV2 = {
    keyId: fields.str("key_id", { pattern: KEY_ID_RE }),
    certDer: fields.bytes("cert", { maxLen: MAX_CERT_BYTES }),
    rdkWrapped: fields.list("rdk_wrapped", MAX_GENERATION).map((w) => wrappedFromJson(w)),
  };
  // A v2 entry has no pdk_wrapped: done() refuses it as an unknown field (authority needs the passphrase).
  fields.done();
  if (entry.rdkWrapped.length !== generations || entry.rdkWrapped.some((w) => w.keyId !== entry.keyId)) {
    throw new MalformedObject("account: an instance needs one RDK wrap per generation");
  }
  return entry;
}

/** Parse a v2 account document exhaustively (version and type first, section 1.1). */
export function accountV2FromJson(document: Json | undefined): AccountDocumentV2 {
  const fields = new Fields(document, ACCOUNT_TYPE);
  fields.versionAndType(ACCOUNT_TYPE, envelope.TRUST_CORE_VERSION);
  const accountId = fields.str("account_id", { pattern: KEY_ID_RE });
  const backups = fields.obj("backups");
  const signingBackup = backupV2FromJson(backups.raw("signing"));
  const recoveryBackup = backupV2FromJson(backups.raw("recovery"));
  backups.done();
  const rawGenerations = fields.list("data_keys", MAX_GENERATION);
  if (rawGenerations.length === 0) throw new MalformedObject("account: no data key");
  const dataKeys = rawGenerations.map((item, i) => generationFromJson(item, i + 1));
  const instances = fields.list("instances", MAX_INSTANCES).map((item) => instanceFromJson(item, dataKeys.length));
  if (new Set(instances.map((i) => i.keyId)).size !== instances.length) throw new MalformedObject("account: duplicate instance");
  const passphraseFields = fields.obj("passphrase");
  const passphrase = { kdf: kdf.paramsFromJson(passphraseFields.raw("kdf")), check: passphraseFields.bytes("check", { length: CHECK_BYTES }) };
  passphraseFields.done();
  const account: AccountDocumentV2 = {
    accountId,
    rootCertDer: fields.bytes("root_cert", { maxLen: MAX_CERT_BYTES }),
    recoveryCertDer: fields.bytes("recovery_cert", { maxLen: MAX_CERT_BYTES }),
    passphrase,
    signingBackup,
    recoveryBackup,
    dataKeys,
    instances,
    recipientSet: envelope.signedFromJson(fields.raw("recipient_set")),
  };
  fields.done();
  return account;
}

function backupV2ToJson(backup: KeyBackupV2): JsonObject {
  return {
    v: envelope.TRUST_CORE_VERSION,
    type: "key-backup",
    role: backup.role,
    generation: backup.generation,
    account_id: backup.accountId,
    check: b64encode(backup.check),
    p12: b64encode(backup.p12),
  };
}

/** The document as the store keeps it (accountV2FromJson's inverse). */
export function accountV2ToJson(account: AccountDocumentV2): JsonObject {
  return {
    v: envelope.TRUST_CORE_VERSION,
    type: ACCOUNT_TYPE,
    account_id: account.accountId,
    root_cert: b64encode(account.rootCertDer),
    recovery_cert: b64encode(account.recoveryCertDer),
    passphrase: { kdf: kdf.paramsToJson(account.passphrase.kdf), check: b64encode(account.passphrase.check) },
    backups: { signing: backupV2ToJson(account.signingBackup), recovery: backupV2ToJson(account.recoveryBackup) },
    data_keys: account.dataKeys.map((g) => ({
      generation: g.generation,
      cert: b64encode(g.certDer),
      backup: backupV2ToJson(g.backup),
      rdk_wrapped_to_recovery: wrappedToJson(g.rdkWrappedToRecovery),
    })),
    instances: account.instances.map((i) => ({ key_id: i.keyId, cert: b64encode(i.certDer), rdk_wrapped: i.rdkWrapped.map(wrappedToJson) })),
    recipient_set: envelope.signedToJson(account.recipientSet),
  };
}
