// The endpoint operations the panel needs from the crypto layer, as one interface.
//
// The account operations (create, enrol, unlock, revoke) and pairing (open a request, make a
// grant) are implemented in src/lib/crypto/ (account.ts, endpoint.ts, pairing.ts, backup.ts);
// wire.ts adapts them to this interface and registers it. Until it is registered, every call
// fails with OperationUnavailable, which the screens show as such instead of crashing.

import { type JsonObject } from "../crypto/encoding";
import { type HeldKey, type HeldP256Key } from "../crypto/keys";

/** What an enrolled browser keeps (see keystore): the pinned root and its instance key. */
export interface EnrolledEndpoint {
  accountId: string;
  rootCertDer: Uint8Array;
  instance: HeldP256Key;
}

export type CreateStep = "keys" | "passphrase-key" | "random-key" | "certificates" | "backups" | "recipients";

export interface CreatedAccount {
  /** The whole account document (protocol section 11), sent in one account/create call. */
  document: JsonObject;
  endpoint: EnrolledEndpoint;
}

export interface OpenedPairingRequest {
  sessionId: string;
  /** The key id of the device key in the MACed CSR: the device_id its manifests carry. */
  deviceId: string;
  agentName: string;
  cameras: Array<{ cameraId: string; name: string }>;
  expiresAt: number;
}

/** A recipient set verified against the pinned root: what the Devices list and the checks use. */
export interface VerifiedSetSummary {
  epoch: number;
  issuedAt: number;
  /** Hex SHA-256 of the set's exact payload bytes (the high-water mark's second half). */
  payloadSha256: string;
  /** 1 or 2; v2 sets chain (prevSha256, hex or null) and carry the cumulative revoked list. */
  version: number;
  prevSha256: string | null;
  revoked: string[];
  members: Array<{ role: "data" | "instance"; keyId: string; cameras: "*" | string[] }>;
}

/** A document to send the store, and which update it is (account/revoke or account/migrate). */
export interface UpdatedAccount {
  document: JsonObject;
  change: "revoke" | "migrate";
}

export interface AccountOps {
  /** A version-2 account: every key, the backups, recipient set epoch 1; nothing leaves the browser. */
  createAccount(passphrase: string, progress: (step: CreateStep) => void): Promise<CreatedAccount>;
  /** Open the backups with the passphrase (WrongPassphrase if it is not this account's). */
  enrolWithPassphrase(document: unknown, passphrase: string): Promise<CreatedAccount>;
  /**
   * A new document whose recipient set (epoch + 1) no longer names `keyId`, signed with the
   * passphrase (section 11.2). v2: the data key rotates (account/revoke). v1: the account is
   * migrated to v2 without that browser (account/migrate, section 17).
   */
  revokeInstance(document: unknown, endpoint: EnrolledEndpoint, keyId: string, passphrase: string): Promise<UpdatedAccount>;
  /** Section 17: the v1 account's v2 successor (account/migrate), no browser dropped. */
  migrateAccount(document: unknown, endpoint: EnrolledEndpoint, passphrase: string): Promise<JsonObject>;
  /** The document's current recipient set, verified against this browser's pinned root. */
  verifiedSet(document: unknown, endpoint: EnrolledEndpoint): Promise<VerifiedSetSummary>;
  /**
   * The account data key, for clips made before this browser was enrolled. A v2 account has a
   * generation per rotation: the one whose key id is among `wrappedKeyIds` (a clip's wraps).
   */
  openDataKey(document: unknown, endpoint: EnrolledEndpoint, wrappedKeyIds?: readonly string[]): Promise<HeldKey>;
  /** hex(k_session-id) of a typed code (section 8.2): finds the relayed request. */
  pairingSessionId(typedCode: string): Promise<string>;
  /** Verify a relayed request with the typed code (PairingMacMismatch, PairingExpired, ...). */
  openPairingRequest(request: unknown, typedCode: string, nowSeconds: number): Promise<OpenedPairingRequest>;
  /** The MACed grant (section 8.4): device certificate, root, current set (v2: needs the passphrase). */
  makePairingGrant(
    document: unknown,
    endpoint: EnrolledEndpoint,
    request: unknown,
    typedCode: string,
    nowSeconds: number,
    passphrase: string,
  ): Promise<JsonObject>;
}

export class OperationUnavailable extends Error {
  override name = "OperationUnavailable";
}

let registered: AccountOps | null = null;

export function registerAccountOps(ops: AccountOps): void {
  registered = ops;
}

export function accountOps(): AccountOps {
  if (registered === null) throw new OperationUnavailable("this build does not include the account operations yet");
  return registered;
}
