// Version-2 key backups (sections 4 and 11.1): PKCS#12 under a key already proven good, with a
// check bound to its slot (account, role, generation) and no KDF parameters.
//
// Signing and recovery open with the account's PDK (proven by the passphrase check), data
// generation g with RDK_g itself (proven by its authenticated unwrap). So every failure here is
// BackupMismatch, never WrongPassphrase: a store that swaps a backup cannot make a correct
// passphrase look wrong, nor spend the user's passphrase back-off.

import { type Bytes } from "./bytes";
import type * as certs from "./certs";
import { Fields, type Json } from "./encoding";
import { TRUST_CORE_VERSION } from "./envelope";
import { BackupMismatch, MalformedObject } from "./errors";
import { KEY_ID_RE } from "./identifiers";
import * as kdf from "./kdf";
import { BACKUP_ROLES, BACKUP_TYPE, type BackupRole, type OpenedKey, openP12 } from "./backup";

export const MAX_GENERATION = 64;
const CHECK_BYTES = 32;
const MAX_P12_BYTES = 64 * 1024;

export interface KeyBackupV2 {
  role: BackupRole;
  /** 0 for signing and recovery, g >= 1 for data generation g. */
  generation: number;
  accountId: string;
  check: Bytes;
  p12: Bytes;
}

export function backupV2FromJson(document: Json | undefined): KeyBackupV2 {
  const fields = new Fields(document, BACKUP_TYPE);
  fields.versionAndType(BACKUP_TYPE, TRUST_CORE_VERSION);
  const role = fields.str("role", { maxLen: 16 });
  if (!(BACKUP_ROLES as readonly string[]).includes(role)) {
    throw new MalformedObject(`${BACKUP_TYPE}.role: unknown role ${JSON.stringify(role)}`);
  }
  const backup: KeyBackupV2 = {
    role: role as BackupRole,
    generation: fields.int("generation", 0, MAX_GENERATION),
    accountId: fields.str("account_id", { pattern: KEY_ID_RE }),
    check: fields.bytes("check", { length: CHECK_BYTES }),
    p12: fields.bytes("p12", { maxLen: MAX_P12_BYTES }),
  };
  fields.done();
  return backup;
}

/** Open the backup filed in slot (role, generation) with a key already proven good. */
export async function openBackupV2(
  backup: KeyBackupV2,
  key: Uint8Array,
  slot: { accountId: string; role: BackupRole; generation: number },
  expectedCert: certs.Cert,
): Promise<OpenedKey> {
  if (backup.accountId !== slot.accountId || backup.role !== slot.role || backup.generation !== slot.generation) {
    throw new BackupMismatch(`${slot.role} backup ${slot.generation} is filed in the wrong slot`);
  }
  if (!(await kdf.keyCheckV2Matches(key, slot.accountId, slot.role, slot.generation, backup.check))) {
    throw new BackupMismatch(`${slot.role} backup ${slot.generation} is not this account's`);
  }
  return openP12(slot.role, backup.p12, key, expectedCert);
}
