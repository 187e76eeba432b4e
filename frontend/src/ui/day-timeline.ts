// A day's timelines: one row per camera and, with several cameras, an "all cameras" row, over
// one shared window (fit to the recordings, zoomable), and the player they drive. Loaded as a
// chunk of its own by the clips view.
//
// Everything drawn comes from verified facts (lib/flows/day-clips.ts): HA's rows only say which
// clips to open. Playing from a row carries on into that row's next clip (timeline.clipAfter).

import { LitElement, css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { type Hass, define, errorText, formatTime, translatorFor } from "./base";
import { baseStyles } from "./styles";
import "./clip-player";
import "./timeline-bar";
import { type ClipPlayer, type PlayerPosition } from "./clip-player";
import { type TimelineSeek } from "./timeline-bar";
import { type E2eeApi } from "../lib/api/client";
import { type ClipOpener } from "../lib/flows/clip-opener";
import { byCamera, dayRows, verifyRows } from "../lib/flows/day-clips";
import { type FeedFilter, dayBounds, toQuery } from "../lib/flows/clip-feed";
import { type ClipFacts } from "../lib/flows/clip-facts";
import { type Timeline, buildTimeline, clipAfter, momentOf } from "../lib/flows/timeline";
import { type ViewWindow, fitWindow, follow, zoom } from "../lib/flows/timeline-view";

const ALL = "all";

interface Row {
  key: string;
  label: string;
  timeline: Timeline;
}

interface Playing {
  rowKey: string;
  clipId: string;
  offsetMs: number;
  serial: number;
}

export class DayTimeline extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .line {
        display: grid;
        grid-template-columns: minmax(80px, 160px) minmax(0, 1fr);
        gap: 8px;
        align-items: center;
        margin: 10px 0;
      }
      .name {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .ends {
        display: flex;
        justify-content: space-between;
        font-size: 0.8rem;
        color: var(--secondary-text-color);
        margin-left: calc(min(160px, 30%) + 8px);
      }
      e2ee-nvr-clip-player {
        margin-top: 12px;
      }
      /* Sized by our own width, not the window's: the panel on a phone and the card in a
         narrow dashboard column alike. There the name goes above its bar, so the bar has the
         whole width for a finger to scrub (beside the name it would be half of a phone). */
      :host {
        container-type: inline-size;
      }
      @container (max-width: 480px) {
        .line {
          grid-template-columns: minmax(0, 1fr);
          gap: 2px;
        }
        .ends {
          margin-left: 0;
        }
      }
    `,
  ];
  @property({ attribute: false }) hass: Hass | undefined;
  @property({ attribute: false }) api!: E2eeApi;
  @property({ attribute: false }) opener!: ClipOpener;
  /** The local day "YYYY-MM-DD" and the camera filter ("" for all), as the clips view has them. */
  @property() day = "";
  @property() camera = "";
  @state() private rows: Row[] = [];
  @state() private all: Timeline | null = null;
  @state() private view: ViewWindow | null = null;
  @state() private loading = false;
  @state() private refused = 0;
  /** While loading: clips verified (or refused) so far, of how many HA listed. */
  @state() private progress = { done: 0, total: 0 };
  @state() private playing: Playing | null = null;
  @state() private playhead: number | null = null;
  @state() private position: PlayerPosition | null = null;
  @state() private message = "";
  private loaded = "";
  private generation = 0;

  override willUpdate(): void {
    const wanted = `${this.day}|${this.camera}`;
    if (wanted !== this.loaded && this.api !== undefined && this.opener !== undefined) {
      this.loaded = wanted;
      void this.load();
    }
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    const bounds = dayBounds(this.day);
    this.rows = [];
    this.all = null;
    this.playing = null;
    this.playhead = null;
    this.message = "";
    this.refused = 0;
    this.progress = { done: 0, total: 0 };
    if (bounds === null) return;
    this.loading = true;
    try {
      const filter: FeedFilter = { camera: this.camera, event: "", day: this.day };
      const rows = await dayRows(this.api, toQuery(filter));
      this.progress = { done: 0, total: rows.length };
      const found = await verifyRows(
        rows,
        (batch) => this.opener.factsOfMany(batch),
        (sofar) => generation === this.generation && (this.progress = { done: sofar.facts.length + sofar.refused, total: rows.length }),
      );
      if (generation !== this.generation) return;
      this.show(found.facts, bounds);
      this.refused = found.refused;
    } catch (err) {
      if (generation === this.generation) this.message = errorText(translatorFor(this.hass), err);
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  private show(facts: ClipFacts[], [fromMs, toMs]: [number, number]): void {
    const cameras = byCamera(facts);
    this.rows = [...cameras].map(([key, list]) => ({
      key,
      label: list[0]?.cameraName ?? key,
      timeline: buildTimeline(list, fromMs, toMs),
    }));
    this.all = buildTimeline(facts, fromMs, toMs);
    this.view = fitWindow(this.all);
  }

  private rowOf(key: string): Row | null {
    if (key === ALL) return this.all === null ? null : { key: ALL, label: "", timeline: this.all };
    return this.rows.find((r) => r.key === key) ?? null;
  }

  private onSeek(rowKey: string, seek: TimelineSeek): void {
    const { clipId, offsetMs } = seek.position;
    this.playhead = seek.atMs;
    const player = this.renderRoot.querySelector<ClipPlayer>("e2ee-nvr-clip-player");
    // Within the sequence already playing: a seek, no restart (no reload, no flash).
    if (this.playing?.rowKey === rowKey && player?.seek(clipId, offsetMs) === true) {
      if (seek.play) void player.renderRoot.querySelector("video")?.play().catch(() => undefined);
      return;
    }
    this.playing = { rowKey, clipId, offsetMs, serial: (this.playing?.serial ?? 0) + 1 };
  }

  private onPosition(position: PlayerPosition): void {
    this.position = position;
    const timeline = this.all;
    if (timeline === null) return;
    const atMs = momentOf(timeline, position);
    if (atMs === null) return;
    this.playhead = atMs;
    if (this.view !== null) this.view = follow(timeline, this.view, atMs);
  }

  private zoomBy(factor: number): void {
    if (this.all === null || this.view === null) return;
    this.view = zoom(this.all, this.view, factor, this.playhead ?? (this.view.fromMs + this.view.toMs) / 2);
  }

  private renderRow(row: Row, label: string) {
    const playing = this.playing?.rowKey === row.key;
    return html`<div class="line">
      <span class="name" title=${label}>${label}</span>
      <e2ee-nvr-timeline data-row=${row.key} .hass=${this.hass} .timeline=${row.timeline} .view=${this.view} label=${label}
        .playhead=${playing || row.key === ALL ? this.playhead : null}
        .thumbnailOf=${(clipId: string) => this.opener.thumbnailUrl(clipId)}
        @timeline-seek=${(e: CustomEvent<TimelineSeek>) => this.onSeek(row.key, e.detail)}></e2ee-nvr-timeline>
    </div>`;
  }

  private renderPlayer() {
    const playing = this.playing;
    const row = playing === null ? null : this.rowOf(playing.rowKey);
    if (playing === null || row === null) return nothing;
    const timeline = row.timeline;
    return html`<e2ee-nvr-clip-player .hass=${this.hass} .opener=${this.opener} clip-id=${playing.clipId}
      .offsetMs=${playing.offsetMs} .playSerial=${playing.serial}
      .nextClip=${(clipId: string) => clipAfter(timeline, clipId)?.clipId ?? null}
      data-playing-clip=${this.position?.clipId ?? ""} data-playing-offset-ms=${this.position?.offsetMs ?? -1}
      @player-position=${(e: CustomEvent<PlayerPosition>) => this.onPosition(e.detail)}></e2ee-nvr-clip-player>`;
  }

  override render() {
    const t = translatorFor(this.hass);
    if (dayBounds(this.day) === null) return nothing;
    const view = this.view;
    return html`<div data-screen="timeline">
      <div class="row">
        <strong>${t("timeline.title", { day: this.day })}</strong>
        <span class="spacer"></span>
        <button @click=${() => this.zoomBy(0.5)} aria-label=${t("timeline.zoom_in")} title=${t("timeline.zoom_in")}>+</button>
        <button @click=${() => this.zoomBy(2)} aria-label=${t("timeline.zoom_out")} title=${t("timeline.zoom_out")}>−</button>
        <button @click=${() => this.all !== null && (this.view = fitWindow(this.all))}>${t("timeline.fit")}</button>
        <button @click=${() => ((this.loaded = ""), this.requestUpdate())}>${t("timeline.refresh")}</button>
      </div>
      ${this.loading ? html`<p class="muted">${t("timeline.loading", this.progress)}</p>` : nothing}
      ${this.message === "" ? nothing : html`<p class="error" role="alert">${this.message}</p>`}
      ${this.refused > 0 ? html`<p class="error">${t("timeline.refused", { count: this.refused })}</p>` : nothing}
      ${!this.loading && this.rows.length === 0 && this.message === "" && this.refused === 0
        ? html`<p class="muted">${t("timeline.empty")}</p>`
        : nothing}
      ${this.rows.map((row) => this.renderRow(row, row.label))}
      ${this.rows.length > 1 && this.all !== null ? this.renderRow({ key: ALL, label: "", timeline: this.all }, t("timeline.all_cameras")) : nothing}
      ${view === null || this.rows.length === 0
        ? nothing
        : html`<div class="ends"><span>${formatTime(view.fromMs, this.hass)}</span><span>${formatTime(view.toMs, this.hass)}</span></div>`}
      ${this.rows.length === 0 ? nothing : html`<p class="muted">${t("timeline.help")}</p>`}
      ${this.renderPlayer()}
    </div>`;
  }
}
define("e2ee-nvr-day-timeline", DayTimeline);
