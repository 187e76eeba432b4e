// The clip manifest a device signs for every clip, and the endpoint's checks (section 10).

import { type Bytes, fromHex } from "./bytes";
import { Fields, type Json, type JsonObject, b64encode, fullMatch } from "./encoding";
import * as envelope from "./envelope";
import { BadSignature, HeaderMismatch, MalformedObject, UntrustedKey } from "./errors";
import { CAMERA_ID_RE, CLIP_ID_BYTES, KEY_ID_BYTES, keyId } from "./identifiers";
import * as primitives from "./primitives";
import {
  type ContentKind,
  MAX_CHUNK_COUNT,
  type StreamHeader,
  type StreamSummary,
  checkHeader,
  chunkCountFor,
  ciphertextSizeFor,
  isValidChunkSize,
  parseHeader,
} from "./stream-format";
import { ECIES_P256, type WrappedKey, wrappedFromJson } from "./wrap";

export const MANIFEST_TYPE = "clip-manifest";
// One fixed MIME type per kind: the endpoint hands `mime; codecs=...` to Media Source
// Extensions, so the store-visible but device-signed strings are kept to known values.
export const MIME_BY_KIND: Record<ContentKind, string> = {
  video: "video/mp4",
  thumbnail: "image/jpeg",
  events: "application/json",
};
// RFC 6381 codec ids, comma-separated: no quotes, spaces or semicolons that could break out
// of a MIME type parameter.
const CODECS_RE = /[A-Za-z0-9.-]+(?:,[A-Za-z0-9.-]+)*/;
const MAX_CODECS_CHARS = 128;
const EVENT_KIND_RE = /[a-z_]{1,32}/;
const MAX_VISIBLE_EVENTS = 16;
const MAX_WRAPPED_KEYS = 64;
const ECIES_CLIP_KEY_CT_BYTES = 16 + primitives.GCM_TAG_BYTES;

/** One stream object of a clip as the manifest describes it; `codecs` is video only. */
export interface BlobRef extends StreamSummary {
  mime: string;
  codecs: string | null;
}

export interface ClipManifest {
  clipId: string;
  accountId: string;
  deviceId: string;
  cameraId: string;
  startMs: number;
  endMs: number;
  recipientEpoch: number;
  visibleEvents: string[];
  video: BlobRef;
  thumbnail: BlobRef | null;
  events: BlobRef | null;
  wrappedKeys: WrappedKey[];
}

export function clipIdBytes(manifest: ClipManifest): Bytes {
  return fromHex(manifest.clipId);
}

export function blobOf(manifest: ClipManifest, kind: ContentKind): BlobRef | null {
  return kind === "video" ? manifest.video : kind === "thumbnail" ? manifest.thumbnail : manifest.events;
}

export function blobToJson(blob: BlobRef): JsonObject {
  const document: JsonObject = {
    mime: blob.mime,
    chunk_size: blob.chunkSize,
    chunk_count: blob.chunkCount,
    plaintext_size: blob.plaintextSize,
    ciphertext_size: blob.ciphertextSize,
    ciphertext_sha256: b64encode(blob.ciphertextSha256),
  };
  if (blob.codecs !== null) document["codecs"] = blob.codecs;
  return document;
}

function parseBlob(fields: Fields, kind: ContentKind): BlobRef {
  const mime = fields.str("mime", { maxLen: 64 });
  if (mime !== MIME_BY_KIND[kind]) throw new MalformedObject(`manifest.${kind}.mime: expected ${MIME_BY_KIND[kind]}`);
  const codecs = kind === "video" ? fields.str("codecs", { maxLen: MAX_CODECS_CHARS, pattern: CODECS_RE }) : null;
  const blob: BlobRef = {
    mime,
    chunkSize: fields.int("chunk_size"),
    chunkCount: fields.int("chunk_count", 1, MAX_CHUNK_COUNT),
    plaintextSize: fields.int("plaintext_size"),
    ciphertextSize: fields.int("ciphertext_size"),
    ciphertextSha256: fields.bytes("ciphertext_sha256", { length: 32 }),
    codecs,
  };
  fields.done();
  // The sizes must be the ones section 9.2 gives, so that chunk ranges computed from the
  // manifest are the ranges the stream has, and the last flag lands on the last chunk.
  if (!isValidChunkSize(blob.chunkSize)) throw new MalformedObject(`manifest.${kind}.chunk_size out of range`);
  if (blob.chunkCount !== chunkCountFor(blob.plaintextSize, blob.chunkSize)) {
    throw new MalformedObject(`manifest.${kind}.chunk_count disagrees with the sizes`);
  }
  if (blob.ciphertextSize !== ciphertextSizeFor(blob.plaintextSize, blob.chunkSize)) {
    throw new MalformedObject(`manifest.${kind}.ciphertext_size disagrees with the sizes`);
  }
  return blob;
}

function parseVisibleEvents(raw: Json[]): string[] {
  const events: string[] = [];
  for (const kind of raw) {
    if (typeof kind !== "string" || !fullMatch(EVENT_KIND_RE, kind)) {
      throw new MalformedObject("manifest.visible_events: each must match [a-z_]{1,32}");
    }
    events.push(kind);
  }
  if (new Set(events).size !== events.length) throw new MalformedObject("manifest.visible_events: duplicate entries");
  return events;
}

function parseWrappedKeys(raw: Json[]): WrappedKey[] {
  const wrappedKeys = raw.map((item) => wrappedFromJson(item));
  // Every recipient set holds the data key, so a manifest without a wrap is unreadable.
  if (wrappedKeys.length === 0) throw new MalformedObject("manifest.wrapped_keys: empty");
  if (new Set(wrappedKeys.map((w) => w.keyId)).size !== wrappedKeys.length) {
    throw new MalformedObject("manifest.wrapped_keys: two wraps for one key_id");
  }
  for (const wrapped of wrappedKeys) {
    if (wrapped.alg === ECIES_P256 && wrapped.ct.length !== ECIES_CLIP_KEY_CT_BYTES) {
      throw new MalformedObject("manifest.wrapped_keys: ECIES ct is not a wrapped clip key");
    }
  }
  return wrappedKeys;
}

/** Parse payload bytes exhaustively (call only after the signature verified). */
export function parseManifest(rawPayload: Uint8Array): ClipManifest {
  const fields = new Fields(envelope.parsePayload(MANIFEST_TYPE, rawPayload), "manifest");
  fields.int("v");
  fields.str("type");
  const thumbnailFields = fields.optionalObj("thumbnail");
  const eventsFields = fields.optionalObj("events");
  const manifest: ClipManifest = {
    clipId: fields.hex("clip_id", CLIP_ID_BYTES),
    accountId: fields.hex("account_id", KEY_ID_BYTES),
    deviceId: fields.hex("device_id", KEY_ID_BYTES),
    cameraId: fields.str("camera_id", { maxLen: 32, pattern: CAMERA_ID_RE }),
    startMs: fields.int("start_ms"),
    endMs: fields.int("end_ms"),
    recipientEpoch: fields.int("recipient_epoch", 1),
    visibleEvents: parseVisibleEvents(fields.list("visible_events", MAX_VISIBLE_EVENTS)),
    video: parseBlob(fields.obj("video"), "video"),
    thumbnail: thumbnailFields === null ? null : parseBlob(thumbnailFields, "thumbnail"),
    events: eventsFields === null ? null : parseBlob(eventsFields, "events"),
    wrappedKeys: parseWrappedKeys(fields.list("wrapped_keys", MAX_WRAPPED_KEYS)),
  };
  fields.done();
  if (manifest.endMs < manifest.startMs) throw new MalformedObject("manifest: end_ms before start_ms");
  return manifest;
}

/**
 * Verify the device's signature over the received bytes, then parse, then check the ids. The
 * caller passes the RSA-PSS key of a device certificate checked against its pinned root.
 * account_id is checked here, before the caller unwraps anything.
 */
export async function verifyManifest(
  signed: envelope.SignedEnvelope,
  devicePublicKey: CryptoKey,
  accountId: string,
  deviceId: string,
): Promise<ClipManifest> {
  try {
    primitives.rsaCheckPublic(devicePublicKey);
  } catch {
    throw new UntrustedKey("device key outside suite 1");
  }
  if ((await keyId(devicePublicKey)) !== deviceId) {
    throw new BadSignature("manifest: the key given is not the expected device's");
  }
  await envelope.verify(MANIFEST_TYPE, signed, devicePublicKey);
  const manifest = parseManifest(signed.payload);
  // A valid signature by this device over another account's or device's claims is not a
  // signature on this clip for this account.
  if (manifest.deviceId !== deviceId || signed.signer !== deviceId) {
    throw new BadSignature("manifest: device_id differs from the signing device");
  }
  if (manifest.accountId !== accountId) throw new BadSignature("manifest: account_id differs from the pinned account");
  return manifest;
}

/** Refuse a stream header that disagrees with the manifest entry for its kind (range reads). */
export function checkStreamAgainstManifest(
  headerBytes: Uint8Array,
  blob: BlobRef,
  clipId: string,
  kind: ContentKind,
): StreamHeader {
  const header = parseHeader(headerBytes);
  if (blob.mime !== MIME_BY_KIND[kind]) throw new HeaderMismatch(`manifest entry is not a ${kind} entry`);
  checkHeader(header, fromHex(clipId), kind, blob.chunkSize);
  return header;
}
