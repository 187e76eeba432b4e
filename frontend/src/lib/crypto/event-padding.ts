// Padded event details (section 9.3, v2): u32(L) || J || zeros to the smallest bucket, so the
// store learns neither how many events a clip had nor how long their names were. Readers still
// take a v1 agent's unpadded JSON, told apart by its first byte "{" (a padded one starts 0x00).
//
// clip.ts keeps the clip-events JSON itself (decodeEvents); this module only frames it.

import { concat, uintBE, readUintBE } from "./bytes";
import { dumps } from "./encoding";
import { type ClipEvent, decodeEvents, eventToJson } from "./clip";
import { PROTOCOL_VERSION } from "./envelope";
import { MalformedObject } from "./errors";

export const EVENT_BUCKETS = [256, 1024, 4096, 16384] as const;
const LENGTH_BYTES = 4;
const MAX_EVENTS = 256;
const OPEN_BRACE = 0x7b;

/** The unpadded clip-events JSON (J): what v1 agents wrote. */
export function encodeEvents(events: readonly ClipEvent[]): Uint8Array {
  return dumps({ v: PROTOCOL_VERSION, type: "clip-events", events: events.map(eventToJson) });
}

/** The padded plaintext; events that do not fit the largest bucket are dropped from the end. */
export function padEvents(events: readonly ClipEvent[]): Uint8Array {
  const kept = events.slice(0, MAX_EVENTS);
  for (;;) {
    const document = encodeEvents(kept);
    const need = LENGTH_BYTES + document.length;
    const bucket = EVENT_BUCKETS.find((b) => b >= need);
    if (bucket !== undefined) return concat(uintBE(document.length, LENGTH_BYTES), document, new Uint8Array(bucket - need));
    kept.pop();
  }
}

/** Padded (v2) or unpadded (v1) event details: MalformedObject for any other framing. */
export function decodePaddedEvents(plaintext: Uint8Array): ClipEvent[] {
  if (plaintext[0] === OPEN_BRACE) return decodeEvents(plaintext);
  if (!(EVENT_BUCKETS as readonly number[]).includes(plaintext.length)) {
    throw new MalformedObject(`clip-events: padded size ${plaintext.length} is not a bucket`);
  }
  const length = readUintBE(plaintext, 0, LENGTH_BYTES);
  const end = LENGTH_BYTES + length;
  if (end > plaintext.length) throw new MalformedObject("clip-events: length prefix exceeds the bucket");
  // Non-zero padding would be a side channel the producer controls: refuse it.
  if (plaintext.subarray(end).some((byte) => byte !== 0)) throw new MalformedObject("clip-events: non-zero padding");
  return decodeEvents(plaintext.subarray(LENGTH_BYTES, end));
}
