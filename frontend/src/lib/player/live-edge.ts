// The live player's arithmetic, apart from MediaSource so it can be tested alone: where to jump
// to stay at the live edge, what to drop from the buffer behind the playhead, and where a new
// init's fragments go on the timeline.

/** Further behind the newest buffered frame than this, the player jumps forward. */
export const MAX_LAG_SECONDS = 3;
/** Where it lands: a little behind the newest frame, so playback does not stall at once. */
export const EDGE_MARGIN_SECONDS = 0.5;
/** Media kept behind the playhead (a short rewind within the buffer stays possible). */
export const KEEP_BEHIND_SECONDS = 10;
/** Trim only once this much lies behind, so removals are rare and large. */
export const TRIM_AFTER_SECONDS = 30;

export interface Span {
  start: number;
  end: number;
}

export function spansOf(ranges: TimeRanges): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < ranges.length; i++) out.push({ start: ranges.start(i), end: ranges.end(i) });
  return out;
}

/** The time to seek to, or null when the playhead is close enough to the newest frame. */
export function liveEdgeTarget(spans: readonly Span[], currentTime: number): number | null {
  const last = spans[spans.length - 1];
  if (last === undefined) return null;
  const inLast = currentTime >= last.start && currentTime <= last.end;
  // Outside the newest range (before the first fragment, or stuck in a hole a dropped
  // fragment left) or too far behind in it: go to the edge.
  if (inLast && last.end - currentTime <= MAX_LAG_SECONDS) return null;
  return Math.max(last.start, last.end - EDGE_MARGIN_SECONDS);
}

/** The range to remove behind the playhead, or null while little is buffered behind. */
export function trimRange(spans: readonly Span[], currentTime: number): Span | null {
  const first = spans[0];
  if (first === undefined) return null;
  const keepFrom = currentTime - KEEP_BEHIND_SECONDS;
  if (keepFrom - first.start < TRIM_AFTER_SECONDS - KEEP_BEHIND_SECONDS) return null;
  return { start: first.start, end: keepFrom };
}

/**
 * timestampOffset for the first fragment after an init: a device that restarted its capture
 * starts decode times again near zero, so the new fragments are placed right after what is
 * buffered (or at zero for the first), keeping one growing timeline.
 */
export function offsetForFirstFragment(decodeTime: number, bufferedEnd: number | null): number {
  return (bufferedEnd ?? 0) - decodeTime;
}
