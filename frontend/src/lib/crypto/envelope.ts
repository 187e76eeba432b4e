// Signed and MACed envelopes: exact payload bytes travel beside their signature (section 1.2).
//
// The signature covers `label || 0x00 || payload`, where the label names the object type, so a
// signature made for a manifest can never pass as a recipient set. Verification happens on the
// received bytes before anything parses them.

import { type Bytes, ascii, concat } from "./bytes";
import { Fields, type Json, type JsonObject, b64encode, checkVersionAndType, dumps, loads } from "./encoding";
import { BadSignature, PairingMacMismatch } from "./errors";
import { KEY_ID_RE, keyId } from "./identifiers";
import * as primitives from "./primitives";

export const PROTOCOL_VERSION = 1;
/** Version 2 of the trust core (recipient set, account, key backup); other objects stay at 1. */
export const TRUST_CORE_VERSION = 2;
export const MAX_PAYLOAD_BYTES = 1 << 20;

export function labelBytes(objectType: string): Bytes {
  return concat(ascii(`e2ee-nvr/v1/${objectType}`), new Uint8Array([0]));
}

export interface SignedEnvelope {
  payload: Bytes;
  signature: Bytes;
  signer: string;
}

export function signedToJson(envelope: SignedEnvelope): JsonObject {
  return {
    payload: b64encode(envelope.payload),
    signature: b64encode(envelope.signature),
    signer: envelope.signer,
  };
}

export function signedFromJson(document: Json | undefined): SignedEnvelope {
  const fields = new Fields(document, "envelope");
  const envelope = {
    payload: fields.bytes("payload", { maxLen: MAX_PAYLOAD_BYTES }),
    signature: fields.bytes("signature", { maxLen: 512 }),
    signer: fields.str("signer", { pattern: KEY_ID_RE }),
  };
  fields.done();
  return envelope;
}

function checkOwnType(objectType: string, payload: JsonObject): void {
  const version = payload["v"];
  if (payload["type"] !== objectType || (version !== PROTOCOL_VERSION && version !== TRUST_CORE_VERSION)) {
    throw new Error("payload must carry v=1 or v=2 and its own type");
  }
}

/** Serialise payload and sign it under its type's label with an RSA-PSS private key. */
export async function sign(
  objectType: string,
  payload: JsonObject,
  privateKey: CryptoKey,
  signerKeyId: string,
): Promise<SignedEnvelope> {
  checkOwnType(objectType, payload);
  const raw = dumps(payload);
  const signature = await primitives.rsaPssSign(privateKey, concat(labelBytes(objectType), raw));
  return { payload: raw, signature, signer: signerKeyId };
}

/** Verify the signature over the received bytes, then parse them; return the payload. */
export async function verify(
  objectType: string,
  envelope: SignedEnvelope,
  publicKey: CryptoKey,
  versions: readonly number[] = [PROTOCOL_VERSION],
): Promise<JsonObject> {
  if (envelope.signer !== (await keyId(publicKey))) {
    throw new BadSignature(`${objectType}: signed by ${envelope.signer}, expected another key`);
  }
  try {
    await primitives.rsaPssVerify(
      publicKey,
      concat(labelBytes(objectType), envelope.payload),
      envelope.signature,
    );
  } catch {
    throw new BadSignature(`${objectType}: signature does not verify`);
  }
  return parsePayload(objectType, envelope.payload, versions);
}

/** Parse payload bytes and check their version and type (after any signature check). */
export function parsePayload(
  objectType: string,
  raw: Uint8Array,
  versions: readonly number[] = [PROTOCOL_VERSION],
): JsonObject {
  const document = loads(raw, MAX_PAYLOAD_BYTES);
  const found = document["v"];
  // Checked against the highest accepted version when the found one is not accepted, so the
  // refusal is UnsupportedVersion (MalformedObject for a non-integer), as section 1.1 says.
  const accepted = typeof found === "number" && versions.includes(found) ? found : (versions[versions.length - 1] ?? PROTOCOL_VERSION);
  checkVersionAndType(document, objectType, accepted);
  return document;
}

export interface MacedEnvelope {
  payload: Bytes;
  mac: Bytes;
}

export function macedToJson(envelope: MacedEnvelope): JsonObject {
  return { payload: b64encode(envelope.payload), mac: b64encode(envelope.mac) };
}

export function macedFromJson(document: Json | undefined): MacedEnvelope {
  const fields = new Fields(document, "envelope");
  const envelope = {
    payload: fields.bytes("payload", { maxLen: MAX_PAYLOAD_BYTES }),
    mac: fields.bytes("mac", { length: 32 }),
  };
  fields.done();
  return envelope;
}

export async function mac(
  objectType: string,
  payload: JsonObject,
  key: Uint8Array,
): Promise<MacedEnvelope> {
  checkOwnType(objectType, payload);
  const raw = dumps(payload);
  return { payload: raw, mac: await primitives.hmacSha256(key, concat(labelBytes(objectType), raw)) };
}

export async function verifyMac(
  objectType: string,
  envelope: MacedEnvelope,
  key: Uint8Array,
): Promise<JsonObject> {
  const message = concat(labelBytes(objectType), envelope.payload);
  if (!(await primitives.hmacSha256Verify(key, message, envelope.mac))) {
    throw new PairingMacMismatch(`${objectType}: MAC does not verify (wrong code or altered)`);
  }
  return parsePayload(objectType, envelope.payload);
}
