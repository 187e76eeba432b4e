// Live view at the endpoint (section 18; live.py is the Python twin, which also holds the
// device side): the request, the device's signed offer, the confirm proof, and (live-records.ts)
// the reader of the encrypted records.
//
// What the endpoint trusts comes from the offer, and the offer only counts once it verified
// against the device certificate that chains to this browser's pinned root: the store relays
// every byte here and could otherwise name any session, key or camera it liked.

import { type Bytes, ascii, concat, equal, fromHex, toHex } from "./bytes";
import * as certs from "./certs";
import { Fields, type Json, type JsonObject, b64encode, fullMatch } from "./encoding";
import { type SignedEnvelope, parsePayload } from "./envelope";
import { BadSignature, HeaderMismatch, MalformedObject, RolledBack, UntrustedKey } from "./errors";
import { CAMERA_ID_RE, KEY_ID_BYTES, KEY_ID_RE, keyId } from "./identifiers";
import { type HeldP256Key } from "./keys";
import * as primitives from "./primitives";
import { type WrappedKey, unwrapHkdfKey, wrapContext, wrappedFromJson, wrappedToJson } from "./wrap";

export {
  LiveRecordReader,
  type LiveRecord,
  type RecordHeader,
  RECORD_END,
  RECORD_HEADER_BYTES,
  RECORD_INIT,
  RECORD_MEDIA,
  parseRecordHeader,
} from "./live-records";

export const LIVE_REQUEST_TYPE = "live-request";
export const LIVE_OFFER_TYPE = "live-offer";
export const LIVE_CONFIRM_TYPE = "live-confirm";
export const SESSION_ID_BYTES = 16;
export const NONCE_BYTES = 16;
export const LIVE_KEY_BYTES = 16;
const LIVE_VERSION = 1;
// The offer is signed under its own v2 label: no signature made for a v1 object can pass as one.
const OFFER_LABEL = ascii("e2ee-nvr/v2/live-offer\x00");
const CONFIRM_LABEL = ascii("e2ee-nvr/v2/live-confirm\x00");
const MEDIA_INFO = ascii("e2ee-nvr/v2/live/media");
const CONFIRM_INFO = ascii("e2ee-nvr/v2/live/confirm");
// camera_ref = device_id "/" camera_id (section 1.3).
const CAMERA_REF_RE = /([0-9a-f]{32})\/([a-z0-9_-]{1,32})/;

/** Step 1: what the endpoint asks the device for, through the store (plain JSON). */
export interface LiveRequest {
  accountId: string;
  cameraRef: string;
  keyId: string;
  nonce: Bytes;
}

export function newLiveRequest(accountId: string, cameraRef: string, keyIdText: string): LiveRequest {
  return liveRequestFromJson({
    v: LIVE_VERSION,
    type: LIVE_REQUEST_TYPE,
    account_id: accountId,
    camera_ref: cameraRef,
    key_id: keyIdText,
    // Fresh per request: the device binds its wrap of L and its signature to it, so an offer
    // made for another request (or another viewer) never verifies here.
    nonce: b64encode(primitives.randomBytes(NONCE_BYTES)),
  });
}

export function liveRequestToJson(request: LiveRequest): JsonObject {
  return {
    v: LIVE_VERSION,
    type: LIVE_REQUEST_TYPE,
    account_id: request.accountId,
    camera_ref: request.cameraRef,
    key_id: request.keyId,
    nonce: b64encode(request.nonce),
  };
}

export function liveRequestFromJson(document: Json | undefined): LiveRequest {
  const fields = new Fields(document, LIVE_REQUEST_TYPE);
  fields.versionAndType(LIVE_REQUEST_TYPE, LIVE_VERSION);
  const request = {
    accountId: fields.hex("account_id", KEY_ID_BYTES),
    cameraRef: fields.str("camera_ref", { maxLen: 65, pattern: CAMERA_REF_RE }),
    keyId: fields.hex("key_id", KEY_ID_BYTES),
    nonce: fields.bytes("nonce", { length: NONCE_BYTES }),
  };
  fields.done();
  return request;
}

/** Split a camera_ref into its device and camera ids (MalformedObject when it is not one). */
export function splitCameraRef(cameraRef: string): { deviceId: string; cameraId: string } {
  if (!fullMatch(CAMERA_REF_RE, cameraRef)) throw new MalformedObject("camera_ref: expected device_id/camera_id");
  const [deviceId = "", cameraId = ""] = cameraRef.split("/");
  return { deviceId, cameraId };
}

/** Step 2: the device's answer, as signed. */
export interface LiveOffer {
  accountId: string;
  deviceId: string;
  cameraId: string;
  sessionId: Bytes;
  requestNonce: Bytes;
  recipientEpoch: number;
  recipientSha256: Bytes;
  issuedAtMs: number;
  wrappedKey: WrappedKey;
}

export function liveOfferToJson(offer: LiveOffer): JsonObject {
  return {
    v: LIVE_VERSION,
    type: LIVE_OFFER_TYPE,
    account_id: offer.accountId,
    device_id: offer.deviceId,
    camera_id: offer.cameraId,
    session_id: toHex(offer.sessionId),
    request_nonce: b64encode(offer.requestNonce),
    recipient_epoch: offer.recipientEpoch,
    recipient_sha256: b64encode(offer.recipientSha256),
    issued_at_ms: offer.issuedAtMs,
    wrapped_key: wrappedToJson(offer.wrappedKey),
  };
}

/** Parse payload bytes exhaustively (call only after the signature verified). */
export function parseLiveOffer(rawPayload: Uint8Array): LiveOffer {
  const fields = new Fields(parsePayload(LIVE_OFFER_TYPE, rawPayload), LIVE_OFFER_TYPE);
  fields.int("v");
  fields.str("type");
  const offer: LiveOffer = {
    accountId: fields.hex("account_id", KEY_ID_BYTES),
    deviceId: fields.hex("device_id", KEY_ID_BYTES),
    cameraId: fields.str("camera_id", { maxLen: 32, pattern: CAMERA_ID_RE }),
    sessionId: fromHex(fields.hex("session_id", SESSION_ID_BYTES)),
    requestNonce: fields.bytes("request_nonce", { length: NONCE_BYTES }),
    recipientEpoch: fields.int("recipient_epoch", 1),
    recipientSha256: fields.bytes("recipient_sha256", { length: 32 }),
    issuedAtMs: fields.int("issued_at_ms"),
    wrappedKey: wrappedFromJson(fields.raw("wrapped_key")),
  };
  fields.done();
  return offer;
}

/** What the endpoint asked for and holds: the offer must answer exactly this. */
export interface OfferExpectation {
  accountId: string;
  deviceId: string;
  cameraId: string;
  requestNonce: Uint8Array;
  instance: HeldP256Key;
  /** The endpoint's held set H (section 10.1): its epoch and SHA-256 of its payload bytes. */
  heldEpoch: number;
  heldSha256: Uint8Array;
}

/** A verified offer: the session's keys stay inside WebCrypto, non-extractable. */
export interface VerifiedOffer {
  sessionId: Bytes;
  deviceId: string;
  cameraId: string;
  recipientEpoch: number;
  mediaKey: CryptoKey;
  confirmKey: CryptoKey;
  /** The device wraps to an older set than H: the store withholds a revocation (a warning). */
  withheld: boolean;
}

/** `e2ee-nvr/v1/wrap/live-key || 0x00 || session_id || request_nonce` (section 7). */
export function liveKeyContext(sessionId: Uint8Array, requestNonce: Uint8Array): Bytes {
  return wrapContext("live-key", concat(sessionId, requestNonce));
}

/** k_media (AES-128-GCM) and k_confirm (HMAC-SHA256) from L, salted with the session id. */
export async function sessionKeys(liveKey: CryptoKey, sessionId: Uint8Array): Promise<{ mediaKey: CryptoKey; confirmKey: CryptoKey }> {
  const mediaKey = await primitives.hkdfAesGcmKey(liveKey, sessionId, MEDIA_INFO, 16, ["decrypt"]);
  const confirmKey = await primitives.hkdfHmacKey(liveKey, sessionId, CONFIRM_INFO);
  return { mediaKey, confirmKey };
}

async function deviceKeyOf(deviceCert: certs.Cert, root: certs.Cert, deviceId: string): Promise<CryptoKey> {
  const deviceKey = await certs.verifyIssued(deviceCert, root, "device");
  if (deviceKey.kind !== "rsa") throw new UntrustedKey("device certificate does not carry an RSA key");
  if (deviceKey.keyId !== deviceId) throw new UntrustedKey("live-offer: the certificate is not the asked camera's device");
  return primitives.rsaPublicFromSpki(deviceKey.spki, "pss");
}

async function checkSignature(signed: SignedEnvelope, publicKey: CryptoKey): Promise<void> {
  if (signed.signer !== (await keyId(publicKey))) throw new BadSignature("live-offer: signed by another key than the device's");
  try {
    await primitives.rsaPssVerify(publicKey, concat(OFFER_LABEL, signed.payload), signed.signature);
  } catch {
    throw new BadSignature("live-offer: signature does not verify");
  }
}

/** RolledBack at H's epoch with other bytes; withheld (true) below it; above it is fine. */
function checkRecipients(offer: LiveOffer, expected: OfferExpectation): boolean {
  if (offer.recipientEpoch === expected.heldEpoch) {
    if (!equal(offer.recipientSha256, expected.heldSha256)) {
      throw new RolledBack(`live-offer: the device holds another set at epoch ${offer.recipientEpoch}`);
    }
    return false;
  }
  return offer.recipientEpoch < expected.heldEpoch;
}

/**
 * Section 18 step 2, in the spec's order: certificate, signature, parse, ids, what was asked,
 * the wrap, then the device's set against H. Only then is anything of the session used.
 */
export async function verifyLiveOffer(
  signed: SignedEnvelope,
  deviceCert: certs.Cert,
  root: certs.Cert,
  expected: OfferExpectation,
): Promise<VerifiedOffer> {
  const publicKey = await deviceKeyOf(deviceCert, root, expected.deviceId);
  await checkSignature(signed, publicKey);
  const offer = parseLiveOffer(signed.payload);
  // A valid signature by this device over another account's or device's claims is not an
  // offer to this account.
  if (offer.accountId !== expected.accountId) throw new BadSignature("live-offer: account_id differs from the pinned account");
  if (offer.deviceId !== signed.signer) throw new BadSignature("live-offer: device_id differs from the signing device");
  if (offer.cameraId !== expected.cameraId) throw new HeaderMismatch("live-offer: another camera than the one asked for");
  if (!equal(offer.requestNonce, expected.requestNonce)) throw new HeaderMismatch("live-offer: answers another request");
  const liveKey = await unwrapHkdfKey(expected.instance, offer.wrappedKey, liveKeyContext(offer.sessionId, offer.requestNonce), "live-key");
  const withheld = checkRecipients(offer, expected);
  const { mediaKey, confirmKey } = await sessionKeys(liveKey, offer.sessionId);
  return {
    sessionId: offer.sessionId,
    deviceId: offer.deviceId,
    cameraId: offer.cameraId,
    recipientEpoch: offer.recipientEpoch,
    mediaKey,
    confirmKey,
    withheld,
  };
}

/** HMAC-SHA256(k_confirm, label || session_id || request_nonce || key_id as ASCII hex). */
export async function confirmProof(confirmKey: CryptoKey, sessionId: Uint8Array, requestNonce: Uint8Array, keyIdText: string): Promise<Bytes> {
  if (!fullMatch(KEY_ID_RE, keyIdText)) throw new MalformedObject("live-confirm: key_id is not 32 hex digits");
  return primitives.hmacSha256WithKey(confirmKey, concat(CONFIRM_LABEL, sessionId, requestNonce, ascii(keyIdText)));
}

/** Step 3: the plain JSON proving this endpoint unwrapped L (only its instance key could). */
export async function confirmFor(verified: VerifiedOffer, keyIdText: string, requestNonce: Uint8Array): Promise<JsonObject> {
  const proof = await confirmProof(verified.confirmKey, verified.sessionId, requestNonce, keyIdText);
  return {
    v: LIVE_VERSION,
    type: LIVE_CONFIRM_TYPE,
    session_id: toHex(verified.sessionId),
    key_id: keyIdText,
    request_nonce: b64encode(requestNonce),
    proof: b64encode(proof),
  };
}
