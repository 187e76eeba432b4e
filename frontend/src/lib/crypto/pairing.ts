// Pairing a device through an untrusted relay, authenticated by a one-time code (section 8).
//
// The endpoint side: normalise the typed code, derive the session id and MAC keys, open the
// relayed request, issue the device certificate and MAC the grant. The device's grant check
// (acceptPairingGrant) is here too, so grants made in the browser are checked as a device would.

import { type Bytes, ascii, constantTimeEqual } from "./bytes";
import * as certs from "./certs";
import { verifyCsr } from "./csr";
import { Fields, type Json, type JsonObject, b64encode } from "./encoding";
import * as envelope from "./envelope";
import { MalformedObject, PairingExpired, PairingMacMismatch, UntrustedKey } from "./errors";
import { CAMERA_ID_RE, KEY_ID_BYTES } from "./identifiers";
import { issueCertificate } from "./issue";
import * as primitives from "./primitives";
import * as recipients from "./recipients";

export const CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; // RFC 4648 base32
export const CODE_LENGTH = 20; // 20 x 5 bits = 100 bits
export const URI_PREFIX = "e2ee-nvr-pair:";
export const REQUEST_TYPE = "pairing-request";
export const GRANT_TYPE = "pairing-grant";
const HKDF_SALT = ascii("e2ee-nvr/v1/pairing");
const HKDF_INFO_PREFIX = "e2ee-nvr/v1/pairing/";
const SESSION_ID_BYTES = 16;
const MAC_KEY_BYTES = 32;
const NONCE_BYTES = 16;
const MAX_NAME_CHARS = 64;
const MAX_CAMERAS = 32;
const MAX_DER_BYTES = 8192;
// The digits people type for the letters they resemble (section 8.1).
const CONFUSABLES: Record<string, string> = { "0": "O", "1": "I", "8": "B" };

/**
 * Upper-case, drop spaces and hyphens, map 0/1/8 to O/I/B; require 20 alphabet characters.
 * Non-ASCII input is refused before upper-casing: Unicode case mapping turns some non-ASCII
 * letters into ASCII ones (U+0131 dotless i -> "I"), and both implementations must agree.
 */
export function normaliseCode(typed: string): string {
  if (!/^[\x00-\x7f]*$/.test(typed)) throw new MalformedObject("pairing code: only ASCII letters and digits");
  const code = [...typed.toUpperCase().replace(/[ -]/g, "")].map((c) => CONFUSABLES[c] ?? c).join("");
  if (code.length !== CODE_LENGTH || ![...code].every((c) => CODE_ALPHABET.includes(c))) {
    throw new MalformedObject(`pairing code: expected ${CODE_LENGTH} characters of A-Z, 2-7`);
  }
  return code;
}

/** The code inside a scanned QR code (`e2ee-nvr-pair:<20 chars>`). */
export function codeFromUri(uri: string): string {
  if (!uri.startsWith(URI_PREFIX)) throw new MalformedObject("not an e2ee-nvr-pair: URI");
  return normaliseCode(uri.slice(URI_PREFIX.length));
}

/** Keys from one code; the MAC keys never leave this module's callers' memory. */
export interface PairingKeys {
  sessionId: string;
  requestMacKey: Bytes;
  grantMacKey: Bytes;
}

/** Section 8.2: HKDF-SHA256 over the normalised code, one info label per key. */
export async function derivePairingKeys(typed: string): Promise<PairingKeys> {
  const ikm = ascii(normaliseCode(typed));
  const derive = (name: string, length: number) =>
    primitives.hkdfSha256(ikm, HKDF_SALT, ascii(HKDF_INFO_PREFIX + name), length);
  const sessionId = await derive("session-id", SESSION_ID_BYTES);
  return {
    sessionId: [...sessionId].map((b) => b.toString(16).padStart(2, "0")).join(""),
    requestMacKey: await derive("request-mac", MAC_KEY_BYTES),
    grantMacKey: await derive("grant-mac", MAC_KEY_BYTES),
  };
}

export interface PairingCamera {
  cameraId: string;
  name: string;
}

/** A verified request: what the device sent, its exact payload bytes, and its certified key. */
export interface PairingRequest {
  sessionId: string;
  csrDer: Bytes;
  agentName: string;
  cameras: PairingCamera[];
  agentNonce: Bytes;
  expiresAt: number;
  payload: Bytes;
  deviceKey: certs.CertifiedKey & { kind: "rsa" };
}

function parseCamera(item: Json | undefined, index: number): PairingCamera {
  const fields = new Fields(item, `${REQUEST_TYPE}.cameras[${index}]`);
  const camera = {
    cameraId: fields.str("camera_id", { maxLen: 32, pattern: CAMERA_ID_RE }),
    name: fields.str("name", { maxLen: MAX_NAME_CHARS }),
  };
  fields.done();
  return camera;
}

async function parseRequest(raw: Bytes, payload: JsonObject): Promise<PairingRequest> {
  const fields = new Fields(payload, REQUEST_TYPE);
  fields.int("v", envelope.PROTOCOL_VERSION, envelope.PROTOCOL_VERSION);
  fields.str("type");
  const sessionId = fields.hex("session_id", SESSION_ID_BYTES);
  const csrDer = fields.bytes("csr", { maxLen: MAX_DER_BYTES });
  const agentName = fields.str("agent_name", { maxLen: MAX_NAME_CHARS });
  const items = fields.list("cameras", MAX_CAMERAS);
  const agentNonce = fields.bytes("agent_nonce", { length: NONCE_BYTES });
  const expiresAt = fields.int("expires_at");
  fields.done();
  const cameras = items.map(parseCamera);
  if (new Set(cameras.map((c) => c.cameraId)).size !== cameras.length) {
    throw new MalformedObject(`${REQUEST_TYPE}: duplicate camera_id`);
  }
  const deviceKey = await verifyCsr(csrDer);
  return { sessionId, csrDer, agentName, cameras, agentNonce, expiresAt, payload: raw, deviceKey };
}

/** Read the relayed request unauthenticated (the store's view: listing and routing only). */
export async function readRelayedRequest(maced: envelope.MacedEnvelope): Promise<PairingRequest> {
  return parseRequest(maced.payload, envelope.parsePayload(REQUEST_TYPE, maced.payload));
}

/**
 * Endpoint: verify a relayed request under the typed code (section 8.3). MAC first, then the
 * authenticated bytes are parsed and the CSR checked, then the session and the expiry.
 * PairingMacMismatch: wrong code, altered by the relay, or another code's session.
 * PairingExpired: now >= expires_at. UntrustedKey: CSR signature or key. MalformedObject: a
 * typed code that is not 20 alphabet characters (a typo, not a wrong code).
 */
export async function openPairingRequest(
  maced: envelope.MacedEnvelope,
  typedCode: string,
  now: number,
): Promise<PairingRequest> {
  const keys = await derivePairingKeys(typedCode);
  const payload = await envelope.verifyMac(REQUEST_TYPE, maced, keys.requestMacKey);
  const request = await parseRequest(maced.payload, payload);
  if (!constantTimeEqual(ascii(request.sessionId), ascii(keys.sessionId))) {
    throw new PairingMacMismatch(`${REQUEST_TYPE}: session_id is not this code's`);
  }
  if (now >= request.expiresAt) throw new PairingExpired(`${REQUEST_TYPE}: the code has expired`);
  return request;
}

export interface GrantInput {
  request: envelope.MacedEnvelope;
  typedCode: string;
  now: number;
  root: certs.Cert;
  signingKey: CryptoKey;
  recipientSet: envelope.SignedEnvelope;
  dataKeyId: string;
}

/**
 * Endpoint: certify the device and send it the root and recipient set (section 8.4).
 *
 * The request is opened again here from its envelope and code, so the certificate is for the
 * key in the CSR the device MACed and for nothing else, issued from that public key alone. The
 * recipient set is checked as the device will check it: a grant the device would refuse is
 * never sent (it would burn the code).
 */
export async function makePairingGrant(input: GrantInput): Promise<{ grant: envelope.MacedEnvelope; deviceCert: certs.Cert }> {
  const keys = await derivePairingKeys(input.typedCode);
  const request = await openPairingRequest(input.request, input.typedCode, input.now);
  await recipients.verifyRecipientSet(input.recipientSet, input.root, input.dataKeyId);
  const deviceCert = await issueCertificate(input.root, input.signingKey, request.deviceKey.spki, "device");
  const payload: JsonObject = {
    v: envelope.PROTOCOL_VERSION,
    type: GRANT_TYPE,
    session_id: keys.sessionId,
    // Binds the grant to one request: a relay cannot answer request A with a grant for B.
    request_sha256: b64encode(await primitives.sha256(input.request.payload)),
    root_cert: b64encode(input.root.der),
    device_cert: b64encode(deviceCert.der),
    data_key_id: input.dataKeyId,
    recipient_set: envelope.signedToJson(input.recipientSet),
  };
  return { grant: await envelope.mac(GRANT_TYPE, payload, keys.grantMacKey), deviceCert };
}

export interface AcceptedGrant {
  accountId: string;
  dataKeyId: string;
  deviceId: string;
  root: certs.Cert;
  deviceCert: certs.Cert;
  recipientSet: recipients.VerifiedRecipientSet;
}

/**
 * Device: verify a grant against the code and the request it sent (section 8.4), in Python's
 * order. The caller marks the code used before calling and passes alreadyUsed for any code
 * seen before, whatever the outcome: a refused grant burns the code.
 */
export async function acceptPairingGrant(
  maced: envelope.MacedEnvelope,
  device: { code: string; requestPayload: Uint8Array; deviceKeyId: string; expiresAt: number; now: number; alreadyUsed: boolean },
): Promise<AcceptedGrant> {
  if (device.alreadyUsed) throw new PairingExpired("pairing code already used");
  if (device.now >= device.expiresAt) throw new PairingExpired("pairing code has expired");
  const keys = await derivePairingKeys(device.code);
  const fields = new Fields(await envelope.verifyMac(GRANT_TYPE, maced, keys.grantMacKey), GRANT_TYPE);
  fields.int("v", envelope.PROTOCOL_VERSION, envelope.PROTOCOL_VERSION);
  fields.str("type");
  const sessionId = fields.hex("session_id", SESSION_ID_BYTES);
  const requestSha256 = fields.bytes("request_sha256", { length: 32 });
  const rootDer = fields.bytes("root_cert", { maxLen: MAX_DER_BYTES });
  const deviceDer = fields.bytes("device_cert", { maxLen: MAX_DER_BYTES });
  const dataKeyId = fields.hex("data_key_id", KEY_ID_BYTES);
  const signedSet = envelope.signedFromJson(fields.raw("recipient_set"));
  fields.done();
  if (!constantTimeEqual(ascii(sessionId), ascii(keys.sessionId))) {
    throw new PairingMacMismatch(`${GRANT_TYPE}: session_id is not this code's`);
  }
  if (!constantTimeEqual(requestSha256, await primitives.sha256(device.requestPayload))) {
    throw new PairingMacMismatch(`${GRANT_TYPE}: answers another request`);
  }
  const root = await certs.loadCert(rootDer);
  const rootKey = await certs.verifyRoot(root);
  const deviceCert = await certs.loadCert(deviceDer);
  const deviceKey = await certs.verifyIssued(deviceCert, root, "device");
  if (deviceKey.keyId !== device.deviceKeyId) throw new UntrustedKey(`${GRANT_TYPE}: device certificate is for another key`);
  const recipientSet = await recipients.verifyRecipientSet(signedSet, root, dataKeyId);
  return { accountId: rootKey.keyId, dataKeyId, deviceId: deviceKey.keyId, root, deviceCert, recipientSet };
}

