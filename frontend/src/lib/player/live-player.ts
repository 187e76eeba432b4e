// Plays a live session through Media Source Extensions: the GET body's records go through the
// live reader (nothing reaches MediaSource before its tag verified), init records set up (or
// change) the SourceBuffer with the codecs they declare, fragments are appended as they come,
// and the playhead is kept near the newest frame with the buffer behind it trimmed.

import { type LiveRecord, type LiveRecordReader, RECORD_INIT, RECORD_MEDIA } from "../crypto/live-records";
import { SourceBufferQueue } from "./append-queue";
import { playability } from "./codec";
import { LiveUnplayable } from "./live-errors";
import { fragmentTime, trackTimescales } from "./fmp4";
import { type InitCodecs, initCodecs } from "./init-codecs";
import { liveEdgeTarget, offsetForFirstFragment, spansOf, trimRange } from "./live-edge";

export interface LivePlayerEvents {
  /** The first fragment is in the buffer: frames are on screen (or about to be). */
  onLive?: (codecs: InitCodecs) => void;
  /** The stream ended at a record boundary; `reason` is the device's end reason, if it sent one. */
  onEnd?: (reason: string | null) => void;
  /** A refusal by the reader (a named protocol error), LiveUnplayable, or a transport failure. */
  onError?: (err: unknown) => void;
}

export class LivePlayer {
  private readonly source = new MediaSource();
  private queue: SourceBufferQueue | null = null;
  private objectUrl = "";
  private codecs: InitCodecs | null = null;
  private tracks: ReturnType<typeof trackTimescales> = new Map();
  private placeNextFragment = true;
  private stopped = false;
  private announced = false;
  private streamReader: ReadableStreamDefaultReader<Uint8Array> | null = null;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly stream: ReadableStream<Uint8Array>,
    private readonly reader: LiveRecordReader,
    private readonly events: LivePlayerEvents = {},
  ) {}

  /** Attach to the video element and play until the stream ends, fails, or stop() is called. */
  async run(): Promise<void> {
    this.objectUrl = URL.createObjectURL(this.source);
    const opened = new Promise<void>((resolve) => this.source.addEventListener("sourceopen", () => resolve(), { once: true }));
    this.video.src = this.objectUrl;
    await opened;
    this.streamReader = this.stream.getReader();
    try {
      for (;;) {
        const { done, value } = await this.streamReader.read();
        if (done || this.stopped) break;
        for (const record of await this.reader.feed(value)) {
          if (this.stopped) return;
          await this.handle(record);
        }
      }
      if (this.stopped) return;
      this.reader.close();
      this.events.onEnd?.(this.reader.ended);
    } catch (err) {
      if (!this.stopped) this.events.onError?.(err);
    } finally {
      void this.streamReader.cancel().catch(() => undefined);
    }
  }

  /** Records the store skipped (a slow viewer's dropped fragments). */
  get gaps(): number {
    return this.reader.gaps;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    void this.streamReader?.cancel().catch(() => undefined);
    this.video.removeAttribute("src");
    this.video.load();
    if (this.objectUrl !== "") URL.revokeObjectURL(this.objectUrl);
  }

  private async handle(record: LiveRecord): Promise<void> {
    if (record.type === RECORD_INIT) await this.takeInit(record.plaintext);
    else if (record.type === RECORD_MEDIA) await this.takeFragment(record.plaintext);
    // An end record needs nothing here: the stream ends after it and run() reports it.
  }

  private async takeInit(init: Uint8Array): Promise<void> {
    const codecs = initCodecs(init);
    const verdict = playability(codecs.mime, codecs.codecs);
    if (!verdict.playable) throw new LiveUnplayable(verdict);
    if (this.queue === null) {
      const buffer = this.source.addSourceBuffer(verdict.mime);
      buffer.mode = "segments";
      this.queue = new SourceBufferQueue(buffer, "the browser refused the live video data");
    } else if (this.codecs?.codecs !== codecs.codecs || this.codecs.mime !== codecs.mime) {
      // The device restarted its capture with other codecs (or audio came or went).
      await this.queue.idle();
      this.queue.buffer.changeType(verdict.mime);
    }
    this.codecs = codecs;
    this.tracks = trackTimescales(init);
    // A new init restarts decode times: the next fragment is placed after what is buffered.
    this.placeNextFragment = true;
    await this.append(init);
  }

  private async takeFragment(fragment: Uint8Array): Promise<void> {
    const queue = this.queue;
    if (queue === null || this.codecs === null) return;
    const buffer = queue.buffer;
    if (this.placeNextFragment) {
      const decodeTime = fragmentTime(fragment, 0, this.tracks) ?? 0;
      const spans = spansOf(buffer.buffered);
      await queue.idle();
      buffer.timestampOffset = offsetForFirstFragment(decodeTime, spans.length === 0 ? null : (spans[spans.length - 1]?.end ?? null));
      this.placeNextFragment = false;
    }
    await this.append(fragment);
    if (!this.announced) {
      this.announced = true;
      this.events.onLive?.(this.codecs);
    }
    await this.keepLive(queue);
  }

  /** Jump to the edge when behind (a tab in the background, a slow decoder); trim behind. */
  private async keepLive(queue: SourceBufferQueue): Promise<void> {
    const spans = spansOf(queue.buffer.buffered);
    const target = liveEdgeTarget(spans, this.video.currentTime);
    if (target !== null) this.video.currentTime = target;
    if (this.video.paused) void this.video.play().catch(() => undefined);
    const trim = trimRange(spans, this.video.currentTime);
    if (trim !== null) await queue.remove(trim.start, trim.end);
  }

  private async append(data: Uint8Array): Promise<void> {
    if (this.queue === null || this.stopped) return;
    await this.queue.append(data);
  }
}
