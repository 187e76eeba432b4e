// A test stand-in for the device side of section 18 (live.py holds the real one): a pinned root,
// a certified device key, an offer signed under the live-offer label, and sealed records. Built
// from the protocol's own primitives so the endpoint code under test meets real signatures,
// wraps and AES-GCM tags.

import { type Bytes, ascii, concat, toHex, uintBE } from "../src/lib/crypto/bytes";
import * as certs from "../src/lib/crypto/certs";
import { dumps, type JsonObject } from "../src/lib/crypto/encoding";
import { type SignedEnvelope } from "../src/lib/crypto/envelope";
import { issueCertificate, makeRoot } from "../src/lib/crypto/issue";
import { type HeldP256Key, newInstanceKey } from "../src/lib/crypto/keys";
import { type LiveOffer, liveKeyContext, liveOfferToJson } from "../src/lib/crypto/live";
import { RECORD_HEADER_BYTES } from "../src/lib/crypto/live-records";
import * as primitives from "../src/lib/crypto/primitives";
import { wrapToP256 } from "../src/lib/crypto/wrap";

export interface Signer {
  cert: certs.Cert;
  privateKey: CryptoKey;
  keyId: string;
}

export interface LiveWorld {
  root: certs.Cert;
  rootKey: CryptoKey;
  accountId: string;
  device: Signer;
  instance: HeldP256Key;
}

async function pssPair(): Promise<{ pair: CryptoKeyPair; spki: Bytes }> {
  const pair = await primitives.rsaGenerate("pss", false);
  return { pair, spki: await primitives.exportSpki(pair.publicKey) };
}

export async function newRoot(): Promise<{ root: certs.Cert; rootKey: CryptoKey; accountId: string }> {
  const { pair, spki } = await pssPair();
  const root = await makeRoot(pair.privateKey, spki);
  return { root, rootKey: pair.privateKey, accountId: (await certs.verifyRoot(root)).keyId };
}

export async function newDevice(root: certs.Cert, rootKey: CryptoKey): Promise<Signer> {
  const { pair, spki } = await pssPair();
  const cert = await issueCertificate(root, rootKey, spki, "device");
  return { cert, privateKey: pair.privateKey, keyId: cert.key.keyId ?? "" };
}

export async function newWorld(): Promise<LiveWorld> {
  const { root, rootKey, accountId } = await newRoot();
  return { root, rootKey, accountId, device: await newDevice(root, rootKey), instance: await newInstanceKey() };
}

/** Sign `payload` as a live offer (label e2ee-nvr/v2/live-offer). */
export async function signOffer(payload: JsonObject, signer: Signer): Promise<SignedEnvelope> {
  const raw = dumps(payload);
  const signature = await primitives.rsaPssSign(signer.privateKey, concat(ascii("e2ee-nvr/v2/live-offer\x00"), raw));
  return { payload: raw, signature, signer: signer.keyId };
}

export interface OfferParts {
  sessionId?: Bytes;
  liveKey?: Bytes;
  cameraId?: string;
  recipientEpoch?: number;
  recipientSha256?: Bytes;
  /** Wrap L to this public key instead of the instance's. */
  wrapTo?: CryptoKey;
}

/** An offer from `world.device` answering `nonce`, with the parts a test changes. */
export async function makeOffer(world: LiveWorld, nonce: Uint8Array, parts: OfferParts = {}): Promise<{ offer: LiveOffer; liveKey: Bytes }> {
  const sessionId = parts.sessionId ?? primitives.randomBytes(16);
  const liveKey = parts.liveKey ?? primitives.randomBytes(16);
  const wrappedKey = await wrapToP256(parts.wrapTo ?? world.instance.publicKey, liveKey, liveKeyContext(sessionId, nonce));
  const offer: LiveOffer = {
    accountId: world.accountId,
    deviceId: world.device.keyId,
    cameraId: parts.cameraId ?? "front-door",
    sessionId,
    requestNonce: new Uint8Array(nonce),
    recipientEpoch: parts.recipientEpoch ?? 3,
    recipientSha256: parts.recipientSha256 ?? new Uint8Array(32).fill(7),
    issuedAtMs: 1_764_450_000_000,
    wrappedKey,
  };
  return { offer, liveKey };
}

export async function signedOffer(world: LiveWorld, offer: LiveOffer, signer: Signer = world.device): Promise<SignedEnvelope> {
  return signOffer(liveOfferToJson(offer), signer);
}

/** The device's record sealer: k_media from L, one record per call, seq as given. */
export class RecordSealer {
  private constructor(
    readonly sessionId: Bytes,
    private readonly mediaKey: Bytes,
  ) {}

  static async create(sessionId: Bytes, liveKey: Bytes): Promise<RecordSealer> {
    const mediaKey = await primitives.hkdfSha256(liveKey, sessionId, ascii("e2ee-nvr/v2/live/media"), 16);
    return new RecordSealer(sessionId, mediaKey);
  }

  async seal(type: number, seq: number, plaintext: Uint8Array, reserved = 0): Promise<Bytes> {
    const header = concat(ascii("E2LV"), new Uint8Array([type, reserved, 0, 0]), this.sessionId, uintBE(seq, 8), uintBE(plaintext.length + 16, 4));
    if (header.length !== RECORD_HEADER_BYTES) throw new Error("header size");
    const nonce = concat(new Uint8Array(4), uintBE(seq, 8));
    return concat(header, await primitives.aesGcmEncrypt(this.mediaKey, nonce, plaintext, header));
  }

  get sessionHex(): string {
    return toHex(this.sessionId);
  }
}
