// The account and pairing operations the panel needs (account-ops.ts), made of the crypto layer.
//
// Each operation parses the store's account document with the crypto layer's strict parser
// (account.ts accountFromJson, Python's AccountDocument.from_json), runs the endpoint
// operation (endpoint.ts, pairing.ts) and hands back the new document as accountToJson writes
// it (Python's to_json). The store is not trusted: every document is checked against the root
// this browser pinned at enrolment before any key it names is used. wire.ts registers them.

import { type AccountDocument, accountFromJson, accountToJson } from "../crypto/account";
import { b64encode, isObject, type Json, type JsonObject } from "../crypto/encoding";
import * as certs from "../crypto/certs";
import * as endpointOps from "../crypto/endpoint";
import { macedFromJson, macedToJson } from "../crypto/envelope";
import { MalformedObject, NoRecipientKey, UntrustedKey } from "../crypto/errors";
import { type AccountDocumentV2, accountV2FromJson, accountV2ToJson } from "../crypto/account-v2";
import { createAccountV2, enrolSelfV2, migrateV1, revokeV2 } from "../crypto/account-build-v2";
import * as recipients from "../crypto/recipients";
import { equal } from "../crypto/bytes";
import { readDataKeyV2, unlockV2 } from "../crypto/endpoint-v2";
import { TRUST_CORE_VERSION } from "../crypto/envelope";
import { type HeldKey } from "../crypto/keys";
import * as pairing from "../crypto/pairing";
import { toHex } from "../crypto/bytes";
import * as primitives from "../crypto/primitives";
import { type AccountOps, type CreatedAccount, type EnrolledEndpoint, type UpdatedAccount, type VerifiedSetSummary } from "./account-ops";
import { pairingCodeFromInput } from "./pairing-code";

/** A typed pairing code that is not 20 characters of the code alphabet (a typo, not a wrong code). */
export class InvalidPairingCode extends Error {
  override name = "InvalidPairingCode";
}

function parseDocument(document: unknown): AccountDocument {
  if (!isObject(document)) throw new MalformedObject("account: the store sent no account document");
  return accountFromJson(document as Json);
}

function parseRequest(request: unknown) {
  return macedFromJson(request as Json);
}

function created(result: { document: AccountDocument; endpoint: endpointOps.Endpoint }): CreatedAccount {
  return {
    document: accountToJson(result.document),
    endpoint: {
      accountId: result.endpoint.accountId,
      rootCertDer: result.endpoint.root.der,
      instance: result.endpoint.instanceKey,
    },
  };
}

/** The crypto layer's view of an enrolled browser: the pinned root, loaded (and checked) once. */
async function toEndpoint(enrolled: EnrolledEndpoint): Promise<endpointOps.Endpoint> {
  const root = await certs.loadCert(enrolled.rootCertDer);
  return { accountId: enrolled.accountId, root, instanceKey: enrolled.instance };
}

/** The typed code with any `e2ee-nvr-pair:` prefix dropped, checked: InvalidPairingCode if not a code. */
function checkedCode(typed: string): string {
  const code = pairingCodeFromInput(typed);
  try {
    return pairing.normaliseCode(code);
  } catch (err) {
    if (err instanceof MalformedObject) throw new InvalidPairingCode(err.message);
    throw err;
  }
}

// The account data key, for this page's lifetime only: never persisted, dropped on reload.
// One entry, keyed by everything it depends on, so another account or enrolment never reuses it.
let dataKeyCache: { key: string; value: Promise<HeldKey> } | null = null;

export function forgetDataKey(): void {
  dataKeyCache = null;
  generationKeys.clear();
}

// v2: one entry per (account, instance, root, generation), for this page's lifetime only.
const generationKeys = new Map<string, Promise<HeldKey>>();

/**
 * Section 11.3 "Read a clip": the data key of the generation a clip was wrapped to, through this
 * instance's own wrap of RDK_g. No passphrase; the RDK is zeroed once the backup is open.
 */
async function openDataKeyV2(document: unknown, enrolled: EnrolledEndpoint, wrappedKeyIds: readonly string[]): Promise<HeldKey> {
  const account = accountV2FromJson(document as Json);
  if (!equal(account.rootCertDer, enrolled.rootCertDer) || account.accountId !== enrolled.accountId) {
    throw new UntrustedKey("account: root differs from the one pinned at enrolment");
  }
  let generation = 0;
  for (const entry of account.dataKeys) {
    if (wrappedKeyIds.includes((await certs.loadCert(entry.certDer)).key.keyId ?? "")) generation = entry.generation;
  }
  if (generation === 0) throw new NoRecipientKey("the clip is wrapped to no data key generation of this account");
  const cacheKey = [account.accountId, enrolled.instance.keyId, b64encode(enrolled.rootCertDer), generation].join("/");
  let found = generationKeys.get(cacheKey);
  if (found === undefined) {
    found = readDataKeyV2(account, enrolled.instance, generation);
    found.catch(() => generationKeys.delete(cacheKey));
    generationKeys.set(cacheKey, found);
  }
  return found;
}

async function openDataKey(document: unknown, enrolled: EnrolledEndpoint, wrappedKeyIds: readonly string[] = []): Promise<HeldKey> {
  if (isV2(document)) return openDataKeyV2(document, enrolled, wrappedKeyIds);
  const account = parseDocument(document);
  const cacheKey = [account.accountId, enrolled.instance.keyId, b64encode(enrolled.rootCertDer), b64encode(account.dataCertDer)].join("/");
  if (dataKeyCache?.key === cacheKey) return dataKeyCache.value;
  const value = (async () => {
    const keys = await endpointOps.unlockWithInstance(account, await toEndpoint(enrolled));
    try {
      return await endpointOps.openDataKey(account, keys.rdk);
    } finally {
      keys.rdk.fill(0);
    }
  })();
  const entry = { key: cacheKey, value };
  dataKeyCache = entry;
  value.catch(() => {
    if (dataKeyCache === entry) dataKeyCache = null;
  });
  return value;
}

function isV2(document: unknown): boolean {
  return isObject(document) && (document as JsonObject)["v"] === TRUST_CORE_VERSION;
}

function summaryOf(verified: recipients.VerifiedRecipientSet, payloadSha256: string): VerifiedSetSummary {
  const set = verified.recipientSet;
  return {
    epoch: verified.epoch,
    issuedAt: set.issuedAt,
    payloadSha256,
    version: set.version ?? 1,
    prevSha256: set.prevSha256 === null || set.prevSha256 === undefined ? null : toHex(set.prevSha256),
    revoked: [...(set.revoked ?? [])],
    members: set.recipients.map((r) => {
      const cameras = r.cameras ?? "*";
      return { role: r.role, keyId: r.keyId, cameras: cameras === "*" ? "*" : [...cameras] };
    }),
  };
}

/**
 * A v2 document's current set, verified under the root this browser pinned (never the one the
 * store sends): the document must name the pinned root and account, or nothing in it is used.
 */
async function currentSetV2(document: unknown, enrolled: EnrolledEndpoint): Promise<{ account: AccountDocumentV2; current: recipients.VerifiedRecipientSet }> {
  const account = accountV2FromJson(document as Json);
  if (account.accountId !== enrolled.accountId || !equal(account.rootCertDer, enrolled.rootCertDer)) {
    throw new UntrustedKey("account: root differs from the one pinned at enrolment");
  }
  const root = await certs.loadCert(enrolled.rootCertDer);
  return { account, current: await recipients.verifyRecipientSet(account.recipientSet, root, null) };
}

/** A v1 document's current set, verified under the pinned root and the pinned data key. */
async function currentSetV1(document: unknown, enrolled: EnrolledEndpoint): Promise<{ account: AccountDocument; current: recipients.VerifiedRecipientSet }> {
  const account = parseDocument(document);
  return { account, current: await endpointOps.verifyCurrentSet(account, await toEndpoint(enrolled)) };
}

async function verifiedSet(document: unknown, enrolled: EnrolledEndpoint): Promise<VerifiedSetSummary> {
  const { current } = isV2(document) ? await currentSetV2(document, enrolled) : await currentSetV1(document, enrolled);
  return summaryOf(current, toHex(await primitives.sha256(current.payload)));
}

/**
 * Section 17: the v1 account becomes v2 at this passphrase entry, `drop` leaving with it. The set
 * it derives from is the one just verified under the pinned root; the session has admitted that
 * same set into this browser's high-water mark before calling (RolledBack otherwise).
 */
async function migrate(document: unknown, enrolled: EnrolledEndpoint, passphrase: string, drop: readonly string[] = []): Promise<JsonObject> {
  const { account, current } = await currentSetV1(document, enrolled);
  const built = await migrateV1(account, current, enrolled.instance.keyId, passphrase, drop);
  forgetDataKey();
  return accountV2ToJson(built.document);
}

export const wiredAccountOps: AccountOps = {
  // Section 11.3 "Create": every new account is version 2 (authority needs the passphrase).
  async createAccount(passphrase, progress) {
    const built = await createAccountV2(passphrase, undefined, progress);
    return {
      document: accountV2ToJson(built.document),
      endpoint: { accountId: built.document.accountId, rootCertDer: built.document.rootCertDer, instance: built.instance },
    };
  },

  // A v1 account still enrols as v1 here; the session then migrates it with the same passphrase.
  async enrolWithPassphrase(document, passphrase) {
    if (!isV2(document)) return created(await endpointOps.enrolWithPassphrase(parseDocument(document), passphrase));
    const built = await enrolSelfV2(accountV2FromJson(document as Json), passphrase);
    return {
      document: accountV2ToJson(built.document),
      endpoint: { accountId: built.document.accountId, rootCertDer: built.document.rootCertDer, instance: built.instance },
    };
  },

  async revokeInstance(document, enrolled, keyId, passphrase): Promise<UpdatedAccount> {
    let result: UpdatedAccount;
    if (isV2(document)) {
      // Revoking rotates the data key: generation n + 1 reaches nothing the revoked browser holds.
      const { account, current } = await currentSetV2(document, enrolled);
      const built = await revokeV2(account, current, enrolled.instance.keyId, passphrase, [keyId]);
      result = { document: accountV2ToJson(built.document), change: "revoke" };
    } else if (keyId === enrolled.instance.keyId) {
      // A v1 browser leaving on its own: nothing to migrate for it, and v1 lets it sign its exit.
      const updated = await endpointOps.revokeInstance(parseDocument(document), await toEndpoint(enrolled), keyId);
      result = { document: accountToJson(updated), change: "revoke" };
    } else {
      // A v1 account: the passphrase entry migrates it (section 17), dropping the browser at once.
      result = { document: await migrate(document, enrolled, passphrase, [keyId]), change: "migrate" };
    }
    forgetDataKey();
    return result;
  },

  migrateAccount: (document, enrolled, passphrase) => migrate(document, enrolled, passphrase),

  verifiedSet,

  openDataKey,

  async pairingSessionId(typedCode) {
    return (await pairing.derivePairingKeys(checkedCode(typedCode))).sessionId;
  },

  async openPairingRequest(request, typedCode, nowSeconds) {
    const opened = await pairing.openPairingRequest(parseRequest(request), checkedCode(typedCode), nowSeconds);
    return {
      sessionId: opened.sessionId,
      deviceId: opened.deviceKey.keyId,
      agentName: opened.agentName,
      cameras: opened.cameras.map((c) => ({ cameraId: c.cameraId, name: c.name })),
      expiresAt: opened.expiresAt,
    };
  },

  async makePairingGrant(document, enrolled, request, typedCode, nowSeconds, passphrase): Promise<JsonObject> {
    const endpoint = await toEndpoint(enrolled);
    // Both account versions grant alike; they differ in where the signing key comes from.
    const grant = async (signer: Pick<pairing.GrantInput, "signingKey" | "recipientSet" | "dataKeyId">) => {
      const input = { request: parseRequest(request), typedCode: checkedCode(typedCode), now: nowSeconds, root: endpoint.root };
      return macedToJson((await pairing.makePairingGrant({ ...input, ...signer })).grant);
    };
    if (isV2(document)) {
      // Section 8.4 (v2): issuing the device certificate needs the signing key, so the
      // passphrase; the grant carries the set verified under the pinned root, naming this browser.
      const { account, current } = await currentSetV2(document, enrolled);
      recipients.checkOwnMembership(current, enrolled.instance.keyId);
      const keys = await unlockV2(account, passphrase);
      try {
        return await grant({ signingKey: keys.signing.privateKey, recipientSet: account.recipientSet, dataKeyId: current.dataKeyId });
      } finally {
        for (const rdk of keys.rdks) rdk.fill(0);
      }
    }
    const account = parseDocument(document);
    // unlockWithInstance refuses a document whose root is not the one pinned at enrolment.
    const keys = await endpointOps.unlockWithInstance(account, endpoint);
    try {
      const dataKeyId = (await certs.loadCert(account.dataCertDer)).key.keyId ?? "";
      return await grant({ signingKey: keys.signing.privateKey, recipientSet: account.recipientSet, dataKeyId });
    } finally {
      keys.rdk.fill(0);
    }
  },
};
