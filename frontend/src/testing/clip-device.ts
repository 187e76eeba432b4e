// A test stand-in for the device side of a recorded clip (protocol/clip.py's ClipEncryptor holds
// the real one): a clip key wrapped to the browser's instance key, a video and padded event
// details encrypted under it, and the manifest signed by a certified device key. Built from the
// protocol's own primitives (test/live-device.ts makes the root and device), so the clip opener
// under test meets real signatures, wraps and AES-GCM tags.

import { type ClipManifestResult, type ClipRow } from "../lib/api/schemas";
import { toHex } from "../lib/crypto/bytes";
import { type ClipEvent } from "../lib/crypto/clip";
import { b64encode, dumps } from "../lib/crypto/encoding";
import * as envelope from "../lib/crypto/envelope";
import { padEvents } from "../lib/crypto/event-padding";
import { type BlobRef, MANIFEST_TYPE, MIME_BY_KIND, blobToJson } from "../lib/crypto/manifest";
import * as primitives from "../lib/crypto/primitives";
import { StreamEncryptor } from "../lib/crypto/stream";
import { type ContentKind } from "../lib/crypto/stream-format";
import { wrapContext, wrapToP256, wrappedToJson } from "../lib/crypto/wrap";
import { type EnrolledEndpoint } from "../lib/flows/account-ops";
import { type LiveWorld, newWorld } from "../../test/live-device";

export interface SealedClip {
  clipId: string;
  /** What HA's `clips/manifest` answers for it. */
  reply: ClipManifestResult;
  /** The events object's ciphertext as stored. */
  events: Uint8Array;
}

export interface ClipDevice {
  world: LiveWorld;
  /** The browser that holds the instance key the clips are wrapped to. */
  endpoint: EnrolledEndpoint;
  seal(startMs: number, events: readonly ClipEvent[]): Promise<SealedClip>;
}

async function encrypted(clipKey: Uint8Array, clipId: Uint8Array, kind: ContentKind, plaintext: Uint8Array): Promise<{ ciphertext: Uint8Array; blob: BlobRef }> {
  const encryptor = new StreamEncryptor(clipKey, clipId, kind, 1 << 12);
  const ciphertext = new Uint8Array([...(await encryptor.update(plaintext)), ...(await encryptor.finalize())]);
  return { ciphertext, blob: { ...encryptor.summary, mime: MIME_BY_KIND[kind], codecs: kind === "video" ? "avc1.42e01e" : null } };
}

async function seal(world: LiveWorld, startMs: number, events: readonly ClipEvent[]): Promise<SealedClip> {
  const clipIdBytes = primitives.randomBytes(16);
  const clipId = toHex(clipIdBytes);
  const clipKey = primitives.randomBytes(16);
  const video = await encrypted(clipKey, clipIdBytes, "video", primitives.randomBytes(5000));
  const details = await encrypted(clipKey, clipIdBytes, "events", padEvents(events));
  const wrapped = await wrapToP256(world.instance.publicKey, clipKey, wrapContext("clip-key", clipIdBytes));
  const payload = {
    v: envelope.PROTOCOL_VERSION,
    type: MANIFEST_TYPE,
    clip_id: clipId,
    account_id: world.accountId,
    device_id: world.device.keyId,
    camera_id: "front-door",
    start_ms: startMs,
    end_ms: startMs + 60_000,
    recipient_epoch: 1,
    visible_events: ["motion"],
    video: blobToJson(video.blob),
    thumbnail: null,
    events: blobToJson(details.blob),
    wrapped_keys: [wrappedToJson(wrapped)],
  };
  const signed = await envelope.sign(MANIFEST_TYPE, payload, world.device.privateKey, world.device.keyId);
  const clip: ClipRow = { clip_id: clipId, device_id: world.device.keyId, camera_id: "front-door", start_ms: startMs, end_ms: startMs + 60_000, size_bytes: video.ciphertext.length, events: ["motion"], kinds: ["video", "events"] };
  const manifest = new TextDecoder().decode(dumps(envelope.signedToJson(signed)));
  return { clipId, reply: { clip, manifest, device_cert: b64encode(world.device.cert.der) }, events: details.ciphertext };
}

/** A paired device of a fresh account, and the browser enrolled in it. */
export async function newClipDevice(): Promise<ClipDevice> {
  const world = await newWorld();
  const endpoint = { accountId: world.accountId, rootCertDer: world.root.der, instance: world.instance };
  return { world, endpoint, seal: (startMs, events) => seal(world, startMs, events) };
}
