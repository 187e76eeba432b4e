// Opening clips for viewing: fetch and verify the manifest against the pinned root, unwrap the
// clip key (instance key; for clips older than this browser, the account data key), then
// thumbnails, event details, a chunk reader for the player, and a decrypted download; and the
// facts the screens show about a clip (clip-facts.ts), from the signed manifest only.
// A day's clips are opened in batches (factsOfMany: one `clips/manifests` call carries up to
// 200 manifests and their encrypted event details); each entry goes through the same checks as
// a single reply, and what verifies is kept for the player.

import { type E2eeApi } from "../api/client";
import { ApiError } from "../api/errors";
import { type ClipManifestResult, type ClipManifestsResult, type ClipRow, MAX_MANIFESTS_PER_CALL } from "../api/schemas";
import { utf8 } from "../crypto/bytes";
import type * as certs from "../crypto/certs";
import { type ClipEvent, type DeviceSigner } from "../crypto/clip";
import { type HeldRecipients } from "../crypto/withholding";
import { b64decode, loads } from "../crypto/encoding";
import { signedFromJson } from "../crypto/envelope";
import { MalformedObject, NoRecipientKey, UntrustedKey } from "../crypto/errors";
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

/** Opened clips and event details kept: a day of 20-second clips, a few KB each. */
const MAX_CACHED = 5_000;

type BatchEntry = ClipManifestsResult["clips"][number];

/** Keep `value` under `key` until it fails (a later call tries again), oldest out first. */
function remember<T>(cache: Map<string, Promise<T>>, key: string, value: Promise<T>): Promise<T> {
  value.catch(() => cache.get(key) === value && cache.delete(key));
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value ?? "");
  cache.set(key, value);
  return value;
}

export class ClipOpener {
  private readonly opened = new Map<string, Promise<OpenedClip>>();
  private readonly thumbnails = new Map<string, Promise<string>>();
  private readonly eventDetails = new Map<string, Promise<ClipEvent[]>>();
  private root: Promise<certs.Cert> | null = null;
  private readonly signers = new Map<string, Promise<DeviceSigner>>();
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
    return this.opened.get(clipId) ?? remember(this.opened, clipId, this.api.clipManifest(clipId).then((reply) => this.verified(clipId, reply)));
  }

  /**
   * The clip in HA's `reply`, if it is the clip asked for: the manifest verified against the
   * device certificate and the pinned root, its clip id the one asked (a store must not answer
   * with another clip's valid manifest), and the clip key unwrapped. Batch entries come here too.
   */
  private async verified(clipId: string, reply: ClipManifestResult): Promise<OpenedClip> {
    if (reply.device_cert === null) throw new UntrustedKey("the store has no certificate for this clip's camera");
    const signed = signedFromJson(loads(utf8(reply.manifest)));
    const { openClipKey, verifySignedManifest } = (await verifyingCrypto()).clip;
    const manifest = await verifySignedManifest(signed, await this.deviceSigner(reply.device_cert));
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

  /**
   * The device key of a certificate (unpadded base64url DER, exactly as HA sent it) once it
   * chains to the pinned root. verifyDeviceCert reads no clock, so its answer for the same
   * bytes never changes: kept per certificate, a day of one camera's clips checks it once, and
   * every manifest is still verified against it. A certificate that fails is not kept.
   */
  private deviceSigner(deviceCert: string): Promise<DeviceSigner> {
    return (
      this.signers.get(deviceCert) ??
      remember(
        this.signers,
        deviceCert,
        verifyingCrypto().then(async ({ certs, clip }) => clip.verifyDeviceCert(await certs.loadCert(b64decode(deviceCert, "device_cert")), await this.pinnedRoot())),
      )
    );
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
    return this.eventDetails.get(clipId) ?? remember(this.eventDetails, clipId, this.open(clipId).then((opened) => this.decryptedEvents(clipId, opened, null)));
  }

  /** The event details from `ciphertext` (a batch's bytes), or fetched over HTTP when null. */
  private async decryptedEvents(clipId: string, { manifest, clipKey }: OpenedClip, ciphertext: Uint8Array | null): Promise<ClipEvent[]> {
    if (manifest.events === null) return [];
    const bytes = ciphertext ?? (await this.api.fetchBytes(clipId, "events"));
    const { clip, eventPadding } = await verifyingCrypto();
    // decryptBlob checks the bytes against this clip's signed manifest entry (header clip id,
    // sizes, chunk tags, ciphertext_sha256): another clip's details or a truncated copy fail.
    // Padded (v2 agents, section 9.3) or a v1 agent's plain JSON.
    return eventPadding.decodePaddedEvents(await clip.decryptBlob(manifest, clipKey, "events", bytes));
  }

  /**
   * What a screen may say about the clip: the verified manifest, its decrypted events and the
   * pinned camera name, with every disagreement of HA's `row` (null: nothing to compare).
   */
  facts(clipId: string, row: ClipRow | null): Promise<ClipFacts> {
    const opened = this.open(clipId);
    return this.factsFrom(opened, opened.then(() => this.events(clipId)), row);
  }

  private async factsFrom(opened: Promise<OpenedClip>, events: Promise<ClipEvent[]>, row: ClipRow | null): Promise<ClipFacts> {
    const [{ manifest }, details, names] = await Promise.all([opened, events, this.pinnedNames()]);
    return clipFacts(manifest, details, names, row, this.heldSet());
  }

  /**
   * The facts of up to MAX_MANIFESTS_PER_CALL rows from one `clips/manifests` call, one
   * outcome per row, in order. Each entry is checked exactly as a single reply (verified())
   * and filed only under the id it was asked for, so an entry HA moved to another clip fails
   * that clip's id check; its event details must decrypt under that clip's manifest and key.
   * A refused clip is refused here, not retried singly. What verifies is cached for playback.
   * Rejects only when the call itself fails (storage unavailable, not loaded).
   */
  async factsOfMany(rows: readonly ClipRow[]): Promise<Array<PromiseSettledResult<ClipFacts>>> {
    if (rows.length > MAX_MANIFESTS_PER_CALL) throw new RangeError(`at most ${MAX_MANIFESTS_PER_CALL} clips per call`);
    const reply = await this.api.clipManifests(rows.map((row) => row.clip_id));
    const entries = new Map<string, BatchEntry>();
    for (const entry of reply.clips) if (!entries.has(entry.clip.clip_id)) entries.set(entry.clip.clip_id, entry);
    const unknown = new Set(reply.unknown);
    return Promise.allSettled(rows.map((row) => this.factsOfEntry(row, entries.get(row.clip_id), unknown.has(row.clip_id))));
  }

  private factsOfEntry(row: ClipRow, entry: BatchEntry | undefined, unknown: boolean): Promise<ClipFacts> {
    const clipId = row.clip_id;
    if (entry === undefined) {
      // Deleted since it was listed (HA says so), or left out of the answer without a word.
      return Promise.reject(unknown ? new ApiError("not_found", "no such clip") : new UntrustedKey("the store did not give this clip's manifest"));
    }
    const opened = this.verified(clipId, entry);
    const events = opened.then(async (clip) => {
      const ciphertext = entry.events === null ? null : b64decode(entry.events, "events");
      if (clip.manifest.events === null && ciphertext !== null) throw new MalformedObject("event details for a clip whose manifest has none");
      return this.decryptedEvents(clipId, clip, ciphertext);
    });
    remember(this.opened, clipId, opened);
    remember(this.eventDetails, clipId, events);
    return this.factsFrom(opened, events, row);
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
    this.eventDetails.clear();
  }
}
