// The live records a device sends through the store to every viewer (section 18 step 4), and the
// endpoint's reader of them.
//
// Each record is sealed alone under k_media with its seq as the nonce and its header as the
// associated data, so the store (which sees only the cleartext header) can split, stall and
// drop whole records but cannot alter, reorder, replay or splice one: the reader refuses any seq
// not above the last it accepted, and a record from another session fails its header or tag.

import { type Bytes, concat, equal, readUintBE } from "./bytes";
import { Fields, loads } from "./encoding";
import { ChunkAuthFailed, HeaderMismatch, MalformedObject, Replayed, TrailingData, Truncated } from "./errors";
import * as primitives from "./primitives";

export const RECORD_INIT = 1;
export const RECORD_MEDIA = 2;
export const RECORD_END = 3;
export const RECORD_HEADER_BYTES = 36;
const MAGIC = new Uint8Array([0x45, 0x32, 0x4c, 0x56]); // "E2LV"
const SESSION_ID_BYTES = 16;
// One fragment of a camera stream fits in 16 MiB; a larger ct_len is refused from the header
// alone, before any byte of the body is buffered.
export const MAX_RECORD_PLAINTEXT = 1 << 24;
const MAX_END_BYTES = 1024;
export const END_REASONS = new Set(["stopped", "camera-offline", "rekey", "idle"]);

export type RecordType = typeof RECORD_INIT | typeof RECORD_MEDIA | typeof RECORD_END;

export interface RecordHeader {
  type: RecordType;
  sessionId: Bytes;
  seq: bigint;
  ctLen: number;
}

/** A record that authenticated: its type and plaintext (an end record's reason is checked). */
export interface LiveRecord {
  type: RecordType;
  seq: bigint;
  plaintext: Bytes;
}

/** Parse and bound the cleartext header (MalformedObject); the store splits records with this. */
export function parseRecordHeader(data: Uint8Array): RecordHeader {
  if (data.length < RECORD_HEADER_BYTES) throw new Truncated("live record: header cut short");
  if (!equal(data.subarray(0, 4), MAGIC)) throw new MalformedObject("live record: bad magic");
  if (data[5] !== 0 || data[6] !== 0 || data[7] !== 0) throw new MalformedObject("live record: reserved bytes are not zero");
  const type = data[4] ?? 0;
  if (type !== RECORD_INIT && type !== RECORD_MEDIA && type !== RECORD_END) {
    throw new MalformedObject(`live record: unknown type ${type}`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const ctLen = readUintBE(data, 32, 4);
  if (ctLen < primitives.GCM_TAG_BYTES || ctLen > MAX_RECORD_PLAINTEXT + primitives.GCM_TAG_BYTES) {
    throw new MalformedObject(`live record: ct_len ${ctLen} out of range`);
  }
  return { type, sessionId: data.slice(8, 8 + SESSION_ID_BYTES), seq: view.getBigUint64(24), ctLen };
}

/** The reason of an end record: exactly {"reason": <one of four>} (MalformedObject). */
export function parseEnd(plaintext: Uint8Array): string {
  const fields = new Fields(loads(plaintext, MAX_END_BYTES), "live end record");
  const reason = fields.str("reason", { maxLen: 32 });
  fields.done();
  if (!END_REASONS.has(reason)) throw new MalformedObject(`live end record: unknown reason ${JSON.stringify(reason)}`);
  return reason;
}

/**
 * Feed it the bytes of the GET body as they come; it returns each record that authenticated.
 * Any refusal is final: the reader stays failed (a stream that lied once is not resumed).
 */
export class LiveRecordReader {
  /** Sequence numbers skipped (records the store dropped for a slow viewer): accepted, counted. */
  gaps = 0;
  lastSeq: bigint | null = null;
  initSeen = false;
  /** The end record's reason, once one was accepted. */
  ended: string | null = null;
  private pending: Bytes = new Uint8Array(0);
  private header: RecordHeader | null = null;
  private failure: Error | null = null;

  constructor(
    private readonly sessionId: Uint8Array,
    private readonly mediaKey: CryptoKey,
  ) {
    if (sessionId.length !== SESSION_ID_BYTES) throw new Error("session_id is 16 bytes");
  }

  /** Take the next bytes of the stream; return the records they complete, in order. */
  async feed(data: Uint8Array): Promise<LiveRecord[]> {
    if (this.failure !== null) throw this.failure;
    try {
      return await this.feedUnchecked(data);
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
      this.pending = new Uint8Array(0);
      throw err;
    }
  }

  /**
   * The stream ended: Truncated inside a record; at a record boundary all is in order (a store
   * can always stop relaying; `ended` tells whether the device ended it).
   */
  close(): void {
    if (this.failure !== null) throw this.failure;
    if (this.pending.length > 0) {
      this.failure = new Truncated("live stream: ends inside a record");
      throw this.failure;
    }
  }

  private async feedUnchecked(data: Uint8Array): Promise<LiveRecord[]> {
    if (data.length > 0 && this.ended !== null) throw new TrailingData("live stream: data after the end record");
    this.pending = this.pending.length === 0 ? new Uint8Array(data) : concat(this.pending, data);
    const out: LiveRecord[] = [];
    for (;;) {
      if (this.header === null) {
        if (this.pending.length < RECORD_HEADER_BYTES) return out;
        this.header = this.checkHeader(this.pending.subarray(0, RECORD_HEADER_BYTES));
      }
      const total = RECORD_HEADER_BYTES + this.header.ctLen;
      if (this.pending.length < total) return out;
      const record = this.pending.subarray(0, total);
      this.pending = this.pending.slice(total);
      const header = this.header;
      this.header = null;
      out.push(await this.open(header, record));
      if (this.ended !== null && this.pending.length > 0) throw new TrailingData("live stream: a record after the end record");
    }
  }

  /** Checked before the ciphertext arrives, so a forged length or a replay is never buffered. */
  private checkHeader(raw: Uint8Array): RecordHeader {
    const header = parseRecordHeader(raw);
    if (!equal(header.sessionId, this.sessionId)) throw new HeaderMismatch("live record: another session's record");
    if (this.lastSeq !== null && header.seq <= this.lastSeq) {
      throw new Replayed(`live record: seq ${header.seq} not after ${this.lastSeq}`);
    }
    return header;
  }

  private async open(header: RecordHeader, record: Uint8Array): Promise<LiveRecord> {
    // nonce = u32(0) || u64(seq): seq never repeats within a session (refused above), and
    // k_media is fresh per session, so no (key, nonce) pair is ever used twice.
    const nonce = concat(new Uint8Array(4), record.subarray(24, 32));
    let plaintext: Bytes;
    try {
      plaintext = await primitives.aesGcmDecrypt(this.mediaKey, nonce, record.subarray(RECORD_HEADER_BYTES), record.subarray(0, RECORD_HEADER_BYTES));
    } catch {
      throw new ChunkAuthFailed(`live record ${header.seq}: tag does not verify`);
    }
    if (header.type === RECORD_MEDIA && !this.initSeen) throw new MalformedObject("live record: media before any init");
    if (header.type === RECORD_END) this.ended = parseEnd(plaintext);
    if (header.type === RECORD_INIT) this.initSeen = true;
    if (this.lastSeq !== null) this.gaps += Number(header.seq - this.lastSeq - 1n);
    this.lastSeq = header.seq;
    return { type: header.type, seq: header.seq, plaintext };
  }
}
