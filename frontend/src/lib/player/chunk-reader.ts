// Decrypted chunks of a clip's video by HTTP Range: only the chunks asked for cross the network.

import { type ContentKind, decryptChunk } from "../crypto/stream-format";
import { HEADER_RANGE, type StreamGeometry, chunksByteRange, splitChunks } from "./ranges";

/** Fetches ciphertext bytes [start, end) of one stream object. */
export type RangeFetch = (range: readonly [number, number]) => Promise<Uint8Array>;

export interface ChunkReader {
  readonly geometry: StreamGeometry;
  /** Plaintext of chunks first..last, each authenticated before it is returned. */
  read(first: number, last: number): Promise<Uint8Array[]>;
}

export class RangeChunkReader implements ChunkReader {
  private header: Promise<Uint8Array> | null = null;

  constructor(
    readonly geometry: StreamGeometry,
    private readonly fetchRange: RangeFetch,
    private readonly clipKey: CryptoKey,
    private readonly clipId: Uint8Array,
    private readonly kind: ContentKind = "video",
  ) {}

  private headerBytes(): Promise<Uint8Array> {
    this.header ??= this.fetchRange(HEADER_RANGE);
    return this.header;
  }

  async read(first: number, last: number): Promise<Uint8Array[]> {
    const [header, run] = await Promise.all([
      this.headerBytes(),
      this.fetchRange(chunksByteRange(this.geometry, first, last)),
    ]);
    const pieces = splitChunks(this.geometry, first, run);
    const out: Uint8Array[] = [];
    for (const [offset, piece] of pieces.entries()) {
      // decryptChunk checks the header names this clip and kind; the nonce carries the index
      // and the last flag, so a chunk served at the wrong position does not authenticate.
      out.push(
        await decryptChunk(this.clipKey, header, first + offset, piece, this.geometry.chunkCount, this.clipId, this.kind),
      );
    }
    return out;
  }
}
