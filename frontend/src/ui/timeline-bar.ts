// One timeline row: recorded spans, gaps, event markers and the playhead in the visible window,
// as an ARIA slider. Click, drag or touch-scrub to choose a moment (the preview follows the
// pointer with the clip's decrypted thumbnail; the seek happens on release); keys step, jump
// between markers, and Enter plays. It only draws a model built from verified facts
// (lib/flows/timeline.ts): markers come from decrypted event details, never HA's kinds.

import { LitElement, css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { type Hass, define, formatTime, translatorFor } from "./base";
import { eventKindLabel } from "../i18n";
import { type Marker, type Position, type Timeline, playFrom, positionAt } from "../lib/flows/timeline";
import { type ViewWindow, fractionInWindow, keyAction, markersInWindow, momentInWindow, placeInWindow } from "../lib/flows/timeline-view";

export interface TimelineSeek {
  atMs: number;
  position: Position;
  /** Enter (or a click on the play control): start playing, not just move there. */
  play: boolean;
}

export type ThumbnailOf = (clipId: string) => Promise<string>;

export class TimelineBar extends LitElement {
  static override styles = css`
    :host {
      display: block;
      position: relative;
    }
    .bar {
      position: relative;
      height: 36px;
      border-radius: 6px;
      background: repeating-linear-gradient(135deg, var(--secondary-background-color, #eee) 0 6px, var(--divider-color, #ddd) 6px 8px);
      cursor: pointer;
      /* A sideways finger drag is ours (pointer events keep coming: scrubbing); an up-down
         swipe still scrolls the page, and the browser then cancels our pointer. */
      touch-action: pan-y;
      user-select: none;
      outline: none;
    }
    .bar:focus-visible {
      box-shadow: 0 0 0 2px var(--primary-color, #03a9f4);
    }
    .span {
      position: absolute;
      top: 6px;
      bottom: 6px;
      min-width: 2px;
      background: var(--primary-color, #03a9f4);
      opacity: 0.55;
      border-radius: 3px;
    }
    /* The 4 px stripe sits in a 24 px wide hit box: WCAG 2.5.8's minimum target, so a finger
       on a phone can tap it (the bar is 36 px tall). */
    .marker {
      position: absolute;
      top: 0;
      bottom: 0;
      width: 24px;
      transform: translateX(-50%);
      display: flex;
      justify-content: center;
    }
    .marker::after {
      content: "";
      width: 4px;
      height: 100%;
      border-radius: 2px;
      background: var(--warning-color, #ff9800);
    }
    .playhead {
      position: absolute;
      top: -3px;
      bottom: -3px;
      width: 2px;
      transform: translateX(-50%);
      background: var(--error-color, #db4437);
      pointer-events: none;
    }
    .playhead.preview {
      background: var(--primary-text-color, #222);
      opacity: 0.6;
    }
    .hover {
      position: absolute;
      bottom: 42px;
      transform: translateX(-50%);
      width: 160px;
      padding: 4px;
      border-radius: 6px;
      background: var(--card-background-color, #fff);
      box-shadow: 0 2px 8px rgba(0, 0, 0, 0.3);
      font-size: 0.8rem;
      pointer-events: none;
      z-index: 2;
    }
    .hover img {
      display: block;
      width: 100%;
      aspect-ratio: 16 / 9;
      object-fit: cover;
      border-radius: 4px;
    }
  `;
  @property({ attribute: false }) hass: Hass | undefined;
  @property({ attribute: false }) timeline: Timeline | null = null;
  @property({ attribute: false }) view: ViewWindow | null = null;
  /** The moment playing now, or null when this row's clips are not playing. */
  @property({ attribute: false }) playhead: number | null = null;
  @property({ attribute: false }) thumbnailOf: ThumbnailOf | null = null;
  @property() label = "";
  /** Where the pointer hovers or drags (the preview), and the thumbnail shown there. */
  @state() private preview: number | null = null;
  @state() private thumbnail = "";
  private dragging = false;
  private thumbFor = "";

  private fractionOfEvent(event: PointerEvent): number {
    const bar = event.currentTarget as HTMLElement;
    const box = bar.getBoundingClientRect();
    return box.width > 0 ? (event.clientX - box.left) / box.width : 0;
  }

  private momentOfEvent(event: PointerEvent): number | null {
    return this.view === null ? null : momentInWindow(this.view, this.fractionOfEvent(event));
  }

  private readonly onPointerDown = (event: PointerEvent): void => {
    if (event.button !== 0) return;
    const marker = this.markerOf(event);
    if (marker !== null) {
      // A marker plays from the event's own clip and offset, not the pixel under the pointer.
      event.preventDefault();
      this.seekTo(marker.atMs, { clipId: marker.clipId, offsetMs: marker.offsetMs }, false);
      return;
    }
    this.dragging = true;
    (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
    this.hoverAt(this.momentOfEvent(event));
  };

  private readonly onPointerMove = (event: PointerEvent): void => {
    this.hoverAt(this.momentOfEvent(event));
  };

  private readonly onPointerUp = (event: PointerEvent): void => {
    if (!this.dragging) return;
    this.dragging = false;
    const atMs = this.momentOfEvent(event);
    if (event.pointerType !== "mouse") this.hoverAt(null);
    if (atMs !== null) this.seekTo(atMs, null, false);
  };

  private readonly onPointerLeave = (): void => {
    if (!this.dragging) this.hoverAt(null);
  };

  /** The browser took the gesture (a vertical swipe scrolls the page: touch-action pan-y):
   * the finger never let go on the bar, so end the drag without seeking. */
  private readonly onPointerCancel = (): void => {
    this.dragging = false;
    this.hoverAt(null);
  };

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (this.timeline === null) return;
    const action = keyAction(this.timeline, this.playhead ?? this.preview, event.key, event.shiftKey);
    if (action === null) return;
    event.preventDefault();
    const marker = action.marker;
    this.seekTo(action.atMs, marker === null ? null : { clipId: marker.clipId, offsetMs: marker.offsetMs }, action.kind === "play");
  };

  private markerOf(event: PointerEvent): Marker | null {
    const hit = event.composedPath().find((el): el is HTMLElement => el instanceof HTMLElement && el.classList.contains("marker"));
    const index = Number(hit?.dataset["index"] ?? "-1");
    return this.timeline?.markers[index] ?? null;
  }

  private seekTo(atMs: number, exact: Position | null, play: boolean): void {
    if (this.timeline === null) return;
    const position = exact ?? playFrom(this.timeline, atMs);
    if (position === null) return;
    const detail: TimelineSeek = { atMs, position, play };
    this.dispatchEvent(new CustomEvent<TimelineSeek>("timeline-seek", { detail, bubbles: true, composed: true }));
  }

  private hoverAt(atMs: number | null): void {
    this.preview = atMs;
    const clipId = atMs === null || this.timeline === null ? "" : (positionAt(this.timeline, atMs)?.clipId ?? "");
    if (clipId === this.thumbFor) return;
    this.thumbFor = clipId;
    this.thumbnail = "";
    if (clipId === "" || this.thumbnailOf === null) return;
    // The clip's own thumbnail, decrypted by the opener (cached there); a failure shows none.
    this.thumbnailOf(clipId).then(
      (url) => {
        if (this.thumbFor === clipId) this.thumbnail = url;
      },
      () => undefined,
    );
  }

  private valueText(): string {
    const t = translatorFor(this.hass);
    if (this.playhead === null || this.timeline === null) return t("timeline.not_playing");
    const recorded = positionAt(this.timeline, this.playhead) !== null;
    return t(recorded ? "timeline.at_recorded" : "timeline.at_gap", { time: formatTime(this.playhead, this.hass) });
  }

  private renderMarker(marker: Marker, view: ViewWindow) {
    const t = translatorFor(this.hass);
    const index = this.timeline?.markers.indexOf(marker) ?? -1;
    const title = t("timeline.marker", { kind: eventKindLabel(t, marker.kind), time: formatTime(marker.atMs, this.hass) });
    return html`<div class="marker" style="left:${fractionInWindow(view, marker.atMs) * 100}%" title=${title}
      data-index=${index} data-kind=${marker.kind} data-clip-id=${marker.clipId} data-offset-ms=${marker.offsetMs}
      data-at-ms=${marker.atMs}></div>`;
  }

  private renderHover(view: ViewWindow) {
    if (this.preview === null) return nothing;
    const left = fractionInWindow(view, this.preview) * 100;
    return html`<div class="playhead preview" style="left:${left}%"></div>
      <div class="hover" style="left:clamp(80px, ${left}%, calc(100% - 80px))">
        ${this.thumbnail === "" ? nothing : html`<img src=${this.thumbnail} alt="" />`}
        <div>${formatTime(this.preview, this.hass)}</div>
      </div>`;
  }

  override render() {
    const timeline = this.timeline;
    const view = this.view;
    if (timeline === null || view === null) return nothing;
    const t = translatorFor(this.hass);
    const spans = timeline.spans.flatMap((span) => {
      const place = placeInWindow(view, span.startMs, span.endMs);
      return place === null ? [] : [html`<div class="span" style="left:${place.left}%;width:${place.width}%"
        data-start-ms=${span.startMs} data-end-ms=${span.endMs}></div>`];
    });
    const playhead = this.playhead !== null && this.playhead >= view.fromMs && this.playhead <= view.toMs
      ? html`<div class="playhead" style="left:${fractionInWindow(view, this.playhead) * 100}%" data-at-ms=${this.playhead}></div>`
      : nothing;
    return html`<div class="bar" role="slider" tabindex="0" aria-label=${t("timeline.slider", { name: this.label })}
        aria-valuemin=${timeline.fromMs} aria-valuemax=${timeline.toMs} aria-valuenow=${this.playhead ?? timeline.fromMs}
        aria-valuetext=${this.valueText()} aria-keyshortcuts="Enter Shift+ArrowLeft Shift+ArrowRight"
        data-from-ms=${view.fromMs} data-to-ms=${view.toMs}
        @pointerdown=${this.onPointerDown} @pointermove=${this.onPointerMove} @pointerup=${this.onPointerUp}
        @pointercancel=${this.onPointerCancel} @pointerleave=${this.onPointerLeave} @keydown=${this.onKeyDown}>
      ${spans} ${markersInWindow(view, timeline.markers).map((m) => this.renderMarker(m, view))} ${playhead} ${this.renderHover(view)}
    </div>`;
  }
}
define("e2ee-nvr-timeline", TimelineBar);

declare global {
  interface HTMLElementEventMap {
    "timeline-seek": CustomEvent<TimelineSeek>;
  }
}
