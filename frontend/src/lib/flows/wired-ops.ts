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
import { accountV2FromJson } from "../crypto/account-v2";
import { equal } from "../crypto/bytes";
import { readDataKeyV2 } from "../crypto/endpoint-v2";
import { TRUST_CORE_VERSION } from "../crypto/envelope";
import { type HeldKey } from "../crypto/keys";
import * as pairing from "../crypto/pairing";
import { toHex } from "../crypto/bytes";
import * as primitives from "../crypto/primitives";
import { type AccountOps, type CreatedAccount, type EnrolledEndpoint, type VerifiedSetSummary } from "./account-ops";
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
  if (isObject(document) && (document as JsonObject)["v"] === TRUST_CORE_VERSION) return openDataKeyV2(document, enrolled, wrappedKeyIds);
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

async function verifiedSet(document: unknown, enrolled: EnrolledEndpoint): Promise<VerifiedSetSummary> {
  const account = parseDocument(document);
  const endpoint = await toEndpoint(enrolled);
  // verifyCurrentSet checks against the root this browser pinned, not the one the store sends.
  const verified = await endpointOps.verifyCurrentSet(account, endpoint);
  const set = verified.recipientSet;
  return {
    epoch: verified.epoch,
    issuedAt: set.issuedAt,
    payloadSha256: toHex(await primitives.sha256(verified.payload)),
    version: set.version ?? 1,
    prevSha256: set.prevSha256 === null || set.prevSha256 === undefined ? null : toHex(set.prevSha256),
    revoked: [...(set.revoked ?? [])],
    members: set.recipients.map((r) => {
      const cameras = r.cameras ?? "*";
      return { role: r.role, keyId: r.keyId, cameras: cameras === "*" ? "*" : [...cameras] };
    }),
  };
}

export const wiredAccountOps: AccountOps = {
  async createAccount(passphrase, progress) {
    return created(await endpointOps.createAccount(passphrase, undefined, progress));
  },

  async enrolWithPassphrase(document, passphrase) {
    return created(await endpointOps.enrolWithPassphrase(parseDocument(document), passphrase));
  },

  async revokeInstance(document, enrolled, keyId) {
    const updated = await endpointOps.revokeInstance(parseDocument(document), await toEndpoint(enrolled), keyId);
    forgetDataKey();
    return accountToJson(updated);
  },

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

  async makePairingGrant(document, enrolled, request, typedCode, nowSeconds): Promise<JsonObject> {
    const account = parseDocument(document);
    const endpoint = await toEndpoint(enrolled);
    // unlockWithInstance refuses a document whose root is not the one pinned at enrolment.
    const keys = await endpointOps.unlockWithInstance(account, endpoint);
    try {
      const { grant } = await pairing.makePairingGrant({
        request: parseRequest(request),
        typedCode: checkedCode(typedCode),
        now: nowSeconds,
        root: endpoint.root,
        signingKey: keys.signing.privateKey,
        recipientSet: account.recipientSet,
        dataKeyId: (await certs.loadCert(account.dataCertDer)).key.keyId ?? "",
      });
      return macedToJson(grant);
    } finally {
      keys.rdk.fill(0);
    }
  },
};
