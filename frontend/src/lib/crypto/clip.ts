// Opening a whole clip at the endpoint: manifest check, clip key, decrypted streams
// (sections 9-11; clip.py is the Python twin, which also holds the device side).

import { type Bytes, equal } from "./bytes";
import { Fields, type JsonObject, loads } from "./encoding";
import * as certs from "./certs";
import { type SignedEnvelope } from "./envelope";
import { HeaderMismatch, MalformedObject } from "./errors";
import { type HeldKey } from "./keys";
import { type ClipManifest, blobOf, clipIdBytes, verifyManifest } from "./manifest";
import * as primitives from "./primitives";
import { StreamDecryptor, decryptAll, decryptStream } from "./stream";
import { type ContentKind } from "./stream-format";
import { unwrapAny, unwrapBytes, unwrapHkdfKey, wrapContext } from "./wrap";

const EVENTS_TYPE = "clip-events";
const MAX_EVENTS = 256;

export interface ClipEvent {
  kind: string;
  startMs: number;
  endMs: number | null;
  source: string;
}

export function eventToJson(event: ClipEvent): JsonObject {
  return { kind: event.kind, start_ms: event.startMs, end_ms: event.endMs, source: event.source };
}

export function decodeEvents(plaintext: Uint8Array): ClipEvent[] {
  const fields = new Fields(loads(plaintext), EVENTS_TYPE);
  fields.versionAndType(EVENTS_TYPE, 1);
  const events: ClipEvent[] = [];
  for (const item of fields.list("events", MAX_EVENTS)) {
    const entry = new Fields(item, "event");
    const endRaw = entry.raw("end_ms");
    events.push({
      kind: entry.str("kind", { maxLen: 32 }),
      startMs: entry.int("start_ms"),
      endMs: endRaw === null ? null : entry.int("end_ms"),
      source: entry.str("source", { maxLen: 64 }),
    });
    entry.done();
  }
  fields.done();
  return events;
}

/** A device key whose certificate chains to the pinned root, as manifests are checked with. */
export interface DeviceSigner {
  publicKey: CryptoKey;
  accountId: string;
  deviceId: string;
}

/**
 * Endpoint: the device certificate must chain to the pinned root (section 10). A pure function
 * of the two certificates (no clock is read), so a caller may keep its answer per exact
 * certificate bytes and pinned root: a day of clips from one camera has one certificate.
 */
export async function verifyDeviceCert(deviceCert: certs.Cert, root: certs.Cert): Promise<DeviceSigner> {
  const deviceKey = await certs.verifyIssued(deviceCert, root, "device");
  if (deviceKey.kind !== "rsa") throw new MalformedObject("device certificate does not carry an RSA key");
  const accountId = (await certs.verifyRoot(root)).keyId;
  const publicKey = await primitives.rsaPublicFromSpki(deviceKey.spki, "pss");
  return { publicKey, accountId, deviceId: deviceKey.keyId };
}

/** Endpoint: the manifest as signed by `signer`, a device key verifyDeviceCert accepted. */
export function verifySignedManifest(signed: SignedEnvelope, signer: DeviceSigner): Promise<ClipManifest> {
  return verifyManifest(signed, signer.publicKey, signer.accountId, signer.deviceId);
}

/** Endpoint: the device certificate must chain to the pinned root (section 10). */
export async function verifyClipManifest(
  signed: SignedEnvelope,
  deviceCert: certs.Cert,
  root: certs.Cert,
): Promise<ClipManifest> {
  return verifySignedManifest(signed, await verifyDeviceCert(deviceCert, root));
}

/**
 * The clip key as a non-extractable HKDF key, from the instance key or the account data key.
 * NoRecipientKey when no wrap names a held key.
 */
export async function openClipKey(manifest: ClipManifest, heldKeys: readonly HeldKey[]): Promise<CryptoKey> {
  const context = wrapContext("clip-key", clipIdBytes(manifest));
  return unwrapAny(heldKeys, manifest.wrappedKeys, (held, wrapped) =>
    unwrapHkdfKey(held, wrapped, context, "clip-key"),
  );
}

/** The clip key as bytes: for vectors and the interop tests only. */
export async function openClipKeyBytes(manifest: ClipManifest, heldKeys: readonly HeldKey[]): Promise<Bytes> {
  const context = wrapContext("clip-key", clipIdBytes(manifest));
  return unwrapAny(heldKeys, manifest.wrappedKeys, (held, wrapped) =>
    unwrapBytes(held, wrapped, context, "clip-key"),
  );
}

/** A streaming decryptor that also checks chunk count and sizes against the manifest. */
export function decryptorFor(manifest: ClipManifest, clipKey: CryptoKey | Uint8Array, kind: ContentKind) {
  const blob = blobOf(manifest, kind);
  if (blob === null) throw new MalformedObject(`clip has no ${kind} stream`);
  return new StreamDecryptor(clipKey, clipIdBytes(manifest), kind, blob);
}

/** A TransformStream for a fetch body of the clip's `kind` stream (video into MSE). */
export function decryptTransform(manifest: ClipManifest, clipKey: CryptoKey, kind: ContentKind) {
  const blob = blobOf(manifest, kind);
  if (blob === null) throw new MalformedObject(`clip has no ${kind} stream`);
  return decryptStream(clipKey, clipIdBytes(manifest), kind, blob);
}

/**
 * Decrypt a whole object held in memory (thumbnail, events). With every byte at hand the
 * signed `ciphertext_sha256` costs one native digest, so it is checked too (section 9.2): it
 * ties the object to the device that signed the manifest, not only to a holder of the clip key.
 */
export async function decryptBlob(
  manifest: ClipManifest,
  clipKey: CryptoKey | Uint8Array,
  kind: ContentKind,
  ciphertext: Uint8Array,
): Promise<Bytes> {
  const plaintext = await decryptAll(decryptorFor(manifest, clipKey, kind), ciphertext);
  const expected = blobOf(manifest, kind)?.ciphertextSha256;
  if (expected === undefined || !equal(await primitives.sha256(ciphertext), expected)) {
    plaintext.fill(0);
    throw new HeaderMismatch(`the ${kind} stream is not the object its manifest signs`);
  }
  return plaintext;
}

/** The MIME type string for MediaSource.isTypeSupported / addSourceBuffer. */
export function videoMimeType(manifest: ClipManifest): string {
  return `${manifest.video.mime}; codecs="${manifest.video.codecs ?? ""}"`;
}
