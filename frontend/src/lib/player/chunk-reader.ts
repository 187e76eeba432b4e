// Decrypted chunks of a clip's video by HTTP Range: only the chunks asked for cross the network.

import { YIELD_EVERY_CHUNKS, yieldToEventLoop } from "../crypto/stream";
import { ChunkOpener, type ContentKind } from "../crypto/stream-format";
import { HEADER_RANGE, type StreamGeometry, chunksByteRange, splitChunks } from "./ranges";

/** Fetches ciphertext bytes [start, end) of one stream object. */
export type RangeFetch = (range: readonly [number, number]) => Promise<Uint8Array>;

export interface ChunkReader {
  readonly geometry: StreamGeometry;
  /** Plaintext of chunks first..last, each authenticated before it is returned. */
  read(first: number, last: number): Promise<Uint8Array[]>;
}

export class RangeChunkReader implements ChunkReader {
  private opener: Promise<ChunkOpener> | null = null;

  constructor(
    readonly geometry: StreamGeometry,
    private readonly fetchRange: RangeFetch,
    private readonly clipKey: CryptoKey,
    private readonly clipId: Uint8Array,
    private readonly kind: ContentKind = "video",
  ) {}

  /** The header is fetched, checked and the key derived once per clip; a failure is retried. */
  private chunkOpener(): Promise<ChunkOpener> {
    if (this.opener === null) {
      const { chunkCount, chunkSize } = this.geometry;
      const attempt = this.fetchRange(HEADER_RANGE).then((header) =>
        ChunkOpener.create(this.clipKey, header, chunkCount, this.clipId, this.kind, chunkSize),
      );
      attempt.catch(() => {
        if (this.opener === attempt) this.opener = null;
      });
      this.opener = attempt;
    }
    return this.opener;
  }

  async read(first: number, last: number): Promise<Uint8Array[]> {
    const [opener, run] = await Promise.all([
      this.chunkOpener(),
      this.fetchRange(chunksByteRange(this.geometry, first, last)),
    ]);
    // The opener checked the header names this clip, kind and chunk size; the nonce carries
    // the index and the last flag, so a chunk served at the wrong position does not
    // authenticate. One chunk at a time, giving the UI thread a turn every few chunks.
    const out: Uint8Array[] = [];
    for (const [offset, piece] of splitChunks(this.geometry, first, run).entries()) {
      if (offset > 0 && offset % YIELD_EVERY_CHUNKS === 0) await yieldToEventLoop();
      out.push(await opener.open(first + offset, piece));
    }
    return out;
  }
}
