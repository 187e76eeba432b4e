// What the screens say about a clip, taken only from what was signed: the device-signed manifest
// (camera, start, end), the decrypted event details, and camera names pinned from the MACed
// pairing request. HA's index row is compared with them, and each disagreement is reported as
// such, never silently corrected or silently shown.
//
// Why: HA serves the index row unsigned. A store that relabels a verified clip as another
// camera or another day would otherwise make the user believe a true video shows something
// else (the video is authentic; the caption would not be).

import { type ClipRow } from "../api/schemas";
import { type ClipEvent } from "../crypto/clip";
import { RevocationWithheld, RolledBack } from "../crypto/errors";
import { type ClipManifest } from "../crypto/manifest";
import { type HeldRecipients, checkDelivery } from "../crypto/withholding";
import { pinnedKey } from "../keystore/trust-store";

export type FactField = "camera" | "start" | "duration" | "events";

/** One field where HA's index row says something other than the signed clip. */
export interface Disagreement {
  field: FactField;
  /** What HA's index row says, in the row's own terms (ids, ms, kinds). */
  index: string;
  /** What the signed manifest (or decrypted details) say. */
  signed: string;
}

export interface ClipFacts {
  clipId: string;
  deviceId: string;
  cameraId: string;
  /** The pinned name, or the signed camera id when this browser did not pair the camera. */
  cameraName: string;
  cameraNamePinned: boolean;
  startMs: number;
  endMs: number;
  /** Decrypted event details when the clip has them, in their order. */
  events: ClipEvent[];
  /** Event kinds: from the decrypted details, else the manifest's signed visible_events. */
  eventKinds: string[];
  disagreements: Disagreement[];
  /**
   * Section 10.1 against this browser's verified set: the camera still encrypts to an old set
   * (RevocationWithheld: HA has not delivered a revocation), or to a newer one than HA shows
   * this browser (RolledBack). A warning: the clip still plays. Null when in order or unknown.
   */
  withheld: { name: "RevocationWithheld" | "RolledBack"; detail: string } | null;
}

function deliveryOf(held: HeldRecipients | null, manifest: ClipManifest): ClipFacts["withheld"] {
  if (held === null) return null;
  try {
    checkDelivery(held, manifest);
    return null;
  } catch (err) {
    if (err instanceof RevocationWithheld) return { name: "RevocationWithheld", detail: err.message };
    if (err instanceof RolledBack) return { name: "RolledBack", detail: err.message };
    throw err;
  }
}

function kindsOf(manifest: ClipManifest, events: readonly ClipEvent[]): string[] {
  const kinds = events.length > 0 ? events.map((e) => e.kind) : manifest.visibleEvents;
  return [...new Set(kinds)];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((x) => right.has(x));
}

/**
 * Compare HA's row with the signed clip. An empty `events` in the row is HA not being told
 * (the user may hide events from HA), so only a row that names events can disagree on them.
 */
export function compareWithIndex(row: ClipRow, manifest: ClipManifest, eventKinds: readonly string[]): Disagreement[] {
  const found: Disagreement[] = [];
  if (row.device_id !== manifest.deviceId || row.camera_id !== manifest.cameraId) {
    found.push({
      field: "camera",
      index: pinnedKey(row.device_id, row.camera_id),
      signed: pinnedKey(manifest.deviceId, manifest.cameraId),
    });
  }
  if (row.start_ms !== manifest.startMs) {
    found.push({ field: "start", index: String(row.start_ms), signed: String(manifest.startMs) });
  }
  if (row.end_ms - row.start_ms !== manifest.endMs - manifest.startMs) {
    found.push({
      field: "duration",
      index: String(row.end_ms - row.start_ms),
      signed: String(manifest.endMs - manifest.startMs),
    });
  }
  // HA's row carries the manifest's signed visible_events (or none, when hidden from HA).
  if (row.events.length > 0 && !sameSet(row.events, manifest.visibleEvents)) {
    found.push({ field: "events", index: row.events.join(","), signed: [...new Set([...manifest.visibleEvents, ...eventKinds])].join(",") });
  }
  return found;
}

/** The facts a screen shows, from the verified manifest and decrypted events. */
export function clipFacts(
  manifest: ClipManifest,
  events: readonly ClipEvent[],
  pinnedNames: ReadonlyMap<string, string>,
  row: ClipRow | null,
  held: HeldRecipients | null = null,
): ClipFacts {
  const pinned = pinnedNames.get(pinnedKey(manifest.deviceId, manifest.cameraId));
  const eventKinds = kindsOf(manifest, events);
  return {
    clipId: manifest.clipId,
    deviceId: manifest.deviceId,
    cameraId: manifest.cameraId,
    cameraName: pinned ?? manifest.cameraId,
    cameraNamePinned: pinned !== undefined,
    startMs: manifest.startMs,
    endMs: manifest.endMs,
    events: [...events],
    eventKinds,
    disagreements: row === null ? [] : compareWithIndex(row, manifest, eventKinds),
    withheld: deliveryOf(held, manifest),
  };
}
