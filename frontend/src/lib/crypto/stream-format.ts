// The `aes128gcm-stream` format: content keys, header, sizes and single chunks (section 9).

import { type Bytes, ascii, concat, equal, readUintBE, uintBE } from "./bytes";
import { ChunkAuthFailed, HeaderMismatch, MalformedObject, UnsupportedVersion } from "./errors";
import * as primitives from "./primitives";

export const MAGIC = ascii("E2EENVR1");
export const HEADER_BYTES = 32;
export const SUITE_AES128GCM_STREAM = 1;
export const CLIP_KEY_BYTES = 16;
export const CONTENT_KEY_BYTES = 16;
export const CLIP_ID_BYTES = 16;
export const TAG_BYTES = primitives.GCM_TAG_BYTES;
export const MIN_CHUNK_SIZE = 1 << 6;
export const MAX_CHUNK_SIZE = 1 << 24;
export const DEFAULT_CHUNK_SIZE = 1 << 18;
// n < 2^32: the counter fits the nonce many times over, but a bound keeps both ends in agreement.
export const MAX_CHUNK_COUNT = 2 ** 32 - 1;

export type ContentKind = "video" | "thumbnail" | "events";
export const CONTENT_KINDS: readonly ContentKind[] = ["video", "thumbnail", "events"];
const KIND_CODES: Record<ContentKind, number> = { video: 1, thumbnail: 2, events: 3 };

export function kindFromCode(code: number): ContentKind {
  const kind = CONTENT_KINDS.find((candidate) => KIND_CODES[candidate] === code);
  if (kind === undefined) throw new MalformedObject(`stream header: unknown kind ${code}`);
  return kind;
}

function contentInfo(kind: ContentKind): Bytes {
  return ascii(`e2ee-nvr/v1/clip/${kind}`);
}

/** The clip key as a non-extractable HKDF key (bytes are imported and not kept). */
export async function clipKeyHandle(clipKey: CryptoKey | Uint8Array): Promise<CryptoKey> {
  if (!(clipKey instanceof Uint8Array)) return clipKey;
  if (clipKey.length !== CLIP_KEY_BYTES) throw new Error("a clip key is 16 bytes");
  return primitives.hkdfKey(clipKey);
}

/**
 * The per-kind AES-128-GCM key, derived inside WebCrypto and never extractable, so the three
 * streams of one clip never share a (key, nonce) pair.
 */
export async function contentKey(
  clipKey: CryptoKey | Uint8Array,
  clipId: Uint8Array,
  kind: ContentKind,
): Promise<CryptoKey> {
  if (clipId.length !== CLIP_ID_BYTES) throw new Error("a clip id is 16 bytes");
  const ikm = await clipKeyHandle(clipKey);
  return primitives.hkdfAesGcmKey(ikm, clipId, contentInfo(kind), 16, ["encrypt", "decrypt"]);
}

/** The same key as bytes, for vectors and tests only. */
export async function contentKeyBytes(
  clipKey: CryptoKey | Uint8Array,
  clipId: Uint8Array,
  kind: ContentKind,
): Promise<Bytes> {
  const ikm = await clipKeyHandle(clipKey);
  return primitives.hkdfSha256(ikm, clipId, contentInfo(kind), CONTENT_KEY_BYTES);
}

/** A power of two from 2^6 to 2^24. */
export function isValidChunkSize(chunkSize: number): boolean {
  return (
    Number.isSafeInteger(chunkSize) &&
    chunkSize >= MIN_CHUNK_SIZE &&
    chunkSize <= MAX_CHUNK_SIZE &&
    (chunkSize & (chunkSize - 1)) === 0
  );
}

/** n = max(1, ceil(P / chunk_size)): an empty plaintext is still one (empty, last) chunk. */
export function chunkCountFor(plaintextSize: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(plaintextSize / chunkSize));
}

/** 32 + P + 16n, the length of the whole object. */
export function ciphertextSizeFor(plaintextSize: number, chunkSize: number): number {
  return HEADER_BYTES + plaintextSize + TAG_BYTES * chunkCountFor(plaintextSize, chunkSize);
}

/**
 * age's STREAM nonce: an 88-bit counter stops reordering, the final byte marks the last chunk
 * so a stream cut at a chunk boundary cannot pass as complete.
 */
export function chunkNonce(index: number, last: boolean): Bytes {
  return concat(uintBE(index, 11), new Uint8Array([last ? 1 : 0]));
}

/** The 32-byte header; its exact bytes are every chunk's associated data. */
export interface StreamHeader {
  kind: ContentKind;
  chunkSize: number;
  clipId: Bytes;
}

export function encodeHeader(header: StreamHeader): Bytes {
  if (!isValidChunkSize(header.chunkSize) || header.clipId.length !== CLIP_ID_BYTES) {
    throw new Error("chunk size must be a power of two in [2^6, 2^24], clip id 16 bytes");
  }
  return concat(
    MAGIC,
    new Uint8Array([KIND_CODES[header.kind], SUITE_AES128GCM_STREAM, 0, 0]),
    uintBE(header.chunkSize, 4),
    header.clipId,
  );
}

/** Parse and validate header bytes; encodeHeader of the result gives back the same bytes. */
export function parseHeader(raw: Uint8Array): StreamHeader {
  if (raw.length !== HEADER_BYTES || !equal(raw.subarray(0, 8), MAGIC)) {
    throw new MalformedObject("stream header: wrong length or magic");
  }
  if (raw[9] !== SUITE_AES128GCM_STREAM) {
    throw new UnsupportedVersion(`stream header: suite ${raw[9]}`);
  }
  if (raw[10] !== 0 || raw[11] !== 0) {
    throw new MalformedObject("stream header: reserved bytes are not zero");
  }
  const kind = kindFromCode(raw[8] ?? 0);
  const chunkSize = readUintBE(raw, 12, 4);
  if (!isValidChunkSize(chunkSize)) {
    throw new MalformedObject(`stream header: chunk size ${chunkSize} out of range`);
  }
  return { kind, chunkSize, clipId: raw.slice(16, 32) };
}

/**
 * Refuse a header that names another clip, kind or chunk size than the reader expects. The
 * reader derives its key from what it expects (the verified manifest), never from the header,
 * so a thumbnail served in place of a video is refused here by name.
 */
export function checkHeader(
  header: StreamHeader,
  clipId: Uint8Array,
  kind: ContentKind,
  chunkSize?: number,
): void {
  if (!equal(header.clipId, clipId) || header.kind !== kind) {
    throw new HeaderMismatch("stream header names another clip or content kind");
  }
  if (chunkSize !== undefined && header.chunkSize !== chunkSize) {
    throw new HeaderMismatch(`stream header chunk size ${header.chunkSize}, expected ${chunkSize}`);
  }
}

/**
 * The shape of one stream object as the manifest records it (section 10 blob fields, without
 * the hash): what an endpoint checks a stream against (section 9.2, "Reading a stream").
 */
export interface StreamShape {
  chunkSize: number;
  chunkCount: number;
  plaintextSize: number;
  ciphertextSize: number;
}

/** The shape plus the SHA-256 of the whole object, which the writer records and the store checks. */
export interface StreamSummary extends StreamShape {
  ciphertextSha256: Bytes;
}

export function shapesEqual(a: StreamShape, b: StreamShape): boolean {
  return (
    a.chunkSize === b.chunkSize &&
    a.chunkCount === b.chunkCount &&
    a.plaintextSize === b.plaintextSize &&
    a.ciphertextSize === b.ciphertextSize
  );
}

export function summariesEqual(a: StreamSummary, b: StreamSummary): boolean {
  return shapesEqual(a, b) && equal(a.ciphertextSha256, b.ciphertextSha256);
}

/** Running sizes of the whole object as it passes, header included. */
export class StreamCounters {
  chunkCount = 0;
  plaintextSize = 0;
  ciphertextSize = 0;
  constructor(readonly chunkSize: number) {}

  addHeader(header: Uint8Array): void {
    this.ciphertextSize += header.length;
  }

  addChunk(plaintextLength: number, ciphertext: Uint8Array): void {
    this.chunkCount += 1;
    this.plaintextSize += plaintextLength;
    this.ciphertextSize += ciphertext.length;
  }

  shape(): StreamShape {
    return {
      chunkSize: this.chunkSize,
      chunkCount: this.chunkCount,
      plaintextSize: this.plaintextSize,
      ciphertextSize: this.ciphertextSize,
    };
  }
}

export async function openChunk(
  key: CryptoKey,
  header: Uint8Array,
  index: number,
  ciphertext: Uint8Array,
  last: boolean,
): Promise<Bytes> {
  try {
    return await primitives.aesGcmDecrypt(key, chunkNonce(index, last), ciphertext, header);
  } catch {
    throw new ChunkAuthFailed(`chunk ${index} does not authenticate`);
  }
}

/** Byte range [start, end) of chunk `index` in an object described by a manifest. */
export function chunkRange(
  index: number,
  chunkSize: number,
  chunkCount: number,
  ciphertextSize: number,
): [number, number] {
  if (!(chunkCount > 0 && chunkCount <= MAX_CHUNK_COUNT) || !isValidChunkSize(chunkSize)) {
    throw new MalformedObject("chunk count or chunk size out of range");
  }
  const unit = chunkSize + TAG_BYTES;
  // The last chunk holds 1..chunk_size bytes (0 only when it is the only chunk).
  const smallestLast = chunkCount === 1 ? TAG_BYTES : TAG_BYTES + 1;
  const low = HEADER_BYTES + (chunkCount - 1) * unit + smallestLast;
  if (!(low <= ciphertextSize && ciphertextSize <= HEADER_BYTES + chunkCount * unit)) {
    throw new MalformedObject("ciphertext size does not fit chunk count and chunk size");
  }
  if (!(index >= 0 && index < chunkCount)) {
    throw new RangeError(`chunk index ${index} outside [0, ${chunkCount})`);
  }
  const start = HEADER_BYTES + index * unit;
  return [start, Math.min(start + unit, ciphertextSize)];
}

/**
 * Opens chunks of one stream object by index, for range reads: the header is parsed and checked
 * and the content key derived once, so each chunk then costs one AES-GCM decryption.
 * chunkCount (from the verified manifest) sets the last flag; with chunkSize the header must
 * name the manifest's chunk size too (section 9.2, which checks an endpoint makes).
 */
export class ChunkOpener {
  private constructor(
    private readonly key: CryptoKey,
    private readonly headerBytes: Bytes,
    private readonly chunkSize: number,
    private readonly chunkCount: number,
  ) {}

  static async create(
    clipKey: CryptoKey | Uint8Array,
    headerBytes: Uint8Array,
    chunkCount: number,
    clipId: Uint8Array,
    kind: ContentKind,
    chunkSize?: number,
  ): Promise<ChunkOpener> {
    const header = parseHeader(headerBytes);
    checkHeader(header, clipId, kind, chunkSize);
    if (!(Number.isSafeInteger(chunkCount) && chunkCount >= 1 && chunkCount <= MAX_CHUNK_COUNT)) {
      throw new RangeError(`chunk count ${chunkCount} out of range`);
    }
    const key = await contentKey(clipKey, clipId, kind);
    return new ChunkOpener(key, new Uint8Array(headerBytes), header.chunkSize, chunkCount);
  }

  async open(index: number, chunkCiphertext: Uint8Array): Promise<Bytes> {
    if (!(Number.isSafeInteger(index) && index >= 0 && index < this.chunkCount)) {
      throw new RangeError(`chunk index ${index} outside [0, ${this.chunkCount})`);
    }
    const last = index === this.chunkCount - 1;
    const plaintext = await openChunk(this.key, this.headerBytes, index, chunkCiphertext, last);
    // Only a holder of the clip key can make these, but a reader still refuses the shapes
    // section 9.2 rules out rather than trust their length.
    if (!last && plaintext.length !== this.chunkSize) {
      throw new MalformedObject(`chunk ${index} is not a full chunk`);
    }
    if (last && index > 0 && plaintext.length === 0) {
      throw new MalformedObject("empty last chunk in a stream of several chunks");
    }
    return plaintext;
  }
}

/** Open one chunk for a range read (one-off: ChunkOpener keeps the key for many). */
export async function decryptChunk(
  clipKey: CryptoKey | Uint8Array,
  headerBytes: Uint8Array,
  index: number,
  chunkCiphertext: Uint8Array,
  chunkCount: number,
  clipId: Uint8Array,
  kind: ContentKind,
): Promise<Bytes> {
  const opener = await ChunkOpener.create(clipKey, headerBytes, chunkCount, clipId, kind);
  return opener.open(index, chunkCiphertext);
}
