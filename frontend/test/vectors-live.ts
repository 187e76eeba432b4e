// Runner for tests/vectors/live.json (section 18), with the contract of runners_live.py: each
// `op`'s input gives its output or throws the named error. The device's checks (check-request,
// check-confirm) are played here from the protocol's own parsers so the whole file runs in
// both languages; the browser itself only ever takes the endpoint's side.

import { type Bytes, ascii, concat, fromHex, toHex } from "../src/lib/crypto/bytes";
import * as certs from "../src/lib/crypto/certs";
import { Fields, type Json, b64decode, b64encode } from "../src/lib/crypto/encoding";
import { signedFromJson } from "../src/lib/crypto/envelope";
import { BadSignature, HeaderMismatch, NotEnrolled } from "../src/lib/crypto/errors";
import { importPkcs8 } from "../src/lib/crypto/keys";
import {
  LiveRecordReader,
  confirmFor,
  liveKeyContext,
  liveRequestFromJson,
  parseLiveOffer,
  parseRecordHeader,
  sessionKeys,
  splitCameraRef,
  verifyLiveOffer,
} from "../src/lib/crypto/live";
import * as primitives from "../src/lib/crypto/primitives";
import { keyIdsFor, verifyRecipientSet } from "../src/lib/crypto/recipients";
import { unwrapBytes } from "../src/lib/crypto/wrap";
import { AssertionFailed, deepEqual } from "./harness";

type Input = Record<string, Json>;
const SMALL_PIECE = 7;

const b64 = (value: Json | undefined): Bytes => b64decode(value, "vector");
const hex = (value: Json | undefined): Bytes => fromHex(String(value));

async function liveKeyOf(raw: Uint8Array, sessionId: Uint8Array) {
  return sessionKeys(await primitives.hkdfKey(raw), sessionId);
}

async function runDerive(input: Input): Promise<unknown> {
  const liveKey = b64(input["live_key"]);
  const sessionId = hex(input["session_id"]);
  return {
    k_media: b64encode(await primitives.hkdfSha256(liveKey, sessionId, ascii("e2ee-nvr/v2/live/media"), 16)),
    k_confirm: b64encode(await primitives.hkdfSha256(liveKey, sessionId, ascii("e2ee-nvr/v2/live/confirm"), 32)),
    context: b64encode(liveKeyContext(sessionId, b64(input["request_nonce"]))),
  };
}

/** The device's step-1 check (live.py's LiveSession.check_request), for the vectors only. */
async function runCheckRequest(input: Input): Promise<unknown> {
  const root = await certs.loadCert(b64(input["root_cert"]));
  const held = input["recipient_set"];
  const verified = held === null ? null : await verifyRecipientSet(signedFromJson(held), root, null);
  const request = liveRequestFromJson(input["request"]);
  const { deviceId, cameraId } = splitCameraRef(request.cameraRef);
  const cameraIds = (input["camera_ids"] as Json[]).map(String);
  if (request.accountId !== input["account_id"]) throw new HeaderMismatch("live-request: another account");
  if (deviceId !== input["device_id"] || !cameraIds.includes(cameraId)) throw new HeaderMismatch("live-request: not our camera");
  if (verified === null) throw new NotEnrolled("no verified set");
  if ((verified.recipientSet.revoked ?? []).includes(request.keyId)) throw new NotEnrolled("revoked");
  const scoped = keyIdsFor(verified.recipientSet, request.cameraRef);
  const key = verified.keys.find((k) => k.keyId === request.keyId && k.role === "instance" && scoped.includes(k.keyId) && k.key.kind === "p256");
  if (key === undefined) throw new NotEnrolled("not an instance recipient of this camera");
  return { key_id: key.keyId };
}

async function runVerifyOffer(input: Input): Promise<unknown> {
  const instance = await importPkcs8(b64(input["instance_pkcs8"]));
  if (instance.kind !== "p256") throw new AssertionFailed("instance_pkcs8 is not a P-256 key");
  const request = liveRequestFromJson(input["request"]);
  const root = await certs.loadCert(b64(input["root_cert"]));
  const signed = signedFromJson(input["offer"]);
  const verified = await verifyLiveOffer(signed, await certs.loadCert(b64(input["device_cert"])), root, {
    accountId: (await certs.verifyRoot(root)).keyId,
    ...splitCameraRef(request.cameraRef),
    requestNonce: request.nonce,
    instance,
    heldEpoch: Number(input["held_epoch"]),
    heldSha256: b64(input["held_sha256"]),
  });
  // The browser keeps L inside WebCrypto; the vector's L is read through the byte path, and
  // must give the same confirm key as the session keys the verified offer holds.
  const offer = parseLiveOffer(signed.payload);
  const liveKey = await unwrapBytes(instance, offer.wrappedKey, liveKeyContext(offer.sessionId, offer.requestNonce), "live-key");
  const probe = concat(verified.sessionId, request.nonce);
  const viaBytes = await primitives.hmacSha256WithKey((await liveKeyOf(liveKey, verified.sessionId)).confirmKey, probe);
  if (!deepEqual([...viaBytes], [...(await primitives.hmacSha256WithKey(verified.confirmKey, probe))])) {
    throw new AssertionFailed("the verified offer's keys are not derived from its L");
  }
  return { session_id: toHex(verified.sessionId), live_key: b64encode(liveKey), recipient_epoch: verified.recipientEpoch, withheld: verified.withheld };
}

async function runConfirm(input: Input): Promise<unknown> {
  const sessionId = hex(input["session_id"]);
  const keys = await liveKeyOf(b64(input["live_key"]), sessionId);
  const verified = { sessionId, deviceId: "", cameraId: "", recipientEpoch: 1, withheld: false, ...keys };
  return { confirm: await confirmFor(verified, String(input["key_id"]), b64(input["request_nonce"])) };
}

/** The device's step-3 check (live_messages.py's verify_confirm), for the vectors only. */
async function runCheckConfirm(input: Input): Promise<unknown> {
  const sessionId = hex(input["session_id"]);
  const fields = new Fields(input["confirm"], "live-confirm");
  fields.versionAndType("live-confirm", 1);
  const sessionHex = fields.hex("session_id", 16);
  const keyIdText = fields.hex("key_id", 16);
  const nonce = fields.bytes("request_nonce", { length: 16 });
  const proof = fields.bytes("proof", { length: 32 });
  fields.done();
  if (sessionHex !== toHex(sessionId)) throw new HeaderMismatch("live-confirm: another session");
  const kConfirm = await primitives.hkdfSha256(b64(input["live_key"]), sessionId, ascii("e2ee-nvr/v2/live/confirm"), 32);
  const message = concat(ascii("e2ee-nvr/v2/live-confirm\x00"), sessionId, nonce, ascii(keyIdText));
  const proofOk = await primitives.hmacSha256Verify(kConfirm, message, proof);
  const offered = (input["offers"] as Json[]).some((o) => {
    const offer = o as Record<string, Json>;
    return offer["key_id"] === keyIdText && toHex(b64(offer["request_nonce"])) === toHex(nonce);
  });
  if (!offered || !proofOk) throw new BadSignature("live-confirm: wrong proof, or no such offer");
  return { key_id: keyIdText };
}

async function read(sessionId: Bytes, liveKey: Bytes, stream: Bytes, piece: number): Promise<unknown> {
  const reader = new LiveRecordReader(sessionId, (await liveKeyOf(liveKey, sessionId)).mediaKey);
  const records = [];
  for (let start = 0; start < stream.length; start += piece) {
    for (const record of await reader.feed(stream.subarray(start, start + piece))) {
      records.push({ type: record.type, plaintext: b64encode(record.plaintext) });
    }
  }
  reader.close();
  return { records, last_seq: reader.lastSeq === null ? null : Number(reader.lastSeq), gaps: reader.gaps, ended: reader.ended };
}

async function runOpen(input: Input): Promise<unknown> {
  const sessionId = hex(input["session_id"]);
  const liveKey = b64(input["live_key"]);
  const stream = b64(input["stream"]);
  let whole: unknown;
  try {
    whole = await read(sessionId, liveKey, stream, Math.max(1, stream.length));
  } catch (err) {
    // The same refusal when the bytes arrive a few at a time.
    let piecewise: unknown = null;
    try {
      await read(sessionId, liveKey, stream, SMALL_PIECE);
    } catch (other) {
      piecewise = other;
    }
    const name = (e: unknown) => (e instanceof Error ? e.name : String(e));
    if (name(piecewise) !== name(err)) throw new AssertionFailed(`whole: ${name(err)}, piecewise: ${name(piecewise)}`);
    throw err;
  }
  if (!deepEqual(await read(sessionId, liveKey, stream, SMALL_PIECE), whole)) throw new AssertionFailed("piecewise read differs");
  return whole;
}

async function runHeader(input: Input): Promise<unknown> {
  const header = parseRecordHeader(b64(input["record"]));
  return { type: header.type, session_id: toHex(header.sessionId), seq: Number(header.seq), ct_len: header.ctLen };
}

const OPS: Record<string, (input: Input) => Promise<unknown>> = {
  derive: runDerive,
  "check-request": runCheckRequest,
  "verify-offer": runVerifyOffer,
  confirm: runConfirm,
  "check-confirm": runCheckConfirm,
  open: runOpen,
  header: runHeader,
};

export async function runLive(input: Input): Promise<unknown> {
  const op = OPS[String(input["op"])];
  if (op === undefined) throw new AssertionFailed(`unknown live op ${String(input["op"])}`);
  return op(input);
}
