// The real account and pairing operations (flows/wired-ops.ts) driven through the panel's
// session against a fake store that keeps what it is sent, in Chromium (WebCrypto, IndexedDB,
// scrypt at the real cost). Returns the documents the store received, for Python to parse
// (scripts/ui-browser-tests.mjs feeds them to AccountStore). Run after clipOpener: it
// registers the real operations, which that check expects to be absent.

import { type HassTransport } from "../lib/api/client";
import { b64decode } from "../lib/crypto/encoding";
import { macedFromJson } from "../lib/crypto/envelope";
import * as certs from "../lib/crypto/certs";
import { acceptPairingGrant } from "../lib/crypto/pairing";
import { generatePassphrase } from "../lib/crypto/passphrase";
import { type CreateStep, accountOps, registerAccountOps } from "../lib/flows/account-ops";
import { describeError } from "../lib/flows/describe-error";
import { E2eeSession } from "../lib/flows/session";
import { wiredAccountOps } from "../lib/flows/wired-ops";
import { Keystore } from "../lib/keystore/keystore";

type Failures = string[];

export interface PairingCase {
  typedCode: string;
  now: number;
  request: { payload: string; mac: string };
  sessionId: string;
  deviceKeyId: string;
  expiresAt: number;
}

export interface AccountFlowResult {
  failures: Failures;
  /** [command, document] as the store received them, in order. */
  sent: Array<[string, unknown]>;
  log: string[];
}

async function rejectsWith(failures: Failures, promise: Promise<unknown>, name: string, what: string, key?: string): Promise<void> {
  try {
    await promise;
    failures.push(`${what}: did not fail`);
  } catch (err) {
    if (!(err instanceof Error) || err.name !== name) failures.push(`${what}: failed with ${String(err)}, not ${name}`);
    else if (key !== undefined && describeError(err).key !== key) failures.push(`${what}: shown as ${describeError(err).key}, not ${key}`);
  }
}

function fakeStore(pairing: PairingCase, sent: Array<[string, unknown]>): HassTransport & { grants: unknown[] } {
  let account: Record<string, unknown> | null = null;
  let epoch = 0;
  let names = new Map<string, string>();
  const grants: unknown[] = [];
  const info = () => ({
    enabled: account !== null,
    account,
    epoch,
    instances: ((account?.["instances"] as Array<{ key_id: string }> | undefined) ?? []).map((i) => ({
      key_id: i.key_id,
      name: names.get(i.key_id) ?? "",
      enrolled_at: 1_764_400_000,
    })),
  });
  return {
    grants,
    async callWS<T>(message: Record<string, unknown>): Promise<T> {
      const command = String(message["type"]).replace("e2ee_nvr/", "");
      if (command === "account/get") return info() as T;
      if (command === "account/create" || command === "account/enrol" || command === "account/revoke" || command === "account/migrate") {
        const document = message["account"] as Record<string, unknown>;
        sent.push([command.slice("account/".length), document]);
        const before = new Set(names.keys());
        account = document;
        epoch += 1;
        const next = new Map<string, string>();
        for (const i of document["instances"] as Array<{ key_id: string }>) {
          next.set(i.key_id, before.has(i.key_id) ? (names.get(i.key_id) ?? "") : String(message["instance_name"] ?? ""));
        }
        names = next;
        return info() as T;
      }
      if (command === "pairing/list") {
        return {
          sessions: [
            {
              session_id: pairing.sessionId,
              state: "pending",
              device_id: pairing.deviceKeyId,
              agent_name: "garage box",
              cameras: [],
              expires_at: pairing.expiresAt,
              request: pairing.request,
              result: null,
            },
          ],
        } as T;
      }
      throw { code: "unknown_command", message: command };
    },
    fetchWithAuth: async () => new Response(null, { status: 404 }),
  };
}

export async function accountFlow(pairing: PairingCase): Promise<AccountFlowResult> {
  const failures: Failures = [];
  const log: string[] = [];
  const sent: Array<[string, unknown]> = [];
  registerAccountOps(wiredAccountOps);
  const hass = fakeStore(pairing, sent);
  const keystore = new Keystore();
  await keystore.clear();
  const session = new E2eeSession(hass, keystore);
  await session.refresh();
  const ops = accountOps();

  // Turn on: every step in order, one account/create carrying the whole document at the end.
  const passphrase = await generatePassphrase();
  const steps: Array<CreateStep | "sending"> = [];
  let started = performance.now();
  await session.turnOn(passphrase, "First browser", (step) => steps.push(step));
  log.push(`turn on: ${Math.round(performance.now() - started)} ms, steps ${steps.join(" > ")}`);
  const expected = ["passphrase-key", "keys", "certificates", "backups", "recipients", "sending"];
  if (steps.join() !== expected.join()) failures.push(`turn on: steps ${steps.join()} not ${expected.join()}`);
  if (sent.length !== 1 || sent[0]?.[0] !== "create") failures.push("turn on: not exactly one account/create");
  const first = session.enrolled;
  if (session.status?.kind !== "enrolled" || first === null) {
    failures.push(`turn on: status ${session.status?.kind}, not enrolled`);
    return { failures, sent, log };
  }
  if ((await keystore.load())?.instance.privateKey.extractable !== false) failures.push("turn on: stored key is extractable or missing");

  // Enrol a second browser: a typo names its position, a wrong passphrase is refused as such.
  const created = session.account?.account;
  const words = passphrase.split(" ");
  await rejectsWith(failures, ops.enrolWithPassphrase(created, [...words.slice(0, 9), "zzzzqq"].join(" ")), "InvalidPassphrase", "enrol with a typo", "errors.invalid_passphrase");
  const other = await generatePassphrase();
  started = performance.now();
  await rejectsWith(failures, ops.enrolWithPassphrase(created, other), "WrongPassphrase", "enrol with another passphrase", "errors.wrong_passphrase");
  log.push(`wrong passphrase refused in ${Math.round(performance.now() - started)} ms`);
  const second = await ops.enrolWithPassphrase(created, passphrase.toUpperCase());
  const enrolled = await session.api.accountUpdate("enrol", second.document, "Second browser");
  if (enrolled.instances.length !== 2) failures.push("enrol: the store does not list two instances");
  await session.refresh();

  // The data key of generation 1: opened through this instance's wrap of RDK_1, reused.
  const generations = () => (session.account?.account as Record<string, unknown>)["data_keys"] as Array<{ cert: string }>;
  const dataKeyIdOf = async (g: number) => (await certs.loadCert(b64decode(generations()[g - 1]?.cert, "cert"))).key.keyId ?? "";
  const gen1 = await dataKeyIdOf(1);
  if ((session.account?.account as Record<string, unknown>)["v"] !== 2) failures.push("turn on: the account is not version 2");
  const dataKey = await ops.openDataKey(session.account?.account, first, [gen1]);
  if (dataKey.keyId !== gen1) failures.push("data key: not generation 1's key");
  if (dataKey.privateKey.extractable) failures.push("data key: extractable");
  if ((await ops.openDataKey(session.account?.account, first, [gen1])) !== dataKey) failures.push("data key: not reused within the session");
  await rejectsWith(failures, ops.openDataKey(session.account?.account, { ...first, rootCertDer: new Uint8Array(first.rootCertDer.length).fill(48) }, [gen1]), "UntrustedKey", "data key with another pinned root");

  // Pairing, from the shared vector's request: session id of a pasted link, wrong and typo codes.
  const link = `e2ee-nvr-pair:${pairing.typedCode}`;
  if ((await ops.pairingSessionId(link)) !== pairing.sessionId) failures.push("pairing: link does not derive the vector's session id");
  await rejectsWith(failures, ops.pairingSessionId("abcd-efgh"), "InvalidPairingCode", "pairing: too short a code", "pair.invalid_code");
  await rejectsWith(failures, session.pair("AAAA-AAAA-AAAA-AAAA-AAAA", passphrase), "NoPendingRequest", "pairing: a code no camera waits with", "pair.no_request");
  await rejectsWith(failures, session.pair(pairing.typedCode, passphrase), "PairingExpired", "pairing: the vector's request today", "pair.expired");
  const altered = { ...pairing.request, mac: pairing.request.mac.startsWith("A") ? `B${pairing.request.mac.slice(1)}` : `A${pairing.request.mac.slice(1)}` };
  await rejectsWith(failures, ops.openPairingRequest(altered, pairing.typedCode, pairing.now), "PairingMacMismatch", "pairing: altered by the relay", "pair.mac_mismatch");
  const opened = await ops.openPairingRequest(pairing.request, link, pairing.now);
  if (opened.agentName !== "garage box" || opened.sessionId !== pairing.sessionId) failures.push("pairing: request opened wrongly");
  await rejectsWith(failures, ops.makePairingGrant(session.account?.account, first, pairing.request, pairing.typedCode, pairing.now, other), "WrongPassphrase", "grant: another passphrase");
  const grant = await ops.makePairingGrant(session.account?.account, first, pairing.request, pairing.typedCode, pairing.now, passphrase);
  const accepted = await acceptPairingGrant(macedFromJson(grant), {
    code: pairing.typedCode,
    requestPayload: b64decode(pairing.request.payload, "payload"),
    deviceKeyId: pairing.deviceKeyId,
    expiresAt: pairing.expiresAt,
    now: pairing.now,
    alreadyUsed: false,
  });
  if (accepted.accountId !== first.accountId) failures.push("pairing: the device accepted a grant of another account");
  if (accepted.recipientSet.epoch !== 2) failures.push(`pairing: grant carries epoch ${accepted.recipientSet.epoch}, not 2`);

  // Revoke the second browser with the passphrase: epoch 3, one instance left, data key rotated.
  await rejectsWith(failures, session.revoke(second.endpoint.instance.keyId, other), "WrongPassphrase", "revoke: another passphrase", "errors.wrong_passphrase");
  session.limiter.recordSuccess();
  await session.revoke(second.endpoint.instance.keyId, passphrase);
  if (session.status?.kind !== "enrolled" || session.account?.instances.length !== 1) failures.push("revoke: not one instance left with this browser enrolled");
  if (generations().length !== 2) failures.push(`revoke: ${generations().length} data generations, not 2`);
  if (session.signedSet?.revoked.includes(second.endpoint.instance.keyId) !== true) failures.push("revoke: the signed set does not list the revoked browser");
  const gen2 = await dataKeyIdOf(2);
  const rotated = await ops.openDataKey(session.account?.account, first, [gen2]);
  if (rotated.keyId !== gen2 || gen2 === gen1) failures.push("revoke: the data key did not rotate");
  if ((await ops.openDataKey(session.account?.account, first, [gen1])).keyId !== gen1) failures.push("revoke: generation 1 no longer opens");
  await rejectsWith(failures, ops.revokeInstance(session.account?.account, second.endpoint, first.instance.keyId, passphrase), "NotEnrolled", "revoke by a revoked browser");
  await keystore.clear();
  return { failures, sent, log };
}
