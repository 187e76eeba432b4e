// The signed recipient set: the keys a device must wrap every clip key to (section 6).

import { type Bytes, equal } from "./bytes";
import { Fields, type Json, type JsonObject, b64encode } from "./encoding";
import * as certs from "./certs";
import * as envelope from "./envelope";
import { BadSignature, MalformedObject, MissingDataKey, RolledBack, UntrustedKey } from "./errors";
import { KEY_ID_BYTES } from "./identifiers";
import * as primitives from "./primitives";

export const OBJECT_TYPE = "recipient-set";
export const MAX_RECIPIENTS = 64;
const MAX_CERT_BYTES = 8192;

export type RecipientRole = "data" | "instance";

export interface Recipient {
  role: RecipientRole;
  keyId: string;
  certDer: Bytes;
}

export interface RecipientSet {
  accountId: string;
  epoch: number;
  issuedAt: number;
  recipients: Recipient[];
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
  return {
    v: envelope.PROTOCOL_VERSION,
    type: OBJECT_TYPE,
    account_id: set.accountId,
    epoch: set.epoch,
    issued_at: set.issuedAt,
    recipients: set.recipients.map((r) => ({ role: r.role, key_id: r.keyId, cert: b64encode(r.certDer) })),
  };
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

function parseRecipient(item: Json | undefined, index: number): Recipient {
  const fields = new Fields(item, `recipient-set.recipients[${index}]`);
  const role = fields.str("role", { maxLen: 16 });
  if (role !== "data" && role !== "instance") {
    throw new MalformedObject(`recipient-set.recipients[${index}].role: ${JSON.stringify(role)}`);
  }
  const recipient = {
    role,
    keyId: fields.hex("key_id", KEY_ID_BYTES),
    certDer: fields.bytes("cert", { maxLen: MAX_CERT_BYTES }),
  } satisfies Recipient;
  fields.done();
  return recipient;
}

function parse(payload: JsonObject): RecipientSet {
  const fields = new Fields(payload, OBJECT_TYPE);
  fields.int("v", envelope.PROTOCOL_VERSION, envelope.PROTOCOL_VERSION);
  fields.str("type");
  const accountId = fields.hex("account_id", KEY_ID_BYTES);
  const epoch = fields.int("epoch", 1);
  const issuedAt = fields.int("issued_at");
  const items = fields.list("recipients", MAX_RECIPIENTS);
  fields.done();
  return { accountId, epoch, issuedAt, recipients: items.map(parseRecipient) };
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
  const payload = await envelope.verify(OBJECT_TYPE, signed, await rootVerifyKey(rootKey));
  const set = parse(payload);
  if (set.accountId !== accountId) throw new BadSignature("recipient-set: account_id is not the pinned account");
  checkStructure(set.recipients);
  // Rule 4 before rule 3: cheap, and the store must not drop or swap the path to old clips.
  const data = set.recipients.find((r) => r.role === "data");
  if (data === undefined) throw new MissingDataKey("recipient-set: no data key");
  if (pinnedDataKeyId !== null && data.keyId !== pinnedDataKeyId) {
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
