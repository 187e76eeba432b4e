// Where each clip of a gapless sequence sits on the one media timeline the player builds: the
// player appends clip after clip to one SourceBuffer, each shifted to start where the one before
// it ended, so a <video> time maps to (clip, offset) and back through this list.

export interface Placed {
  clipId: string;
  /** Seconds on the media timeline where this clip's first frame is shown. */
  startSeconds: number;
  durationSeconds: number;
}

/** The clip shown at media time `seconds`: the last one starting at or before it. */
export function placedAt<T extends Placed>(sequence: readonly T[], seconds: number): T | undefined {
  let found: T | undefined = sequence[0];
  for (const placed of sequence) {
    if (placed.startSeconds <= seconds) found = placed;
    else break;
  }
  return found;
}

/** The clip and the ms into it that media time `seconds` shows. */
export function positionInSequence(sequence: readonly Placed[], seconds: number): { clipId: string; offsetMs: number } | null {
  const placed = placedAt(sequence, seconds);
  if (placed === undefined) return null;
  return { clipId: placed.clipId, offsetMs: Math.max(0, Math.round((seconds - placed.startSeconds) * 1000)) };
}

/** The media time of `offsetMs` into `clipId`, or null when that clip is not in the sequence. */
export function timeInSequence(sequence: readonly Placed[], clipId: string, offsetMs: number): number | null {
  const placed = sequence.find((p) => p.clipId === clipId);
  if (placed === undefined) return null;
  return placed.startSeconds + Math.min(Math.max(0, offsetMs / 1000), placed.durationSeconds);
}

/**
 * Where the next clip starts: right where the buffered media ends, so no gap opens between the
 * two (a gap stalls the <video>). `bufferedEnd` is the end of the buffered range holding the
 * previous clip's last frames; without one, the previous clip's signed duration.
 */
export function nextStart(previous: Placed, bufferedEnd: number | null): number {
  const planned = previous.startSeconds + previous.durationSeconds;
  if (bufferedEnd === null || bufferedEnd <= previous.startSeconds) return planned;
  return bufferedEnd;
}
