// Plays clips through Media Source Extensions from decrypted chunks: playback starts after the
// first chunk; a seek outside what is buffered fetches only the chunks from the fragment that
// holds the target time onward.
//
// Across clip boundaries (continueWith): the next clip is appended to the SAME SourceBuffer,
// shifted by timestampOffset to start where the buffered media ends. Swapping to a second
// <video> or a second MediaSource at the boundary was the alternative; it shows a stop (a new
// MediaSource opens asynchronously, the decoder restarts, the first frame waits for a keyframe
// fetch), and its timing depends on the "ended" event. Appending instead means the decoder
// never sees an end: the next clip is fetched, verified and decrypted while the current one
// still plays (the buffer-ahead loop reaches into it), and the browser only sees a new init
// segment (clips of one camera share codecs; changeType covers a camera that changed them).
// Every clip is still opened by the caller through the protocol code (verified manifest, its
// own key, each chunk authenticated by its reader): nothing here reads ciphertext.

import { concat } from "../crypto/bytes";
import { SourceBufferQueue } from "./append-queue";
import { type ChunkReader } from "./chunk-reader";
import { type Tracks, readClipHead } from "./clip-head";
import { type Placed, nextStart, placedAt, positionInSequence, timeInSequence } from "./clip-sequence";
import { findFragment, fragmentTime } from "./fmp4";
import { estimateChunkForTime } from "./ranges";

const CHUNKS_PER_REQUEST = 2;
const BUFFER_AHEAD_SECONDS = 30;
const SEEK_PROBES = 8;

/** One opened clip: the caller verified its manifest and gives its authenticated reader. */
export interface ClipSource {
  clipId: string;
  reader: ChunkReader;
  mime: string;
  durationSeconds: number;
}

export interface PlayerEvents {
  onError?: (err: unknown) => void;
  onFirstChunk?: () => void;
  /** Stop fetching when this much is buffered past the playhead (default 30 s). */
  bufferAheadSeconds?: number;
  /** The clip to play after `clipId`, opened and verified, or null when it is the last. */
  continueWith?: (clipId: string) => Promise<ClipSource | null>;
}

interface Piece extends Placed {
  source: ClipSource;
  init: Uint8Array;
  tracks: Tracks;
  baseTime: number;
  nextChunk: number;
}

export class MsePlayer {
  private readonly media = new MediaSource();
  private queue: SourceBufferQueue | null = null;
  private objectUrl = "";
  private readonly pieces: Piece[] = [];
  /** The piece whose chunks the feed loop appends next. */
  private current: Piece | null = null;
  private mime: string;
  private generation = 0;
  private stopped = false;
  private feeding = false;
  private seeking = false;
  /** continueWith answered null: the sequence is complete. */
  private lastReached = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly first: ClipSource,
    private readonly events: PlayerEvents = {},
  ) {
    this.mime = first.mime;
  }

  async start(): Promise<void> {
    this.objectUrl = URL.createObjectURL(this.media);
    const opened = new Promise<void>((resolve) => this.media.addEventListener("sourceopen", () => resolve(), { once: true }));
    this.video.src = this.objectUrl;
    await opened;
    const buffer = this.media.addSourceBuffer(this.mime);
    buffer.mode = "segments";
    this.queue = new SourceBufferQueue(buffer, "the browser refused the video data");
    if (this.first.durationSeconds > 0) this.media.duration = this.first.durationSeconds;
    await this.appendHead(this.first, 0, this.generation);
    this.events.onFirstChunk?.();
    this.video.addEventListener("seeking", this.onSeeking);
    this.video.addEventListener("timeupdate", this.onTimeUpdate);
    void this.feed();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.video.removeEventListener("seeking", this.onSeeking);
    this.video.removeEventListener("timeupdate", this.onTimeUpdate);
    this.video.removeAttribute("src");
    this.video.load();
    if (this.objectUrl !== "") URL.revokeObjectURL(this.objectUrl);
  }

  /** The clip and offset the <video> shows now. */
  position(): { clipId: string; offsetMs: number } | null {
    return positionInSequence(this.pieces, this.video.currentTime);
  }

  /** Seek to `offsetMs` into `clipId` if it is part of this sequence; false otherwise. */
  seekToClip(clipId: string, offsetMs: number): boolean {
    const time = timeInSequence(this.pieces, clipId, offsetMs);
    if (time === null) return false;
    this.video.currentTime = time;
    return true;
  }

  /** Read a clip's head, place it at `startSeconds` and append it; it becomes the fed piece. */
  private async appendHead(source: ClipSource, startSeconds: number, generation: number): Promise<void> {
    const head = await readClipHead(source.reader);
    const queue = this.queue;
    if (queue === null || generation !== this.generation) return;
    const piece: Piece = {
      clipId: source.clipId,
      startSeconds,
      durationSeconds: source.durationSeconds,
      source,
      init: head.init,
      tracks: head.tracks,
      baseTime: head.baseTime,
      nextChunk: head.chunks.length,
    };
    await this.placeAt(piece, generation);
    if (generation !== this.generation) return;
    this.pieces.push(piece);
    this.current = piece;
    for (const chunk of head.chunks) await this.append(chunk, generation);
  }

  /** Reset the parser and shift what comes next so `piece` starts at its place. */
  private async placeAt(piece: Piece, generation: number): Promise<void> {
    const queue = this.queue;
    if (queue === null) return;
    await queue.idle();
    if (generation !== this.generation) return;
    if (this.media.readyState === "open") queue.buffer.abort();
    if (piece.source.mime !== this.mime) {
      queue.buffer.changeType(piece.source.mime);
      this.mime = piece.source.mime;
    }
    queue.buffer.timestampOffset = piece.startSeconds - piece.baseTime;
  }

  private readonly onTimeUpdate = (): void => {
    if (!this.feeding) void this.feed();
  };

  private readonly onSeeking = (): void => {
    const time = this.video.currentTime;
    if (this.isBuffered(time)) return;
    void this.seekTo(time).catch((err: unknown) => this.fail(err));
  };

  private isBuffered(time: number): boolean {
    return this.bufferedRangeEnd(time) !== null;
  }

  /** The end of the buffered range holding `time`, or null. */
  private bufferedRangeEnd(time: number): number | null {
    const ranges = this.queue?.buffer.buffered;
    if (ranges === undefined) return null;
    for (let i = 0; i < ranges.length; i++) {
      if (ranges.start(i) <= time + 0.1 && time < ranges.end(i)) return ranges.end(i);
    }
    return null;
  }

  private bufferedAhead(): number {
    const time = this.video.currentTime;
    return Math.max(0, (this.bufferedRangeEnd(time) ?? time) - time);
  }

  /** Append chunks in order until the sequence ends or enough is buffered ahead. */
  private async feed(): Promise<void> {
    if (this.feeding || this.stopped || this.seeking) return;
    this.feeding = true;
    const generation = this.generation;
    try {
      while (!this.stopped && generation === this.generation && this.current !== null) {
        if (this.bufferedAhead() > (this.events.bufferAheadSeconds ?? BUFFER_AHEAD_SECONDS)) break;
        const piece = this.current;
        const count = piece.source.reader.geometry.chunkCount;
        if (piece.nextChunk >= count) {
          if (!(await this.advance(piece, generation))) break;
          continue;
        }
        const first = piece.nextChunk;
        const last = Math.min(first + CHUNKS_PER_REQUEST, count) - 1;
        const plaintexts = await piece.source.reader.read(first, last);
        if (generation !== this.generation) break;
        for (const plaintext of plaintexts) await this.append(plaintext, generation);
        // A seek during the appends owns nextChunk now.
        if (generation !== this.generation) break;
        piece.nextChunk = last + 1;
      }
    } catch (err) {
      if (generation === this.generation) this.fail(err);
    } finally {
      this.feeding = false;
    }
    // A seek during this loop started a new generation that wants feeding too.
    if (generation !== this.generation && !this.stopped) void this.feed();
  }

  /**
   * `done` is fully appended: move on to the piece after it (placed earlier, before a seek
   * back), or ask for the next clip; end the stream after the last. False when nothing follows.
   */
  private async advance(done: Piece, generation: number): Promise<boolean> {
    const index = this.pieces.indexOf(done);
    const known = this.pieces[index + 1];
    if (known !== undefined) {
      // Re-entered from its first chunk: what is buffered of it is simply appended again.
      known.nextChunk = 0;
      await this.placeAt(known, generation);
      this.current = known;
      return generation === this.generation;
    }
    const next = this.lastReached || this.events.continueWith === undefined ? null : await this.events.continueWith(done.clipId);
    if (generation !== this.generation) return false;
    if (next === null) {
      this.lastReached = true;
      this.endOfStream();
      return false;
    }
    const lastFrame = Math.max(done.startSeconds, this.video.currentTime);
    await this.appendHead(next, nextStart(done, this.bufferedEndFrom(lastFrame)), generation);
    return generation === this.generation;
  }

  /** The end of the buffered range that holds `time` or starts after it (the newest media). */
  private bufferedEndFrom(time: number): number | null {
    const ranges = this.queue?.buffer.buffered;
    if (ranges === undefined || ranges.length === 0) return null;
    let end: number | null = null;
    for (let i = 0; i < ranges.length; i++) {
      if (ranges.end(i) > time) end = ranges.end(i);
    }
    return end;
  }

  /**
   * Find the fragment holding `time`: guess a chunk by bitrate, read the decode time of the
   * first fragment that starts in it, step back while that fragment starts after the target.
   */
  private async seekTo(time: number): Promise<void> {
    // No feeding while the target fragment is found: the seek decides what is appended next.
    this.seeking = true;
    try {
      const piece = placedAt(this.pieces, time);
      if (piece !== undefined) await this.seekAndAppend(piece, time - piece.startSeconds, ++this.generation);
    } finally {
      this.seeking = false;
    }
    void this.feed();
  }

  private async seekAndAppend(piece: Piece, time: number, generation: number): Promise<void> {
    const reader = piece.source.reader;
    const geometry = reader.geometry;
    let index = estimateChunkForTime(geometry, time, piece.durationSeconds);
    let chosen: { index: number; last: number; offset: number; data: Uint8Array } | null = null;
    for (let probe = 0; probe < SEEK_PROBES; probe++) {
      const last = Math.min(index + 1, geometry.chunkCount - 1);
      const pieces = await reader.read(index, last);
      if (generation !== this.generation) return;
      const data = concat(...pieces);
      const offset = findFragment(data);
      const start = offset === null ? null : fragmentTime(data, offset, piece.tracks);
      if (offset !== null && start !== null) {
        chosen = { index, last, offset, data };
        if (start - piece.baseTime <= time + 0.05 || index === 0) break;
      }
      if (index === 0) break;
      index = Math.max(0, index - Math.max(1, Math.ceil(index * 0.1)));
    }
    if (chosen === null) return;
    // Reset the parser: what follows starts at a fragment boundary, not where the last append
    // ended; the init segment goes first, as the last one appended may be another clip's.
    await this.placeAt(piece, generation);
    if (generation !== this.generation) return;
    await this.append(piece.init, generation);
    await this.append(chosen.data.subarray(chosen.offset), generation);
    this.current = piece;
    piece.nextChunk = chosen.last + 1;
  }

  /** Append unless a seek started since `generation`: stale bytes would land mid-fragment. */
  private async append(data: Uint8Array, generation: number): Promise<void> {
    if (this.queue === null || this.stopped) return;
    await this.queue.append(data, () => generation === this.generation);
  }

  private endOfStream(): void {
    const buffer = this.queue?.buffer;
    if (this.media.readyState === "open" && buffer !== undefined && !buffer.updating) this.media.endOfStream();
  }

  private fail(err: unknown): void {
    this.events.onError?.(err);
  }
}
