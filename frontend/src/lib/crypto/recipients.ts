// The signed recipient set: the keys a device must wrap every clip key to (section 6).
// Version 2 adds the hash chain (prev_sha256), the cumulative revoked list and per-recipient
// camera scopes; version 1 sets are still read until a verifier holds a v2 set (section 6.4).

import { type Bytes, equal } from "./bytes";
import { Fields, type Json, type JsonObject, b64encode, fullMatch, hexId } from "./encoding";
import * as certs from "./certs";
import * as envelope from "./envelope";
import { BadSignature, MalformedObject, MissingDataKey, NotEnrolled, Readmitted, RolledBack, UntrustedKey } from "./errors";
import { KEY_ID_BYTES } from "./identifiers";
import * as primitives from "./primitives";
import { ALL_CAMERAS, type Cameras, type HeldSet, checkSuccession } from "./succession";

// Part of this module's interface, as before the verifier's half moved to succession.ts.
export { ALL_CAMERAS, type Cameras } from "./succession";

export const OBJECT_TYPE = "recipient-set";
export const MAX_RECIPIENTS = 64;
const MAX_CERT_BYTES = 8192;
const MAX_CAMERAS = 256;
const MAX_REVOKED = 4096;
const SHA256_BYTES = 32;
// camera_ref = device_id "/" camera_id (section 1.3): camera ids are unique per device only.
const CAMERA_REF_RE = /[0-9a-f]{32}\/[a-z0-9_-]{1,32}/;

export type RecipientRole = "data" | "instance";

export interface Recipient {
  role: RecipientRole;
  keyId: string;
  certDer: Bytes;
  /** Always "*" in a v1 set, which has no scopes. */
  cameras?: Cameras;
}

export interface RecipientSet {
  accountId: string;
  epoch: number;
  issuedAt: number;
  recipients: Recipient[];
  /** 1 or 2 (absent: 1). */
  version?: number;
  /** v2: SHA-256 of the previous set's payload; null exactly at epoch 1. */
  prevSha256?: Bytes | null;
  /** v2: every key id ever removed or retired, sorted. */
  revoked?: string[];
}

export function versionOf(set: RecipientSet): number {
  return set.version ?? envelope.PROTOCOL_VERSION;
}

export function camerasOf(recipient: Recipient): Cameras {
  return recipient.cameras ?? ALL_CAMERAS;
}

/** Section 6.4: "*" or a list naming the camera. */
export function receives(recipient: Recipient, cameraRef: string): boolean {
  const cameras = camerasOf(recipient);
  return cameras === ALL_CAMERAS || cameras.includes(cameraRef);
}

/** The key ids a clip of `cameraRef` must be wrapped to, in set order. */
export function keyIdsFor(set: RecipientSet, cameraRef: string): string[] {
  return set.recipients.filter((r) => receives(r, cameraRef)).map((r) => r.keyId);
}

export interface VerifiedRecipientSet {
  recipientSet: RecipientSet;
  envelope: envelope.SignedEnvelope;
  /** Each recipient's certified key, in set order. */
  keys: { role: RecipientRole; keyId: string; key: certs.CertifiedKey }[];
  epoch: number;
  dataKeyId: string;
  payload: Bytes;
}

export function toPayload(set: RecipientSet): JsonObject {
  const version = versionOf(set);
  const v2 = version === envelope.TRUST_CORE_VERSION;
  const payload: JsonObject = {
    v: version,
    type: OBJECT_TYPE,
    account_id: set.accountId,
    epoch: set.epoch,
    issued_at: set.issuedAt,
    recipients: set.recipients.map((r) => {
      const entry: JsonObject = { role: r.role, key_id: r.keyId, cert: b64encode(r.certDer) };
      if (v2) {
        const cameras = camerasOf(r);
        entry["cameras"] = cameras === ALL_CAMERAS ? ALL_CAMERAS : [...cameras];
      }
      return entry;
    }),
  };
  if (v2) {
    payload["prev_sha256"] = set.prevSha256 === null || set.prevSha256 === undefined ? null : b64encode(set.prevSha256);
    payload["revoked"] = [...(set.revoked ?? [])];
  }
  return payload;
}

function strictlyIncreasing(items: readonly string[]): boolean {
  return items.every((item, i) => i === 0 || (items[i - 1] ?? "") < item);
}

/** Section 6.1's v2 rules: chain field, scopes, revoked list, no revoked recipient. */
function checkV2Structure(set: RecipientSet): void {
  const revoked = set.revoked ?? [];
  if ((set.epoch === 1) !== (set.prevSha256 === null || set.prevSha256 === undefined)) {
    throw new MalformedObject("recipient-set: prev_sha256 is null exactly at epoch 1");
  }
  if (revoked.length > MAX_REVOKED || !strictlyIncreasing(revoked)) {
    throw new MalformedObject("recipient-set: revoked not sorted, unique and bounded");
  }
  for (const r of set.recipients) {
    const cameras = camerasOf(r);
    if (cameras === ALL_CAMERAS) continue;
    if (r.role === "data") throw new MalformedObject("recipient-set: the data key receives every camera");
    if (cameras.length < 1 || cameras.length > MAX_CAMERAS) {
      throw new MalformedObject("recipient-set: cameras is '*' or 1 to 256 camera refs");
    }
    if (!strictlyIncreasing(cameras) || !cameras.every((c) => fullMatch(CAMERA_REF_RE, c))) {
      throw new MalformedObject("recipient-set: camera refs malformed or not sorted");
    }
  }
  const listed = set.recipients.filter((r) => revoked.includes(r.keyId)).map((r) => r.keyId);
  if (listed.length > 0) throw new Readmitted(`recipient-set: revoked keys listed as recipients: ${listed.join(", ")}`);
}

/** Sorted by key_id without duplicates, at most 64, exactly one data entry. */
function checkStructure(recipients: readonly Recipient[]): void {
  if (recipients.length > MAX_RECIPIENTS) {
    throw new MalformedObject(`recipient-set: more than ${MAX_RECIPIENTS} recipients`);
  }
  // Strictly increasing key_ids mean sorted and duplicate-free, so one set has one encoding.
  for (let i = 1; i < recipients.length; i++) {
    if ((recipients[i - 1]?.keyId ?? "") >= (recipients[i]?.keyId ?? "")) {
      throw new MalformedObject("recipient-set: recipients not sorted by unique key_id");
    }
  }
  const dataEntries = recipients.filter((r) => r.role === "data").length;
  if (dataEntries === 0) throw new MissingDataKey("recipient-set: no data key");
  if (dataEntries > 1) throw new MalformedObject("recipient-set: more than one data key");
}

/** A set with its recipients sorted by key_id, checked against section 6's structure. */
export function buildRecipientSet(
  accountId: string,
  epoch: number,
  issuedAt: number,
  recipients: readonly Recipient[],
): RecipientSet {
  if (epoch < 1 || issuedAt < 0) throw new Error("epoch must be >= 1 and issued_at >= 0");
  const ordered = [...recipients].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
  checkStructure(ordered);
  return { accountId, epoch, issuedAt, recipients: ordered };
}

/** Sign a set with the account signing key (an RSA-PSS private key). */
export async function signRecipientSet(
  set: RecipientSet,
  signingKey: CryptoKey,
): Promise<envelope.SignedEnvelope> {
  checkStructure(set.recipients);
  return envelope.sign(OBJECT_TYPE, toPayload(set), signingKey, set.accountId);
}

function parseCameras(raw: Json, where: string): Cameras {
  if (raw === ALL_CAMERAS) return ALL_CAMERAS;
  if (!Array.isArray(raw) || !raw.every((c) => typeof c === "string")) {
    throw new MalformedObject(`${where}.cameras: expected '*' or a list of camera refs`);
  }
  return raw as string[];
}

function parseRecipient(item: Json | undefined, index: number, version: number): Recipient {
  const where = `recipient-set.recipients[${index}]`;
  const fields = new Fields(item, where);
  const role = fields.str("role", { maxLen: 16 });
  if (role !== "data" && role !== "instance") {
    throw new MalformedObject(`${where}.role: ${JSON.stringify(role)}`);
  }
  const recipient: Recipient = {
    role,
    keyId: fields.hex("key_id", KEY_ID_BYTES),
    certDer: fields.bytes("cert", { maxLen: MAX_CERT_BYTES }),
  };
  if (version === envelope.TRUST_CORE_VERSION) recipient.cameras = parseCameras(fields.raw("cameras"), where);
  fields.done();
  return recipient;
}

function parse(payload: JsonObject): RecipientSet {
  const fields = new Fields(payload, OBJECT_TYPE);
  const version = fields.int("v", envelope.PROTOCOL_VERSION, envelope.TRUST_CORE_VERSION);
  fields.str("type");
  const accountId = fields.hex("account_id", KEY_ID_BYTES);
  const epoch = fields.int("epoch", 1);
  const issuedAt = fields.int("issued_at");
  const items = fields.list("recipients", MAX_RECIPIENTS);
  const set: RecipientSet = { accountId, epoch, issuedAt, recipients: [], version };
  if (version === envelope.TRUST_CORE_VERSION) {
    set.prevSha256 = fields.raw("prev_sha256") === null ? null : fields.bytes("prev_sha256", { length: SHA256_BYTES });
    set.revoked = fields.list("revoked", MAX_REVOKED).map((r) => hexId(r, "recipient-set.revoked", KEY_ID_BYTES));
  }
  fields.done();
  set.recipients = items.map((item, i) => parseRecipient(item, i, version));
  return set;
}

async function verifyRecipientCert(recipient: Recipient, root: certs.Cert) {
  // Rule 3: the certificate chains to the root for its role and names the listed key_id.
  const cert = await certs.loadCert(recipient.certDer);
  const key = await certs.verifyIssued(cert, root, recipient.role);
  if (key.keyId !== recipient.keyId) {
    throw new UntrustedKey(`recipient ${recipient.keyId}: key_id differs from its certificate`);
  }
  return { role: recipient.role, keyId: recipient.keyId, key };
}

/**
 * Section 6 rules 1, 3 and 4 against the pinned root (rule 2 is checkEpoch, against state).
 * `pinnedDataKeyId` is null only where nothing is pinned yet.
 */
export async function verifyRecipientSet(
  signed: envelope.SignedEnvelope,
  root: certs.Cert,
  pinnedDataKeyId: string | null,
): Promise<VerifiedRecipientSet> {
  const rootKey = await certs.verifyRoot(root);
  const accountId = rootKey.keyId;
  const payload = await envelope.verify(OBJECT_TYPE, signed, await rootVerifyKey(rootKey), [
    envelope.PROTOCOL_VERSION,
    envelope.TRUST_CORE_VERSION,
  ]);
  const set = parse(payload);
  if (set.accountId !== accountId) throw new BadSignature("recipient-set: account_id is not the pinned account");
  checkStructure(set.recipients);
  if (versionOf(set) === envelope.TRUST_CORE_VERSION) checkV2Structure(set);
  // Rule 4 before rule 3: cheap, and the store must not drop or swap the path to old clips.
  const data = set.recipients.find((r) => r.role === "data");
  if (data === undefined) throw new MissingDataKey("recipient-set: no data key");
  // v1 only: the data key pinned at pairing. A v2 set may rotate it (section 6.2 rule 6): the
  // new key is trusted because it chains to the root in a set the root signed.
  if (versionOf(set) === envelope.PROTOCOL_VERSION && pinnedDataKeyId !== null && data.keyId !== pinnedDataKeyId) {
    throw new MissingDataKey("recipient-set: data key differs from the one pinned at pairing");
  }
  const keys = [];
  for (const recipient of set.recipients) keys.push(await verifyRecipientCert(recipient, root));
  return { recipientSet: set, envelope: signed, keys, epoch: set.epoch, dataKeyId: data.keyId, payload: signed.payload };
}

/** The RSA-PSS verification key of a verified root. */
export async function rootVerifyKey(rootKey: certs.CertifiedKey): Promise<CryptoKey> {
  return primitives.rsaPublicFromSpki(rootKey.spki, "pss");
}

/**
 * Rule 2: refuse an older set, or another set under the highest epoch (RolledBack). True when
 * the set advances the epoch: the caller MUST persist the new epoch and payload before use.
 */
export function checkEpoch(
  set: VerifiedRecipientSet,
  highestEpoch: number | null,
  highestPayload: Uint8Array | null,
): boolean {
  if (highestEpoch === null) {
    if (highestPayload !== null) throw new Error("a stored payload needs its epoch");
    return true;
  }
  if (set.epoch < highestEpoch) throw new RolledBack(`recipient-set epoch ${set.epoch} < accepted ${highestEpoch}`);
  if (set.epoch === highestEpoch) {
    // Without the stored bytes, equality cannot be shown, so the safe answer is refusal.
    if (highestPayload === null || !equal(set.payload, highestPayload)) {
      throw new RolledBack(`recipient-set epoch ${set.epoch} reused for other content`);
    }
    return false;
  }
  return true;
}

export async function heldSetOf(set: VerifiedRecipientSet): Promise<HeldSet> {
  return {
    epoch: set.epoch,
    payloadSha256: await primitives.sha256(set.payload),
    version: versionOf(set.recipientSet),
    revoked: [...(set.recipientSet.revoked ?? [])],
  };
}

/** checkSuccession for a verified set. */
export async function checkSetSuccession(next: VerifiedRecipientSet, held: HeldSet | null): Promise<boolean> {
  return checkSuccession({ ...(await heldSetOf(next)), prevSha256: next.recipientSet.prevSha256 ?? null }, held);
}

/** Section 6.5: an endpoint not listed in a verified set must not grant, sign or read. */
export function checkOwnMembership(set: VerifiedRecipientSet, instanceKeyId: string): void {
  if (!set.keys.some((k) => k.role === "instance" && k.keyId === instanceKeyId)) {
    throw new NotEnrolled("this endpoint's instance key is not in the recipient set (revoked?)");
  }
}

/**
 * Section 6.3: the next v2 set, derived from the verified current set and nothing else:
 * epoch + 1, prev_sha256 = SHA-256(current payload), `remove` revoked, `data` (a rotation)
 * replacing the data key, whose old id joins `revoked` so no later set can wrap to it again.
 */
export async function nextRecipientSet(
  current: VerifiedRecipientSet,
  issuedAt: number,
  change: { add?: readonly Recipient[]; remove?: readonly string[]; data?: Recipient },
): Promise<RecipientSet> {
  const removed = new Set(change.remove ?? []);
  const recipientsNow = current.recipientSet.recipients;
  if (recipientsNow.some((r) => r.role === "data" && removed.has(r.keyId))) throw new Error("the data key leaves a set only by rotation");
  const kept = recipientsNow.filter((r) => !removed.has(r.keyId));
  if (kept.length !== recipientsNow.length - removed.size) throw new Error("can only remove keys the current set lists");
  const revoked = new Set([...(current.recipientSet.revoked ?? []), ...removed]);
  let members = kept.map((r) => ({ ...r, cameras: camerasOf(r) }));
  if (change.data !== undefined) {
    revoked.add(current.dataKeyId);
    members = [...members.filter((r) => r.role !== "data"), { ...change.data, cameras: ALL_CAMERAS }];
  }
  members = [...members, ...(change.add ?? []).map((r) => ({ ...r, cameras: camerasOf(r) }))];
  const ordered = members.sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
  checkStructure(ordered);
  const set: RecipientSet = {
    accountId: current.recipientSet.accountId,
    epoch: current.epoch + 1,
    issuedAt,
    recipients: ordered,
    version: envelope.TRUST_CORE_VERSION,
    prevSha256: await primitives.sha256(current.payload),
    revoked: [...revoked].sort(),
  };
  checkV2Structure(set);
  return set;
}

/** The first v2 set of a new account (section 11.3 "Create"): prev null, revoked []. */
export function firstRecipientSetV2(accountId: string, issuedAt: number, members: readonly Recipient[]): RecipientSet {
  const ordered = members.map((r) => ({ ...r, cameras: camerasOf(r) })).sort((a, b) => (a.keyId < b.keyId ? -1 : 1));
  checkStructure(ordered);
  const set: RecipientSet = { accountId, epoch: 1, issuedAt, recipients: ordered, version: envelope.TRUST_CORE_VERSION, prevSha256: null, revoked: [] };
  checkV2Structure(set);
  return set;
}
