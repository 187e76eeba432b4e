// The account document the store keeps (section 11) and its strict JSON form (account.py).
//
// Everything in it is public or sealed: certificates, PKCS#12 backups under derived keys the
// store never sees, keys wrapped to recipients, and the current signed recipient set. The
// operations that create and change it live in endpoint.ts.

import { type Bytes } from "./bytes";
import { type KeyBackup, BACKUP_ROLES, type BackupRole, backupFromJson, backupToJson } from "./backup";
import * as certs from "./certs";
import { Fields, type Json, type JsonObject, b64encode } from "./encoding";
import * as envelope from "./envelope";
import { MalformedObject, UntrustedKey } from "./errors";
import { KEY_ID_RE } from "./identifiers";
import { type WrappedKey, wrappedFromJson, wrappedToJson } from "./wrap";

export const ACCOUNT_TYPE = "account";
export const MAX_INSTANCES = 63; // a recipient set holds 64 keys: the data key and 63 instances
const MAX_CERT_BYTES = 8192;

/** One enrolled endpoint: its certificate and the PDK and RDK wrapped to its key. */
export interface InstanceEntry {
  keyId: string;
  certDer: Bytes;
  pdkWrapped: WrappedKey;
  rdkWrapped: WrappedKey;
}

export interface AccountDocument {
  accountId: string;
  rootCertDer: Bytes;
  recoveryCertDer: Bytes;
  dataCertDer: Bytes;
  backups: Record<BackupRole, KeyBackup>;
  rdkWrappedToRecovery: WrappedKey;
  instances: InstanceEntry[];
  recipientSet: envelope.SignedEnvelope;
}

function instanceToJson(entry: InstanceEntry): JsonObject {
  return {
    key_id: entry.keyId,
    cert: b64encode(entry.certDer),
    pdk_wrapped: wrappedToJson(entry.pdkWrapped),
    rdk_wrapped: wrappedToJson(entry.rdkWrapped),
  };
}

function instanceFromJson(document: Json | undefined): InstanceEntry {
  const fields = new Fields(document, "instance");
  const entry = {
    keyId: fields.str("key_id", { pattern: KEY_ID_RE }),
    certDer: fields.bytes("cert", { maxLen: MAX_CERT_BYTES }),
    pdkWrapped: wrappedFromJson(fields.raw("pdk_wrapped")),
    rdkWrapped: wrappedFromJson(fields.raw("rdk_wrapped")),
  };
  fields.done();
  return entry;
}

/** The document as Python's AccountDocument.to_json writes it (dumps sorts the keys). */
export function accountToJson(account: AccountDocument): JsonObject {
  const backups: JsonObject = {};
  for (const role of BACKUP_ROLES) backups[role] = backupToJson(account.backups[role]);
  return {
    v: envelope.PROTOCOL_VERSION,
    type: ACCOUNT_TYPE,
    account_id: account.accountId,
    root_cert: b64encode(account.rootCertDer),
    recovery_cert: b64encode(account.recoveryCertDer),
    data_cert: b64encode(account.dataCertDer),
    backups,
    rdk_wrapped_to_recovery: wrappedToJson(account.rdkWrappedToRecovery),
    instances: account.instances.map(instanceToJson),
    recipient_set: envelope.signedToJson(account.recipientSet),
  };
}

/** Parse exhaustively, in Python's order, so both implementations name the same failure. */
export function accountFromJson(document: Json | undefined): AccountDocument {
  const fields = new Fields(document, ACCOUNT_TYPE);
  fields.versionAndType(ACCOUNT_TYPE, envelope.PROTOCOL_VERSION);
  const accountId = fields.str("account_id", { pattern: KEY_ID_RE });
  const backupFields = fields.obj("backups");
  const backups = {} as Record<BackupRole, KeyBackup>;
  for (const role of BACKUP_ROLES) backups[role] = backupFromJson(backupFields.raw(role));
  backupFields.done();
  for (const role of BACKUP_ROLES) {
    if (backups[role].role !== role || backups[role].accountId !== accountId) {
      throw new MalformedObject(`account: backup ${role} is filed under the wrong name`);
    }
  }
  const instances = fields.list("instances", MAX_INSTANCES).map(instanceFromJson);
  if (new Set(instances.map((i) => i.keyId)).size !== instances.length) {
    throw new MalformedObject("account: duplicate instance");
  }
  const account = {
    accountId,
    rootCertDer: fields.bytes("root_cert", { maxLen: MAX_CERT_BYTES }),
    recoveryCertDer: fields.bytes("recovery_cert", { maxLen: MAX_CERT_BYTES }),
    dataCertDer: fields.bytes("data_cert", { maxLen: MAX_CERT_BYTES }),
    backups,
    rdkWrappedToRecovery: wrappedFromJson(fields.raw("rdk_wrapped_to_recovery")),
    instances,
    recipientSet: envelope.signedFromJson(fields.raw("recipient_set")),
  };
  fields.done();
  return account;
}

/**
 * The root, checked to be a valid self-signed root whose key_id is this account_id. Both
 * document versions pin the root the same way, so this serves v1 and v2 documents alike.
 */
export async function accountRoot(
  account: Pick<AccountDocument, "accountId" | "rootCertDer">,
): Promise<certs.Cert> {
  const root = await certs.loadCert(account.rootCertDer);
  if ((await certs.verifyRoot(root)).keyId !== account.accountId) {
    throw new UntrustedKey("account: root certificate is not this account's");
  }
  return root;
}
