// Runners for the protocol v2 vector files (sections 6, 9.3, 10.1), with the contract of
// tests/vectors/runners_v2.py: a case's `input` gives its `output`, or throws the named error.

import { b64decode, b64encode, type Json } from "../src/lib/crypto/encoding";
import * as certs from "../src/lib/crypto/certs";
import { verifyClipManifest } from "../src/lib/crypto/clip";
import * as envelope from "../src/lib/crypto/envelope";
import { decodePaddedEvents, padEvents } from "../src/lib/crypto/event-padding";
import { eventToJson } from "../src/lib/crypto/clip";
import * as recipients from "../src/lib/crypto/recipients";
import { checkDelivery, heldRecipientsOf } from "../src/lib/crypto/withholding";
import { AssertionFailed } from "./harness";
import { accountV2FromJson, accountV2ToJson } from "../src/lib/crypto/account-v2";
import { deepEqual } from "./harness";
import { accountFromJson } from "../src/lib/crypto/account";
import { unlockWithPassphrase } from "../src/lib/crypto/endpoint";
import { openDataKeyV2, readDataKeyV2, unlockV2 } from "../src/lib/crypto/endpoint-v2";
import * as kdf from "../src/lib/crypto/kdf";
import { importPkcs8 } from "../src/lib/crypto/keys";
import { dataRdkContext } from "../src/lib/crypto/wrap";

type Input = Record<string, Json>;

const b64 = (value: Json | undefined) => b64decode(value, "vector");
const cert = (value: Json | undefined) => certs.loadCert(b64(value));

async function held(rootDer: Json | undefined, signed: Json | undefined): Promise<recipients.VerifiedRecipientSet | null> {
  if (signed === null || signed === undefined) return null;
  return recipients.verifyRecipientSet(envelope.signedFromJson(signed), await cert(rootDer), null);
}

/** H from `held` (or null), then N (`envelope`) against it; `own_key_id` adds NotEnrolled. */
async function runRecipientSetV2(input: Input): Promise<unknown> {
  const root = await cert(input["root_cert"]);
  const h = await held(input["root_cert"], input["held"]);
  const pinned = h !== null && recipients.versionOf(h.recipientSet) === envelope.PROTOCOL_VERSION ? h.dataKeyId : null;
  const verified = await recipients.verifyRecipientSet(envelope.signedFromJson(input["envelope"]), root, pinned);
  const advances = await recipients.checkSetSuccession(verified, h === null ? null : await recipients.heldSetOf(h));
  const own = input["own_key_id"];
  if (typeof own === "string") recipients.checkOwnMembership(verified, own);
  return {
    epoch: verified.epoch,
    advances,
    data_key_id: verified.dataKeyId,
    key_ids: verified.recipientSet.recipients.map((r) => r.keyId),
    revoked: [...(verified.recipientSet.revoked ?? [])],
    cameras: verified.recipientSet.recipients.map((r) => {
      const cameras = recipients.camerasOf(r);
      return cameras === recipients.ALL_CAMERAS ? cameras : [...cameras];
    }),
  };
}

async function runEventsPadding(input: Input): Promise<unknown> {
  if (input["op"] === "encode") {
    const events = (input["events"] as Json[]).map((raw) => {
      const e = raw as Record<string, Json>;
      return { kind: String(e["kind"]), startMs: Number(e["start_ms"]), endMs: e["end_ms"] === null ? null : Number(e["end_ms"]), source: String(e["source"]) };
    });
    return { plaintext: b64encode(padEvents(events)) };
  }
  if (input["op"] !== "decode") throw new AssertionFailed(`unknown events_padding op ${String(input["op"])}`);
  return { events: decodePaddedEvents(b64(input["plaintext"])).map(eventToJson) };
}

async function runWithholding(input: Input): Promise<unknown> {
  const root = await cert(input["root_cert"]);
  const h = await held(input["root_cert"], input["held"]);
  if (h === null) throw new AssertionFailed("withholding needs a held set");
  const verified = await verifyClipManifest(envelope.signedFromJson(input["manifest"]), await cert(input["device_cert"]), root);
  checkDelivery(heldRecipientsOf(h), verified);
  return {};
}

/** Sections 4, 7 and 11 of a v2 account, by `op` (runners_v2.py's run_account_v2). */
async function runAccountV2(input: Input): Promise<unknown> {
  const op = input["op"];
  const accountId = String(input["account_id"]);
  if (op === "passphrase-check") return { check: b64encode(await kdf.passphraseCheck(b64(input["pdk"]), accountId)) };
  if (op === "key-check") {
    return { check: b64encode(await kdf.keyCheckV2(b64(input["key"]), accountId, String(input["role"]), Number(input["generation"]))) };
  }
  if (op === "data-rdk-context") return { context: b64encode(dataRdkContext(accountId, Number(input["generation"]))) };
  if (op === "open-v1") {
    // Section 11.4: a swapped v1 signing backup is BackupMismatch, not WrongPassphrase.
    const v1 = accountFromJson(input["account"]);
    const keys = await unlockWithPassphrase(v1, String(input["passphrase"]));
    keys.rdk.fill(0);
    return { account_id: v1.accountId, signing_key_id: keys.signing.keyId, recovery_key_id: keys.recovery.keyId };
  }
  const document = accountV2FromJson(input["account"]);
  // What this endpoint writes back is what it read: the store sees no drift between versions.
  if (!deepEqual(accountV2ToJson(document), input["account"])) throw new AssertionFailed("account_v2 does not round-trip through JSON");
  if (op === "open") {
    const unlocked = await unlockV2(document, String(input["passphrase"]));
    try {
      const dataKeyIds: string[] = [];
      for (const [i, generation] of document.dataKeys.entries()) {
        dataKeyIds.push((await openDataKeyV2(document, generation, unlocked.rdks[i] ?? new Uint8Array())).keyId);
      }
      return { account_id: document.accountId, signing_key_id: unlocked.signing.keyId, recovery_key_id: unlocked.recovery.keyId, data_key_ids: dataKeyIds };
    } finally {
      for (const rdk of unlocked.rdks) rdk.fill(0);
    }
  }
  if (op !== "read") throw new AssertionFailed(`unknown account_v2 op ${String(op)}`);
  const instance = await importPkcs8(b64(input["instance_pkcs8"]));
  if (instance.kind !== "p256") throw new AssertionFailed("instance_pkcs8 is not a P-256 key");
  return { data_key_id: (await readDataKeyV2(document, instance, Number(input["generation"]))).keyId };
}

export const V2_RUNNERS: Record<string, (input: Input) => Promise<unknown>> = {
  account_v2: runAccountV2,
  recipient_set_v2: runRecipientSetV2,
  events_padding: runEventsPadding,
  withholding: runWithholding,
};
