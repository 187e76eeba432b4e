// Issue 10's "Why", played by a malicious store against the real endpoint code (session, crypto,
// trust store) in Node: HA serves whatever account document it likes; the browser must refuse
// or not be fooled. Each case names the scenario it plays.

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { type AccountDocument, accountToJson } from "../crypto/account";
import { type Json, type JsonObject } from "../crypto/encoding";
import * as endpointOps from "../crypto/endpoint";
import { NotEnrolled, RolledBack } from "../crypto/errors";
import * as kdf from "../crypto/kdf";
import * as pairing from "../crypto/pairing";
import { accountFromJson } from "../crypto/account";
import { type Keystore, type StoredEndpoint } from "../keystore/keystore";
import { registerAccountOps } from "./account-ops";
import { AttemptLimiter } from "./backoff";
import { E2eeSession } from "./session";
import { MemoryRecords } from "../../testing/memory-records";
import { wiredAccountOps } from "./wired-ops";
import { outcomeOf } from "../../../test/harness";

const PASSPHRASE = "absolute corny elective ibuprofen pardon remorse shiftless stargazer unfailing unsworn";
const cheap = () => ({ pdk: kdf.newDefaultParams(15, 10_000), rdk: kdf.newDefaultParams(15, 10_000) });
const SLOW = 120_000;

interface PairingCase {
  name: string;
  input: { typed_code: string; now: number; request: Record<string, string> };
}
const pairingCases = (JSON.parse(readFileSync(new URL("../../../../tests/vectors/pairing.json", import.meta.url), "utf-8")) as { cases: PairingCase[] }).cases;
const openRequest = pairingCases.find((c) => c.name === "open-request");

type Made = Awaited<ReturnType<typeof endpointOps.createAccount>>;

/** HA as an attacker: it answers account/get with `served` and records what it is sent. */
class MaliciousStore {
  served: JsonObject | null = null;
  listed: string[] = [];
  readonly sent: Array<{ type: string; account?: JsonObject; grant?: JsonObject }> = [];
  sessionId = "";

  info() {
    return { enabled: true, account: this.served, epoch: 0, instances: this.listed.map((key_id) => ({ key_id, name: key_id.slice(0, 4), enrolled_at: null })) };
  }

  readonly hass = {
    callWS: async <T>(message: Record<string, unknown>): Promise<T> => {
      const type = String(message["type"]).replace("e2ee_nvr/", "");
      this.sent.push({ ...(message as object), type });
      if (type === "account/get") return this.info() as T;
      if (type === "account/enrol" || type === "account/revoke" || type === "account/migrate") {
        this.served = message["account"] as JsonObject;
        this.listed = (this.served["instances"] as Array<{ key_id: string }>).map((i) => i.key_id);
        return this.info() as T;
      }
      if (type === "pairing/list") {
        const session = { session_id: this.sessionId, state: "pending", device_id: "d".repeat(32), agent_name: "x", cameras: [], expires_at: 0, request: openRequest?.input.request, result: null };
        return { sessions: [session] } as T;
      }
      throw { code: "not_found", message: type };
    },
  };
}

function keystoreFor(stored: StoredEndpoint | null): Keystore {
  const records = new MemoryRecords();
  let self = stored;
  return {
    load: async () => self,
    save: async (value: StoredEndpoint) => {
      self = value;
    },
    clear: async () => {
      self = null;
    },
    getRecord: (key: string) => records.getRecord(key),
    putRecord: (key: string, value: unknown) => records.putRecord(key, value),
  } as unknown as Keystore;
}

function storedOf(made: { endpoint: endpointOps.Endpoint }): StoredEndpoint {
  const { endpoint } = made;
  return { accountId: endpoint.accountId, rootCertDer: endpoint.root.der, instance: endpoint.instanceKey, name: "x", enrolledAt: 0 };
}

/** The instance members of a document's set (v1 or v2), verified under `self`'s pinned root. */
async function instanceMembers(document: JsonObject, self: endpointOps.Endpoint): Promise<string[]> {
  const set = await wiredAccountOps.verifiedSet(document, { accountId: self.accountId, rootCertDer: self.root.der, instance: self.instanceKey });
  return set.members.filter((m) => m.role === "instance").map((m) => m.keyId).sort();
}

/** A back-off that keeps its count in memory (Node has no localStorage). */
function memoryLimiter(): AttemptLimiter {
  const attempts = new Map<string, string>();
  return new AttemptLimiter({
    getItem: (key) => attempts.get(key) ?? null,
    setItem: (key, value) => void attempts.set(key, value),
    removeItem: (key) => void attempts.delete(key),
  });
}

describe("a malicious store against the endpoint (issue 10)", () => {
  // Owner A; B enrolled (epoch 2); B revoked by A (epoch 3). B kept a copy of doc2.
  let a: Made;
  let doc2: AccountDocument;
  let b: endpointOps.Endpoint;
  let doc3: AccountDocument;

  beforeAll(async () => {
    registerAccountOps(wiredAccountOps);
    a = await endpointOps.createAccount(PASSPHRASE, cheap());
    const enrolled = await endpointOps.enrolWithPassphrase(a.document, PASSPHRASE);
    doc2 = enrolled.document;
    b = enrolled.endpoint;
    doc3 = await endpointOps.revokeInstance(doc2, a.endpoint, b.instanceKey.keyId);
  }, SLOW);

  /** A's session, having verified doc3 (epoch 3) once. */
  async function ownerAfterRevocation(store: MaliciousStore): Promise<E2eeSession> {
    store.served = accountToJson(doc3);
    store.listed = [a.endpoint.instanceKey.keyId];
    const session = new E2eeSession(store.hass, keystoreFor(storedOf(a)), memoryLimiter());
    await session.refresh();
    expect(session.setProblem).toBeNull();
    expect(session.signedSet?.epoch).toBe(3);
    return session;
  }

  it("Why 1: a revoked browser put back into `instances` is not signed back in at enrol or revoke", async () => {
    const store = new MaliciousStore();
    // HA serves the epoch-3 set, with B's entry (from doc2) slipped back into `instances`.
    const b2 = doc2.instances.find((i) => i.keyId === b.instanceKey.keyId);
    if (b2 === undefined) throw new Error("doc2 lost B");
    store.served = accountToJson({ ...doc3, instances: [...doc3.instances, b2] });
    store.listed = [a.endpoint.instanceKey.keyId, b.instanceKey.keyId];
    // A new browser C enrols by passphrase through the genuine session code.
    const c = new E2eeSession(store.hass, keystoreFor(null), memoryLimiter());
    await c.refresh();
    await c.enrol(PASSPHRASE, "C");
    const cKey = c.enrolled?.instance.keyId ?? "";
    const afterEnrol = store.served;
    if (afterEnrol === null) throw new Error("no document sent");
    expect(await instanceMembers(afterEnrol, a.endpoint)).toEqual([a.endpoint.instanceKey.keyId, cKey].sort());
    // The store tries again at the owner's next revoke (of C): B must not come back either.
    store.served = accountToJson({ ...accountFromJson(afterEnrol as Json), instances: [...accountFromJson(afterEnrol as Json).instances, b2] });
    store.listed = [a.endpoint.instanceKey.keyId, b.instanceKey.keyId, cKey];
    const owner = new E2eeSession(store.hass, keystoreFor(storedOf(a)), memoryLimiter());
    await owner.refresh();
    // On this v1 account the revoke is the owner's passphrase entry: it migrates to v2 without C.
    await owner.revoke(cKey, PASSPHRASE);
    expect(store.sent.some((m) => m.type === "account/migrate")).toBe(true);
    const afterRevoke = store.served;
    if (afterRevoke === null) throw new Error("no document sent");
    expect(afterRevoke["v"]).toBe(2);
    expect(await instanceMembers(afterRevoke, a.endpoint)).toEqual([a.endpoint.instanceKey.keyId]);
    expect((afterRevoke["instances"] as Array<{ key_id: string }>).map((i) => i.key_id)).toEqual([a.endpoint.instanceKey.keyId]);
    // And the Devices list shows the signed set's members, not HA's list.
    expect(owner.signedSet?.members.filter((m) => m.role === "instance").map((m) => m.keyId)).toEqual([a.endpoint.instanceKey.keyId]);
  }, SLOW);

  it("Why 2: an old set (still naming the revoked browser) is refused for pairing, revoking and display", async () => {
    const store = new MaliciousStore();
    const owner = await ownerAfterRevocation(store);
    // Next page load: HA serves the epoch-2 set, which still holds B, and lists both.
    store.served = accountToJson(doc2);
    store.listed = [a.endpoint.instanceKey.keyId, b.instanceKey.keyId];
    await owner.refresh();
    expect(owner.signedSet).toBeNull();
    expect((owner.setProblem as Error).name).toBe("RolledBack");
    if (openRequest === undefined) throw new Error("pairing.json lost its open-request case");
    store.sessionId = (await pairing.derivePairingKeys(openRequest.input.typed_code)).sessionId;
    await expect(owner.pair(openRequest.input.typed_code, PASSPHRASE)).rejects.toThrow(RolledBack);
    expect(store.sent.some((m) => m.type === "pairing/grant")).toBe(false);
    expect(await outcomeOf(() => owner.revoke(b.instanceKey.keyId, PASSPHRASE))).toBe("RolledBack");
    expect(store.sent.some((m) => m.type === "account/revoke" || m.type === "account/migrate")).toBe(false);
  }, SLOW);

  it("Why 2: the memory of the highest set survives a reload (a fresh session on the same records)", async () => {
    const store = new MaliciousStore();
    store.served = accountToJson(doc3);
    store.listed = [a.endpoint.instanceKey.keyId];
    const keystore = keystoreFor(storedOf(a));
    await new E2eeSession(store.hass, keystore).refresh();
    store.served = accountToJson(doc2);
    const reloaded = new E2eeSession(store.hass, keystore);
    await reloaded.refresh();
    expect((reloaded.setProblem as Error).name).toBe("RolledBack");
  }, SLOW);

  it("Why 3: two different sets signed under one epoch: the second is refused", async () => {
    const store = new MaliciousStore();
    const owner = await ownerAfterRevocation(store);
    // B, still holding v1's PDK wrap, signs its own epoch-3 set from doc2 (it enrols D).
    const forked = await endpointOps.enrolWithPassphrase(doc2, PASSPHRASE);
    expect((await endpointOps.verifyCurrentSet(forked.document, a.endpoint)).epoch).toBe(3);
    store.served = accountToJson(forked.document);
    await owner.refresh();
    expect((owner.setProblem as Error).name).toBe("RolledBack");
  }, SLOW);

  it("Why 2: a grant is refused when the set does not hold the granting browser", async () => {
    const store = new MaliciousStore();
    // B (revoked nowhere yet in this history) revokes A at epoch 3; HA still lists A to A.
    const withoutA = await endpointOps.revokeInstance(doc2, b, a.endpoint.instanceKey.keyId);
    store.served = accountToJson({ ...withoutA, instances: doc2.instances });
    store.listed = [a.endpoint.instanceKey.keyId, b.instanceKey.keyId];
    const owner = new E2eeSession(store.hass, keystoreFor(storedOf(a)), memoryLimiter());
    await owner.refresh();
    if (openRequest === undefined) throw new Error("pairing.json lost its open-request case");
    store.sessionId = (await pairing.derivePairingKeys(openRequest.input.typed_code)).sessionId;
    await expect(owner.pair(openRequest.input.typed_code, PASSPHRASE)).rejects.toThrow(NotEnrolled);
    expect(store.sent.some((m) => m.type === "pairing/grant" || m.type === "account/migrate")).toBe(false);
  }, SLOW);
});
