// A day timeline of one camera: recorded spans, gaps, event markers, and the arithmetic a
// scrubber needs (a moment to a clip and an offset, a clip's offset back to a moment, keyboard
// steps, pixels to moments). Plain data in, plain data out: the view draws it.
//
// Built only from what was verified: each clip's times come from its device-signed manifest and
// its markers from its decrypted event details (ClipFacts satisfies TimelineClip), never from
// HA's unsigned index row. Event times are Unix ms on the manifest's clock; an event that spans
// a clip boundary is listed by both clips (protocol section 9.3), so markers are deduplicated,
// and an event's place is clamped to the clips that hold it.

import { type ClipEvent } from "../crypto/clip";

export interface TimelineClip {
  clipId: string;
  startMs: number;
  endMs: number;
  events: readonly Pick<ClipEvent, "kind" | "startMs" | "endMs">[];
}

/** Recorded time without a break: back-to-back clips (within the tolerance) form one span. */
export interface Span {
  startMs: number;
  endMs: number;
  clipIds: string[];
}

export interface Gap {
  startMs: number;
  endMs: number;
}

/** One event, placed in the clip where it starts (or, if it began earlier, the first holding it). */
export interface Marker {
  kind: string;
  atMs: number;
  endMs: number;
  clipId: string;
  offsetMs: number;
}

export interface Timeline {
  fromMs: number;
  toMs: number;
  /** The clips that touch [fromMs, toMs), by start, with their signed (uncut) times. */
  clips: TimelineClip[];
  spans: Span[];
  gaps: Gap[];
  markers: Marker[];
}

export interface Position {
  clipId: string;
  offsetMs: number;
}

export class InvalidTimeline extends Error {
  override name = "InvalidTimeline";
}

/** Continuous clips meet within a few ms; a GOP of slack still reads as "no break". */
export const DEFAULT_JOIN_MS = 1_000;

export function buildTimeline(clips: readonly TimelineClip[], fromMs: number, toMs: number, joinMs = DEFAULT_JOIN_MS): Timeline {
  if (!(Number.isFinite(fromMs) && Number.isFinite(toMs) && fromMs < toMs)) throw new InvalidTimeline(`bad day bounds ${fromMs}..${toMs}`);
  for (const clip of clips) {
    if (!(clip.endMs >= clip.startMs)) throw new InvalidTimeline(`clip ${clip.clipId} ends before it starts`);
  }
  // Clips keep their signed times (an offset into a clip that began before midnight counts from
  // its real start, or playback would start in the wrong place); only spans are cut to the day.
  const inDay = clips
    .filter((clip) => clip.endMs > fromMs && clip.startMs < toMs && clip.endMs > clip.startMs)
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
  const cut = inDay.map((clip) => ({ ...clip, startMs: Math.max(clip.startMs, fromMs), endMs: Math.min(clip.endMs, toMs) }));
  const spans = spansOf(cut, joinMs);
  return { fromMs, toMs, clips: inDay, spans, gaps: gapsOf(spans, fromMs, toMs), markers: markersOf(inDay) };
}

function spansOf(clips: readonly TimelineClip[], joinMs: number): Span[] {
  const spans: Span[] = [];
  for (const clip of clips) {
    const last = spans.at(-1);
    if (last !== undefined && clip.startMs <= last.endMs + joinMs) {
      last.endMs = Math.max(last.endMs, clip.endMs);
      last.clipIds.push(clip.clipId);
    } else {
      spans.push({ startMs: clip.startMs, endMs: clip.endMs, clipIds: [clip.clipId] });
    }
  }
  return spans;
}

function gapsOf(spans: readonly Span[], fromMs: number, toMs: number): Gap[] {
  const gaps: Gap[] = [];
  let cursor = fromMs;
  for (const span of spans) {
    if (span.startMs > cursor) gaps.push({ startMs: cursor, endMs: span.startMs });
    cursor = Math.max(cursor, span.endMs);
  }
  if (cursor < toMs) gaps.push({ startMs: cursor, endMs: toMs });
  return gaps;
}

function markersOf(clips: readonly TimelineClip[]): Marker[] {
  const seen = new Map<string, { clip: TimelineClip; startMs: number; kind: string; endMs: number }[]>();
  for (const clip of clips) {
    for (const event of clip.events) {
      const key = `${event.kind}@${event.startMs}`;
      // Ongoing when the clip was sealed (end null): it lasted at least to the clip's end.
      const found = { clip, startMs: event.startMs, kind: event.kind, endMs: event.endMs ?? clip.endMs };
      seen.set(key, [...(seen.get(key) ?? []), found]);
    }
  }
  const markers: Marker[] = [];
  for (const found of seen.values()) {
    const first = found[0];
    if (first === undefined) continue;
    // Its home is the clip it starts in; an event that began before every clip holding it
    // (or before the day) is placed at the start of the first of them.
    const home = found.find((f) => f.startMs >= f.clip.startMs && f.startMs < f.clip.endMs) ?? first;
    const atMs = clamp(home.startMs, home.clip.startMs, home.clip.endMs);
    const endMs = Math.max(atMs, ...found.map((f) => f.endMs));
    markers.push({ kind: home.kind, atMs, endMs, clipId: home.clip.clipId, offsetMs: atMs - home.clip.startMs });
  }
  return markers.sort((a, b) => a.atMs - b.atMs || a.kind.localeCompare(b.kind));
}

/** Array.prototype.findLast is ES2023; the bundle targets ES2022. */
function lastWhere<T>(items: readonly T[], test: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i];
    if (item !== undefined && test(item)) return item;
  }
  return undefined;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/** The clip playing at `atMs` and the offset into it; with overlapping clips, the later start. */
export function positionAt(timeline: Timeline, atMs: number): Position | null {
  let found: TimelineClip | undefined;
  for (const clip of timeline.clips) {
    if (clip.startMs > atMs) break;
    if (atMs < clip.endMs) found = clip;
  }
  return found === undefined ? null : { clipId: found.clipId, offsetMs: atMs - found.startMs };
}

/** Where a click or drag at `atMs` plays from: that moment, or in a gap the next recording. */
export function playFrom(timeline: Timeline, atMs: number): Position | null {
  const here = positionAt(timeline, atMs);
  if (here !== null) return here;
  // The next clip, not the next span: the ms between two cut clips lie inside one span.
  const next = timeline.clips.find((clip) => clip.startMs > atMs);
  return next === undefined ? null : { clipId: next.clipId, offsetMs: 0 };
}

/** The moment a clip's offset shows (the playhead), or null for a clip not on this timeline. */
export function momentOf(timeline: Timeline, position: Position): number | null {
  const clip = timeline.clips.find((c) => c.clipId === position.clipId);
  return clip === undefined ? null : clamp(clip.startMs + position.offsetMs, clip.startMs, clip.endMs);
}

/** The clip to continue with when `clipId` ends (the next one by start), for playback across
 * clip boundaries; null at the end of the day's recordings. */
export function clipAfter(timeline: Timeline, clipId: string): Position | null {
  const index = timeline.clips.findIndex((c) => c.clipId === clipId);
  if (index < 0) return null;
  const current = timeline.clips[index];
  const next = timeline.clips.slice(index + 1).find((c) => current !== undefined && c.endMs > current.endMs);
  if (next === undefined || current === undefined) return null;
  // Overlapping clips: carry on at the moment the current one ends, not at the next one's start.
  return { clipId: next.clipId, offsetMs: Math.max(0, current.endMs - next.startMs) };
}

export type TimelineKey = "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" | "PageUp" | "PageDown" | "Home" | "End";

export interface StepSizes {
  smallMs: number;
  largeMs: number;
}

export const DEFAULT_STEPS: StepSizes = { smallMs: 10_000, largeMs: 10 * 60_000 };

/**
 * The moment a key moves the playhead to, as a slider does (WAI-ARIA): arrows by smallMs,
 * PageUp/PageDown by largeMs, Home/End to the first and last recorded moment. A step that lands
 * in a gap jumps on across it, in the direction of travel, so every key press shows video; null
 * for another key, or when there is nothing recorded that way.
 */
export function step(timeline: Timeline, atMs: number, key: string, sizes: StepSizes = DEFAULT_STEPS): number | null {
  const first = timeline.spans[0];
  const last = timeline.spans.at(-1);
  if (first === undefined || last === undefined) return null;
  switch (key as TimelineKey) {
    case "Home":
      return first.startMs;
    case "End":
      return lastMoment(last);
    case "ArrowLeft":
    case "ArrowDown":
      return backTo(timeline, atMs - sizes.smallMs);
    case "ArrowRight":
    case "ArrowUp":
      return forwardTo(timeline, atMs + sizes.smallMs);
    case "PageDown":
      return backTo(timeline, atMs - sizes.largeMs);
    case "PageUp":
      return forwardTo(timeline, atMs + sizes.largeMs);
    default:
      return null;
  }
}

/** The last moment of a span that still shows a frame (spans end exclusive). */
function lastMoment(span: Span): number {
  return Math.max(span.startMs, span.endMs - 1);
}

function forwardTo(timeline: Timeline, targetMs: number): number | null {
  const span = timeline.spans.find((s) => s.endMs > targetMs);
  if (span === undefined) return null;
  return Math.max(targetMs, span.startMs);
}

function backTo(timeline: Timeline, targetMs: number): number | null {
  const span = lastWhere(timeline.spans, (s) => s.startMs <= targetMs);
  if (span === undefined) return null;
  return Math.min(targetMs, lastMoment(span));
}

/** The next marker strictly after `atMs` (or the previous one strictly before), for "jump to
 * the next event". */
export function nextMarker(timeline: Timeline, atMs: number): Marker | null {
  return timeline.markers.find((m) => m.atMs > atMs) ?? null;
}

export function previousMarker(timeline: Timeline, atMs: number): Marker | null {
  return lastWhere(timeline.markers, (m) => m.atMs < atMs) ?? null;
}

/** A pointer's place on the bar (0 at the left, 1 at the right) as a moment, and back. */
export function momentAtFraction(timeline: Timeline, fraction: number): number {
  const width = timeline.toMs - timeline.fromMs;
  return timeline.fromMs + Math.round(clamp(Number.isFinite(fraction) ? fraction : 0, 0, 1) * width);
}

export function fractionOf(timeline: Timeline, atMs: number): number {
  return clamp((atMs - timeline.fromMs) / (timeline.toMs - timeline.fromMs), 0, 1);
}
