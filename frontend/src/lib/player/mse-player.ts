// Plays a clip through Media Source Extensions from decrypted chunks: playback starts after the
// first chunk; a seek outside what is buffered fetches only the chunks from the fragment that
// holds the target time onward.

import { concat } from "../crypto/bytes";
import { type ChunkReader } from "./chunk-reader";
import { findFragment, fragmentTime, initSegmentEnd, trackTimescales } from "./fmp4";
import { estimateChunkForTime } from "./ranges";

const CHUNKS_PER_REQUEST = 2;
const BUFFER_AHEAD_SECONDS = 30;
const SEEK_PROBES = 8;
const HEAD_CHUNKS = 8;

type Tracks = ReturnType<typeof trackTimescales>;

export interface PlayerEvents {
  onError?: (err: unknown) => void;
  onFirstChunk?: () => void;
  /** Stop fetching when this much is buffered past the playhead (default 30 s). */
  bufferAheadSeconds?: number;
}

export class MsePlayer {
  private readonly source = new MediaSource();
  private buffer: SourceBuffer | null = null;
  private objectUrl = "";
  private nextChunk = 0;
  private generation = 0;
  private tracks: Tracks = new Map();
  private baseTime = 0;
  private stopped = false;
  private feeding = false;
  private seeking = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly reader: ChunkReader,
    private readonly mime: string,
    private readonly durationSeconds: number,
    private readonly events: PlayerEvents = {},
  ) {}

  async start(): Promise<void> {
    this.objectUrl = URL.createObjectURL(this.source);
    const opened = new Promise<void>((resolve) => this.source.addEventListener("sourceopen", () => resolve(), { once: true }));
    this.video.src = this.objectUrl;
    await opened;
    this.buffer = this.source.addSourceBuffer(this.mime);
    this.buffer.mode = "segments";
    // Chunk 0 holds the init segment; the first fragment's header may run into chunk 1 or 2.
    const head: Uint8Array[] = [];
    let time: number | null = null;
    while (time === null && head.length < Math.min(HEAD_CHUNKS, this.reader.geometry.chunkCount)) {
      const [chunk] = await this.reader.read(head.length, head.length);
      if (chunk === undefined) throw new Error("clip chunk missing");
      head.push(chunk);
      const data = concat(...head);
      const initEnd = initSegmentEnd(data);
      if (initEnd === null) continue;
      this.tracks = trackTimescales(data.subarray(0, initEnd));
      time = fragmentTime(data, initEnd, this.tracks);
    }
    // Clips are cut from a long stream: their first fragment's decode time is not zero.
    this.baseTime = time ?? 0;
    this.buffer.timestampOffset = -this.baseTime;
    if (this.durationSeconds > 0) this.source.duration = this.durationSeconds;
    for (const chunk of head) await this.append(chunk, this.generation);
    this.nextChunk = head.length;
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

  private readonly onTimeUpdate = (): void => {
    if (!this.feeding) void this.feed();
  };

  private readonly onSeeking = (): void => {
    const time = this.video.currentTime;
    if (this.isBuffered(time)) return;
    void this.seekTo(time).catch((err: unknown) => this.fail(err));
  };

  private isBuffered(time: number): boolean {
    const ranges = this.buffer?.buffered;
    if (ranges === undefined) return false;
    for (let i = 0; i < ranges.length; i++) {
      if (ranges.start(i) <= time + 0.1 && time < ranges.end(i)) return true;
    }
    return false;
  }

  private bufferedAhead(): number {
    const ranges = this.buffer?.buffered;
    const time = this.video.currentTime;
    if (ranges === undefined) return 0;
    for (let i = 0; i < ranges.length; i++) {
      if (ranges.start(i) <= time + 0.1 && time < ranges.end(i)) return ranges.end(i) - time;
    }
    return 0;
  }

  /** Append chunks in order until the clip ends or enough is buffered ahead. */
  private async feed(): Promise<void> {
    if (this.feeding || this.stopped || this.seeking) return;
    this.feeding = true;
    const generation = this.generation;
    try {
      while (!this.stopped && generation === this.generation && this.nextChunk < this.reader.geometry.chunkCount) {
        if (this.bufferedAhead() > (this.events.bufferAheadSeconds ?? BUFFER_AHEAD_SECONDS)) break;
        const first = this.nextChunk;
        const last = Math.min(first + CHUNKS_PER_REQUEST, this.reader.geometry.chunkCount) - 1;
        const plaintexts = await this.reader.read(first, last);
        if (generation !== this.generation) break;
        for (const plaintext of plaintexts) await this.append(plaintext, generation);
        // A seek during the appends owns nextChunk now.
        if (generation !== this.generation) break;
        this.nextChunk = last + 1;
      }
      if (generation === this.generation && this.nextChunk >= this.reader.geometry.chunkCount) this.endOfStream();
    } catch (err) {
      if (generation === this.generation) this.fail(err);
    } finally {
      this.feeding = false;
    }
    // A seek during this loop started a new generation that wants feeding too.
    if (generation !== this.generation && !this.stopped) void this.feed();
  }

  /**
   * Find the fragment holding `time`: guess a chunk by bitrate, read the decode time of the
   * first fragment that starts in it, step back while that fragment starts after the target.
   */
  private async seekTo(time: number): Promise<void> {
    // No feeding while the target fragment is found: the seek decides what is appended next.
    this.seeking = true;
    try {
      await this.seekAndAppend(time, ++this.generation);
    } finally {
      this.seeking = false;
    }
    void this.feed();
  }

  private async seekAndAppend(time: number, generation: number): Promise<void> {
    const geometry = this.reader.geometry;
    let index = estimateChunkForTime(geometry, time, this.durationSeconds);
    let chosen: { index: number; last: number; offset: number; data: Uint8Array } | null = null;
    for (let probe = 0; probe < SEEK_PROBES; probe++) {
      const last = Math.min(index + 1, geometry.chunkCount - 1);
      const pieces = await this.reader.read(index, last);
      if (generation !== this.generation) return;
      const data = concat(...pieces);
      const offset = findFragment(data);
      const start = offset === null ? null : fragmentTime(data, offset, this.tracks);
      if (offset !== null && start !== null) {
        chosen = { index, last, offset, data };
        if (start - this.baseTime <= time + 0.05 || index === 0) break;
      }
      if (index === 0) break;
      index = Math.max(0, index - Math.max(1, Math.ceil((index * 0.1))));
    }
    if (chosen === null) return;
    const buffer = this.buffer;
    if (buffer === null) return;
    await this.waitIdle();
    if (generation !== this.generation) return;
    // Reset the parser: what follows starts at a fragment boundary, not where the last append ended.
    if (this.source.readyState === "open") buffer.abort();
    buffer.timestampOffset = -this.baseTime;
    await this.append(chosen.data.subarray(chosen.offset), generation);
    this.nextChunk = chosen.last + 1;
  }

  private waitIdle(): Promise<void> {
    const buffer = this.buffer;
    if (buffer === null || !buffer.updating) return Promise.resolve();
    return new Promise((resolve) => buffer.addEventListener("updateend", () => resolve(), { once: true }));
  }

  /** Append unless a seek started since `generation`: stale bytes would land mid-fragment. */
  private async append(data: Uint8Array, generation: number): Promise<void> {
    const buffer = this.buffer;
    if (buffer === null || this.stopped) return;
    await this.waitIdle();
    if (generation !== this.generation) return;
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        buffer.removeEventListener("error", failed);
        resolve();
      };
      const failed = (): void => {
        buffer.removeEventListener("updateend", done);
        reject(new Error("the browser refused the video data"));
      };
      buffer.addEventListener("updateend", done, { once: true });
      buffer.addEventListener("error", failed, { once: true });
      buffer.appendBuffer(new Uint8Array(data));
    });
  }

  private endOfStream(): void {
    if (this.source.readyState === "open" && this.buffer !== null && !this.buffer.updating) {
      this.source.endOfStream();
    }
  }

  private fail(err: unknown): void {
    this.events.onError?.(err);
  }
}
