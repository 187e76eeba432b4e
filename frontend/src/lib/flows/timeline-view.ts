// What the timeline bar shows of a day and how input moves it: the visible window (fit to the
// recordings, zoom, follow the playhead), pixels to moments inside that window, and keys to
// actions. Plain data, so the element stays a thin view.

import { type Marker, type Timeline, nextMarker, previousMarker, step } from "./timeline";

export interface ViewWindow {
  fromMs: number;
  toMs: number;
}

/** The narrowest window: a minute shows each few-second clip and its markers apart. */
export const MIN_WINDOW_MS = 60_000;
const FIT_MARGIN = 0.05;

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), high);
}

/** A window of `widthMs` around `centerMs`, kept inside the day. */
export function windowAround(timeline: Timeline, centerMs: number, widthMs: number): ViewWindow {
  const day = timeline.toMs - timeline.fromMs;
  const width = clamp(widthMs, Math.min(MIN_WINDOW_MS, day), day);
  const fromMs = clamp(Math.round(centerMs - width / 2), timeline.fromMs, timeline.toMs - width);
  return { fromMs, toMs: fromMs + width };
}

/** The recorded part of the day with a small margin (the whole day when nothing is recorded). */
export function fitWindow(timeline: Timeline): ViewWindow {
  const first = timeline.spans[0];
  const last = timeline.spans.at(-1);
  if (first === undefined || last === undefined) return { fromMs: timeline.fromMs, toMs: timeline.toMs };
  const width = (last.endMs - first.startMs) * (1 + 2 * FIT_MARGIN);
  return windowAround(timeline, (first.startMs + last.endMs) / 2, width);
}

/** Zoom by `factor` (< 1 narrows), keeping `centerMs` in the middle. */
export function zoom(timeline: Timeline, view: ViewWindow, factor: number, centerMs: number): ViewWindow {
  return windowAround(timeline, centerMs, (view.toMs - view.fromMs) * factor);
}

/** Shift the window so `atMs` stays in view (a playhead that ran off the edge). */
export function follow(timeline: Timeline, view: ViewWindow, atMs: number): ViewWindow {
  if (atMs >= view.fromMs && atMs <= view.toMs) return view;
  const width = view.toMs - view.fromMs;
  return windowAround(timeline, atMs + width * (atMs > view.toMs ? 0.4 : -0.4), width);
}

export function fractionInWindow(view: ViewWindow, atMs: number): number {
  return clamp((atMs - view.fromMs) / (view.toMs - view.fromMs), 0, 1);
}

export function momentInWindow(view: ViewWindow, fraction: number): number {
  return view.fromMs + Math.round(clamp(Number.isFinite(fraction) ? fraction : 0, 0, 1) * (view.toMs - view.fromMs));
}

/** Left edge and width in % of the bar for [startMs, endMs), or null when out of view. */
export function placeInWindow(view: ViewWindow, startMs: number, endMs: number): { left: number; width: number } | null {
  if (endMs <= view.fromMs || startMs >= view.toMs) return null;
  const left = fractionInWindow(view, startMs);
  return { left: left * 100, width: (fractionInWindow(view, endMs) - left) * 100 };
}

export function markersInWindow(view: ViewWindow, markers: readonly Marker[]): Marker[] {
  return markers.filter((m) => m.atMs >= view.fromMs && m.atMs <= view.toMs);
}

/** A seek to a marker carries it: the marker's own clip and offset are where it plays from. */
export interface KeyAction {
  kind: "seek" | "play";
  atMs: number;
  marker: Marker | null;
}

/**
 * A key on the focused bar: the slider keys step (timeline.step); Shift+arrows jump to the
 * previous or next event marker; Enter or Space plays from the playhead (or the first
 * recording). Null: not ours, let it through.
 */
export function keyAction(timeline: Timeline, atMs: number | null, key: string, shiftKey: boolean): KeyAction | null {
  const here = atMs ?? timeline.spans[0]?.startMs ?? null;
  if (here === null) return null;
  if (key === "Enter" || key === " ") return { kind: "play", atMs: here, marker: null };
  if (shiftKey && (key === "ArrowRight" || key === "ArrowLeft")) {
    const marker = key === "ArrowRight" ? nextMarker(timeline, here) : previousMarker(timeline, here);
    return marker === null ? null : { kind: "seek", atMs: marker.atMs, marker };
  }
  const target = step(timeline, here, key);
  return target === null ? null : { kind: "seek", atMs: target, marker: null };
}
