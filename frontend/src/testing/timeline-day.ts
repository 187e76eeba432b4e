// A day for the timeline tests: a local midnight, and clips placed in seconds after it.

import { type TimelineClip } from "../lib/flows/timeline";

export const S = 1_000;
export const DAY = 1_764_457_200_000; // a local midnight, as clip-feed's dayBounds gives it
export const END = DAY + 86_400 * S;

export function at(seconds: number): number {
  return DAY + seconds * S;
}

export function clip(clipId: string, from: number, to: number, events: TimelineClip["events"] = []): TimelineClip {
  return { clipId, startMs: at(from), endMs: at(to), events };
}
