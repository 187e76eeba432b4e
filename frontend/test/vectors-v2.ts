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

export const V2_RUNNERS: Record<string, (input: Input) => Promise<unknown>> = {
  recipient_set_v2: runRecipientSetV2,
  events_padding: runEventsPadding,
  withholding: runWithholding,
};
