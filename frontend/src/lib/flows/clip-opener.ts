// Opening clips for viewing: fetch and verify the manifest against the pinned root, unwrap the
// clip key (instance key; for clips older than this browser, the account data key), then
// thumbnails, event details, a chunk reader for the player, and a decrypted download; and the
// facts the screens show about a clip (clip-facts.ts), from the signed manifest only.

import { type E2eeApi } from "../api/client";
import { type ClipRow } from "../api/schemas";
import { utf8 } from "../crypto/bytes";
import type * as certs from "../crypto/certs";
import { type ClipEvent } from "../crypto/clip";
import { type HeldRecipients } from "../crypto/withholding";
import { b64decode, loads } from "../crypto/encoding";
import { signedFromJson } from "../crypto/envelope";
import { NoRecipientKey, UntrustedKey } from "../crypto/errors";
import { type HeldKey } from "../crypto/keys";
import { type ClipManifest, clipIdBytes } from "../crypto/manifest";
import { RangeChunkReader } from "../player/chunk-reader";
import { playability, type Playability } from "../player/codec";
import { decryptToBlob, type DownloadProgress } from "../player/download";
import { type EnrolledEndpoint, accountOps } from "./account-ops";
import { type ClipFacts, clipFacts } from "./clip-facts";
import { verifyingCrypto } from "./verifying-crypto";

export interface OpenedClip {
  manifest: ClipManifest;
  clipKey: CryptoKey;
}

const MAX_CACHED = 200;

export class ClipOpener {
  private readonly opened = new Map<string, Promise<OpenedClip>>();
  private readonly thumbnails = new Map<string, Promise<string>>();
  private readonly eventDetails = new Map<string, Promise<ClipEvent[]>>();
  private root: Promise<certs.Cert> | null = null;
  /** The account data key by the clip's wrapped key ids (v2 accounts have generations). */
  private readonly dataKeys = new Map<string, Promise<HeldKey>>();

  constructor(
    private readonly api: E2eeApi,
    private readonly endpoint: EnrolledEndpoint,
    /** The account document, for the data key path; fetched lazily by the caller. */
    private readonly accountDocument: () => Promise<unknown>,
    /** Camera names this browser pinned from MACed pairing requests ("device/camera" keys). */
    private readonly pinnedNames: () => Promise<ReadonlyMap<string, string>> = async () => new Map(),
    /** The verified current set (section 10.1's H), or null while none is held. */
    private readonly heldSet: () => HeldRecipients | null = () => null,
  ) {}

  private pinnedRoot(): Promise<certs.Cert> {
    this.root ??= verifyingCrypto().then(({ certs }) => certs.loadCert(this.endpoint.rootCertDer));
    return this.root;
  }

  open(clipId: string): Promise<OpenedClip> {
    let found = this.opened.get(clipId);
    if (found === undefined) {
      found = this.openUncached(clipId);
      found.catch(() => this.opened.delete(clipId));
      if (this.opened.size >= MAX_CACHED) this.opened.delete(this.opened.keys().next().value ?? "");
      this.opened.set(clipId, found);
    }
    return found;
  }

  private async openUncached(clipId: string): Promise<OpenedClip> {
    const reply = await this.api.clipManifest(clipId);
    if (reply.device_cert === null) throw new UntrustedKey("the store has no certificate for this clip's camera");
    const signed = signedFromJson(loads(utf8(reply.manifest)));
    const { certs, clip } = await verifyingCrypto();
    const { openClipKey, verifyClipManifest } = clip;
    const deviceCert = await certs.loadCert(b64decode(reply.device_cert, "device_cert"));
    const manifest = await verifyClipManifest(signed, deviceCert, await this.pinnedRoot());
    if (manifest.clipId !== clipId) throw new UntrustedKey("the store answered with another clip's manifest");
    let clipKey: CryptoKey;
    try {
      clipKey = await openClipKey(manifest, [this.endpoint.instance]);
    } catch (err) {
      if (!(err instanceof NoRecipientKey)) throw err;
      // Made before this browser was enrolled: only the account data key opens it.
      clipKey = await openClipKey(manifest, [await this.accountDataKey(manifest.wrappedKeys.map((w) => w.keyId))]);
    }
    return { manifest, clipKey };
  }

  private accountDataKey(wrappedKeyIds: readonly string[]): Promise<HeldKey> {
    const cacheKey = [...wrappedKeyIds].sort().join(",");
    let found = this.dataKeys.get(cacheKey);
    if (found === undefined) {
      found = this.accountDocument().then((document) => accountOps().openDataKey(document, this.endpoint, wrappedKeyIds));
      found.catch(() => this.dataKeys.delete(cacheKey));
      if (this.dataKeys.size >= MAX_CACHED) this.dataKeys.clear();
      this.dataKeys.set(cacheKey, found);
    }
    return found;
  }

  /** An object URL of the decrypted JPEG thumbnail, or "" when the clip has none. */
  thumbnailUrl(clipId: string): Promise<string> {
    let found = this.thumbnails.get(clipId);
    if (found === undefined) {
      found = (async () => {
        const { manifest, clipKey } = await this.open(clipId);
        if (manifest.thumbnail === null) return "";
        const ciphertext = await this.api.fetchBytes(clipId, "thumbnail");
        const { decryptBlob } = (await verifyingCrypto()).clip;
        const jpeg = await decryptBlob(manifest, clipKey, "thumbnail", ciphertext);
        return URL.createObjectURL(new Blob([jpeg], { type: "image/jpeg" }));
      })();
      found.catch(() => this.thumbnails.delete(clipId));
      this.thumbnails.set(clipId, found);
    }
    return found;
  }

  /** The decrypted event details (empty when the clip has none); kept per clip. */
  events(clipId: string): Promise<ClipEvent[]> {
    let found = this.eventDetails.get(clipId);
    if (found === undefined) {
      found = (async () => {
        const { manifest, clipKey } = await this.open(clipId);
        if (manifest.events === null) return [];
        const ciphertext = await this.api.fetchBytes(clipId, "events");
        const { clip, eventPadding } = await verifyingCrypto();
        // Padded (v2 agents, section 9.3) or a v1 agent's plain JSON.
        return eventPadding.decodePaddedEvents(await clip.decryptBlob(manifest, clipKey, "events", ciphertext));
      })();
      found.catch(() => this.eventDetails.delete(clipId));
      this.eventDetails.set(clipId, found);
    }
    return found;
  }

  /**
   * What a screen may say about the clip: the verified manifest, its decrypted events and the
   * pinned camera name, with every disagreement of HA's `row` (null: nothing to compare).
   */
  async facts(clipId: string, row: ClipRow | null): Promise<ClipFacts> {
    const { manifest } = await this.open(clipId);
    const [events, names] = await Promise.all([this.events(clipId), this.pinnedNames()]);
    return clipFacts(manifest, events, names, row, this.heldSet());
  }

  playability(opened: OpenedClip): Playability {
    return playability(opened.manifest.video.mime, opened.manifest.video.codecs ?? "");
  }

  reader(clipId: string, opened: OpenedClip): RangeChunkReader {
    const video = opened.manifest.video;
    return new RangeChunkReader(
      {
        chunkSize: video.chunkSize,
        chunkCount: video.chunkCount,
        ciphertextSize: video.ciphertextSize,
        plaintextSize: video.plaintextSize,
      },
      (range) => this.api.fetchBytes(clipId, "video", range),
      opened.clipKey,
      clipIdBytes(opened.manifest),
    );
  }

  async download(clipId: string, progress?: DownloadProgress): Promise<Blob> {
    const opened = await this.open(clipId);
    const response = await this.api.fetchObject(clipId, "video");
    if (response.body === null) throw new Error("empty response");
    const { decryptTransform } = (await verifyingCrypto()).clip;
    return decryptToBlob(
      response.body,
      decryptTransform(opened.manifest, opened.clipKey, "video"),
      opened.manifest.video.ciphertextSize,
      "video/mp4",
      progress,
    );
  }

  forget(clipIds: readonly string[]): void {
    for (const id of clipIds) {
      this.opened.delete(id);
      this.eventDetails.delete(id);
      void this.thumbnails.get(id)?.then((url) => url !== "" && URL.revokeObjectURL(url));
      this.thumbnails.delete(id);
    }
  }

  dispose(): void {
    this.forget([...this.thumbnails.keys()]);
    this.opened.clear();
  }
}
