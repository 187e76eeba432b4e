// Streaming encryption and decryption of clip content in bounded memory (section 9.2).
//
// Push-style classes (await each call before the next) and TransformStream wrappers for fetch
// bodies and Media Source Extensions. The format itself is in stream-format.ts.

import { type Bytes, concat } from "./bytes";
import {
  ChunkAuthFailed,
  HeaderMismatch,
  MalformedObject,
  ProtocolError,
  TrailingData,
  Truncated,
} from "./errors";
import * as primitives from "./primitives";
import {
  type ContentKind,
  DEFAULT_CHUNK_SIZE,
  HEADER_BYTES,
  MAX_CHUNK_COUNT,
  StreamCounters,
  type StreamShape,
  type StreamSummary,
  TAG_BYTES,
  checkHeader,
  chunkNonce,
  contentKey,
  encodeHeader,
  openChunk,
  parseHeader,
  shapesEqual,
} from "./stream-format";

/** Chunks opened between two turns of the UI thread: 1 MiB at the default size, a few ms. */
export const YIELD_EVERY_CHUNKS = 4;

/**
 * Let input and rendering run between chunks. A WebCrypto call is asynchronous, but a
 * browser may settle it without leaving the current task (Chromium did here: a 64 MiB clip
 * decrypted as one multi-second task), so a long stream would hold the UI thread throughout.
 */
export function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === "function") return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** What either direction gives once `finalize` has seen the whole object. */
function finalized<T>(result: T | null): T {
  if (result === null) throw new Error("stream not finalized");
  return result;
}

/** A byte accumulator of bounded capacity (one chunk plus its tag). */
class Pending {
  private buffer = new Uint8Array(0);
  length = 0;

  take(view: Uint8Array, room: number): Uint8Array {
    const taken = view.subarray(0, Math.max(0, room));
    if (this.length + taken.length > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.length + taken.length, 2 * this.buffer.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(taken, this.length);
    this.length += taken.length;
    return view.subarray(taken.length);
  }

  bytes(): Bytes {
    return this.buffer.slice(0, this.length);
  }

  /** The held bytes without a copy: valid until the next take or clear. */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  clear(): void {
    this.buffer.fill(0, 0, this.length);
    this.length = 0;
  }
}

/**
 * Writer: holds at most one chunk of plaintext. Chunk i leaves only once a byte after it is
 * seen (or at finalize), because only then is it known whether it carries the last flag.
 */
export class StreamEncryptor {
  readonly header: Bytes;
  private key: Promise<CryptoKey>;
  private readonly pending = new Pending();
  private readonly counters: StreamCounters;
  // The writer records the object's SHA-256 in the manifest for the store's upload check
  // (section 10); readers do not recompute it (section 9.2).
  private readonly hasher = primitives.sha256Incremental();
  private headerEmitted = false;
  private finalSummary: StreamSummary | null = null;

  constructor(
    clipKey: CryptoKey | Uint8Array,
    clipId: Uint8Array,
    kind: ContentKind,
    private readonly chunkSize: number = DEFAULT_CHUNK_SIZE,
  ) {
    this.header = encodeHeader({ kind, chunkSize, clipId: new Uint8Array(clipId) });
    this.key = contentKey(clipKey, clipId, kind);
    this.counters = new StreamCounters(chunkSize);
  }

  get summary(): StreamSummary {
    return finalized(this.finalSummary);
  }

  async update(data: Uint8Array): Promise<Bytes> {
    if (this.finalSummary !== null) throw new Error("stream already finalized");
    const output = this.start();
    let view = data;
    if (this.pending.length > 0) {
      view = this.pending.take(view, this.chunkSize - this.pending.length);
      if (view.length === 0) return concat(...output);
      // A full pending chunk with more plaintext behind it: certainly not the last one.
      output.push(await this.seal(this.pending.bytes(), false));
      this.pending.clear();
    }
    while (view.length > this.chunkSize) {
      output.push(await this.seal(view.subarray(0, this.chunkSize), false));
      view = view.subarray(this.chunkSize);
    }
    this.pending.take(view, view.length);
    return concat(...output);
  }

  async finalize(): Promise<Bytes> {
    if (this.finalSummary !== null) throw new Error("stream already finalized");
    const output = this.start();
    output.push(await this.seal(this.pending.bytes(), true));
    this.pending.clear();
    this.finalSummary = { ...this.counters.shape(), ciphertextSha256: this.hasher.digest() };
    return concat(...output);
  }

  private start(): Uint8Array[] {
    if (this.headerEmitted) return [];
    this.headerEmitted = true;
    this.counters.addHeader(this.header);
    this.hasher.update(this.header);
    return [this.header];
  }

  private async seal(plaintext: Uint8Array, last: boolean): Promise<Bytes> {
    const index = this.counters.chunkCount;
    if (index >= MAX_CHUNK_COUNT) throw new RangeError("a stream holds fewer than 2^32 chunks");
    const nonce = chunkNonce(index, last);
    const ciphertext = await primitives.aesGcmEncrypt(await this.key, nonce, plaintext, this.header);
    this.counters.addChunk(plaintext.length, ciphertext);
    this.hasher.update(ciphertext);
    return ciphertext;
  }
}

/**
 * Reader that releases a chunk's plaintext only after its tag verifies.
 *
 * The key comes from the clip id and kind the caller expects, and the header must name them.
 * With `expected` (from a verified manifest) the chunk size, chunk count and sizes must match
 * too. It makes every check section 9.2 lists for an endpoint and no more: it does not hash
 * the ciphertext, because the tags under a per-clip key bound to a header fixed by the signed
 * manifest already authenticate every byte (a hash in JavaScript capped it at a twentieth of
 * WebCrypto's speed). After any refusal the decryptor is dead, and output it already released
 * is void.
 */
export class StreamDecryptor {
  private readonly key: Promise<CryptoKey>;
  private readonly clipId: Bytes;
  private header: Bytes = new Uint8Array(0);
  private unit = 0;
  private readonly pending = new Pending();
  private received = 0;
  private counters: StreamCounters | null = null;
  private finalShape: StreamShape | null = null;
  private failed = false;

  constructor(
    clipKey: CryptoKey | Uint8Array,
    clipId: Uint8Array,
    private readonly kind: ContentKind,
    private readonly expected: StreamShape | null = null,
  ) {
    this.key = contentKey(clipKey, clipId, kind);
    this.clipId = new Uint8Array(clipId);
  }

  get shape(): StreamShape {
    return finalized(this.finalShape);
  }

  /** Absorb ciphertext; return the plaintext of every chunk that has authenticated. */
  async update(data: Uint8Array): Promise<Bytes> {
    return concat(...(await this.updateChunks(data)));
  }

  /** As update, but each authenticated chunk's plaintext apart: no copy into one array. */
  async updateChunks(data: Uint8Array): Promise<Bytes[]> {
    this.requireOpen();
    try {
      return await this.absorb(data);
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  /** Open the held bytes as the last chunk; refuse a stream that never reached it. */
  async finalize(): Promise<Bytes> {
    this.requireOpen();
    try {
      if (this.counters === null) throw new Truncated("stream ends inside its header");
      if (this.pending.length < TAG_BYTES) {
        throw new Truncated("stream ends without a chunk carrying the last flag");
      }
      const plaintext = await this.open(this.pending.view(), true);
      const shape = this.counters.shape();
      if (this.expected !== null && !shapesEqual(shape, this.expected)) {
        throw new HeaderMismatch("stream chunk count or sizes disagree with its manifest");
      }
      this.pending.clear();
      this.finalShape = shape;
      return plaintext;
    } catch (err) {
      this.failed = true;
      throw err;
    }
  }

  private requireOpen(): void {
    if (this.failed) throw new Error("stream decryption already failed");
    if (this.finalShape !== null) throw new Error("stream already finalized");
  }

  private async absorb(data: Uint8Array): Promise<Bytes[]> {
    this.received += data.length;
    if (this.expected !== null && this.received > this.expected.ciphertextSize) {
      throw new TrailingData("stream is longer than its manifest says");
    }
    let view = data;
    if (this.counters === null) {
      view = this.absorbHeader(view);
      if (this.counters === null) return [];
    }
    const output: Bytes[] = [];
    if (this.pending.length > 0) {
      view = this.pending.take(view, this.unit - this.pending.length);
      if (view.length === 0) return [];
      // A full chunk with bytes behind it must be a non-last chunk. WebCrypto copies its input
      // when called, so the held bytes are read in place.
      output.push(await this.open(this.pending.view(), false));
      this.pending.clear();
    }
    while (view.length > this.unit) {
      if (output.length > 0 && output.length % YIELD_EVERY_CHUNKS === 0) await yieldToEventLoop();
      output.push(await this.open(view.subarray(0, this.unit), false));
      view = view.subarray(this.unit);
    }
    this.pending.take(view, view.length);
    return output;
  }

  private absorbHeader(view: Uint8Array): Uint8Array {
    const rest = this.pending.take(view, HEADER_BYTES - this.pending.length);
    if (this.pending.length < HEADER_BYTES) return rest;
    const headerBytes = this.pending.bytes();
    const header = parseHeader(headerBytes);
    checkHeader(header, this.clipId, this.kind, this.expected?.chunkSize);
    this.pending.clear();
    this.header = headerBytes;
    this.unit = header.chunkSize + TAG_BYTES;
    this.counters = new StreamCounters(header.chunkSize);
    this.counters.addHeader(headerBytes);
    return rest;
  }

  private async open(ciphertext: Uint8Array, last: boolean): Promise<Bytes> {
    const counters = this.counters;
    if (counters === null) throw new Error("header not read");
    const index = counters.chunkCount;
    if (index >= MAX_CHUNK_COUNT) throw new MalformedObject("stream has 2^32 chunks or more");
    const key = await this.key;
    let plaintext: Bytes;
    try {
      plaintext = await openChunk(key, this.header, index, ciphertext, last);
    } catch (err) {
      if (err instanceof ChunkAuthFailed) throw await this.nameFailure(key, index, ciphertext, last);
      throw err;
    }
    if (last && index > 0 && plaintext.length === 0) {
      throw new MalformedObject("empty last chunk in a stream of several chunks");
    }
    counters.addChunk(plaintext.length, ciphertext);
    return plaintext;
  }

  private async nameFailure(
    key: CryptoKey,
    index: number,
    ciphertext: Uint8Array,
    last: boolean,
  ): Promise<ProtocolError> {
    // The same bytes authenticating with the other flag tell a cut or an append apart from
    // tampering; only chunks made under this key and header can pass either way.
    try {
      await openChunk(key, this.header, index, ciphertext, !last);
    } catch {
      return new ChunkAuthFailed(`chunk ${index} does not authenticate`);
    }
    return last
      ? new Truncated(`stream ends after chunk ${index}, which is not the last`)
      : new TrailingData(`bytes follow chunk ${index}, which is the last`);
  }
}

/**
 * A TransformStream of ciphertext to plaintext (e.g. a fetch body into Media Source
 * Extensions). An error rejects the stream; callers MUST treat plaintext already read as void.
 */
export function decryptStream(
  clipKey: CryptoKey | Uint8Array,
  clipId: Uint8Array,
  kind: ContentKind,
  expected: StreamShape | null = null,
): TransformStream<Uint8Array, Uint8Array> {
  const decryptor = new StreamDecryptor(clipKey, clipId, kind, expected);
  return new TransformStream({
    async transform(chunk, controller) {
      for (const plaintext of await decryptor.updateChunks(chunk)) {
        if (plaintext.length > 0) controller.enqueue(plaintext);
      }
    },
    async flush(controller) {
      const plaintext = await decryptor.finalize();
      if (plaintext.length > 0) controller.enqueue(plaintext);
    },
  });
}

/** A TransformStream of plaintext to the whole stream object (header and chunks). */
export function encryptStream(encryptor: StreamEncryptor): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    async transform(chunk, controller) {
      const ciphertext = await encryptor.update(chunk);
      if (ciphertext.length > 0) controller.enqueue(ciphertext);
    },
    async flush(controller) {
      controller.enqueue(await encryptor.finalize());
    },
  });
}

/** Decrypt a whole object held in memory (thumbnails, event details, tests). */
export async function decryptAll(decryptor: StreamDecryptor, ciphertext: Uint8Array): Promise<Bytes> {
  const head = await decryptor.update(ciphertext);
  return concat(head, await decryptor.finalize());
}
