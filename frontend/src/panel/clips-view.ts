// Clips by day and camera: filters, decrypted thumbnails, endless scroll, play, download, delete.
// HA's index only finds and groups clips; each tile's and the player's caption, and the download's
// file name, come from the signed manifest (ui/clip-facts.ts), with HA's disagreements shown.

import { css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { define, errorLine, isAdmin, translatorFor } from "../ui/base";
import { baseStyles, chipStyles } from "../ui/styles";
import { SessionView } from "../ui/session-view";
import "../ui/clip-player";
import "../ui/clip-facts";
import "../ui/clip-thumb";
import "../ui/confirm-button";
import { type ClipRow } from "../lib/api/schemas";
import { ClipFeed, type FeedFilter, NO_FILTER, cameraNames, eventKinds, groupClips, localDay } from "../lib/flows/clip-feed";
import { type WithheldCamera, withheldCameras } from "../lib/flows/delivery-check";
import { clipFileName, saveBlob } from "../lib/player/download";
import { eventKindLabel } from "../i18n";

export class ClipsView extends SessionView {
  static override styles = [
    baseStyles,
    chipStyles,
    css`
      .filters select,
      .filters input {
        min-width: 140px;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 16px;
      }
      :host([wide]) .layout.playing {
        grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
      }
      .player {
        position: sticky;
        top: 8px;
        align-self: start;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(160px, 1fr));
        gap: 12px;
      }
      .tile {
        border: 2px solid transparent;
        border-radius: 10px;
        padding: 2px;
        cursor: pointer;
        background: none;
        color: inherit;
        text-align: left;
      }
      .tile.selected {
        border-color: var(--primary-color, #03a9f4);
      }
      .tile .meta {
        font-size: 0.85rem;
        padding: 4px 2px;
      }
      .sentinel {
        height: 1px;
      }
    `,
  ];
  @property({ type: Boolean, reflect: true }) wide = false;
  /** A clip to open at once, from a link (/e2ee-nvr?clip=<id>, the media browser's). */
  @property({ attribute: false }) linkedClip: string | null = null;
  @state() clips: ClipRow[] = [];
  @state() names = new Map<string, string>();
  @state() filter: FeedFilter = NO_FILTER;
  @state() selected: ClipRow | null = null;
  @state() exhausted = false;
  @state() progress = -1;
  /** Cameras whose newest clip shows a withheld revocation (section 10.1). */
  @state() withheld: WithheldCamera[] = [];
  private feed: ClipFeed | null = null;
  private observer: IntersectionObserver | null = null;
  private knownEvents: string[] = [];

  override connectedCallback(): void {
    super.connectedCallback();
    // The timeline (and its player logic) is a chunk of its own: the card entry stays small.
    void import("../ui/day-timeline").catch((err: unknown) => this.showError(err));
    this.feed = new ClipFeed(this.session.api);
    // Names pinned from the pairing requests this browser verified win over HA's labels.
    void Promise.all([this.session.cameras(), this.session.pinnedCameraNames()]).then(
      ([list, pinned]) => (this.names = new Map([...cameraNames(list), ...pinned])),
      () => undefined,
    );
    void this.more();
    void withheldCameras(this.session).then(
      (found) => (this.withheld = found),
      () => undefined,
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has("linkedClip") && this.linkedClip !== null) void this.openLinked(this.linkedClip);
  }

  private async openLinked(clipId: string): Promise<void> {
    try {
      this.selected = (await this.session.api.clipManifest(clipId)).clip;
    } catch (err) {
      this.showError(err);
    }
  }

  override firstUpdated(): void {
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) void this.more();
    });
    const sentinel = this.renderRoot.querySelector(".sentinel");
    if (sentinel !== null) this.observer.observe(sentinel);
  }

  private async more(): Promise<void> {
    const feed = this.feed;
    if (feed === null) return;
    try {
      await feed.loadMore();
    } catch (err) {
      this.showError(err);
    }
    this.clips = feed.clips;
    this.exhausted = feed.exhausted;
    this.knownEvents = [...new Set([...this.knownEvents, ...eventKinds(feed.clips)])].sort();
  }

  private setFilter(change: Partial<FeedFilter>): void {
    this.filter = { ...this.filter, ...change };
    this.feed?.reset(this.filter);
    this.clips = [];
    void this.more();
  }

  private async download(clip: ClipRow): Promise<void> {
    this.progress = 0;
    try {
      const opener = this.session.clips();
      const facts = await opener.facts(clip.clip_id, clip);
      const blob = await opener.download(clip.clip_id, (received, total) => {
        this.progress = Math.floor((100 * received) / Math.max(1, total));
      });
      // The name says what the camera signed, never HA's label for the clip.
      saveBlob(blob, clipFileName(facts.cameraName, facts.startMs));
    } catch (err) {
      this.showError(err);
    } finally {
      this.progress = -1;
    }
  }

  private async deleteClip(clip: ClipRow): Promise<void> {
    try {
      await this.session.api.clipsDelete([clip.clip_id]);
      this.feed?.remove([clip.clip_id]);
      this.session.clips().forget([clip.clip_id]);
      this.clips = this.feed?.clips ?? [];
      if (this.selected?.clip_id === clip.clip_id) this.selected = null;
    } catch (err) {
      this.showError(err);
    }
  }

  private renderFilters() {
    const t = translatorFor(this.hass);
    return html`<div class="row filters">
      <label>${t("clips.filter_camera")}
        <select @change=${(e: Event) => this.setFilter({ camera: (e.target as HTMLSelectElement).value })}>
          <option value="">${t("clips.all")}</option>
          ${[...this.names].map(([key, name]) => html`<option value=${key} ?selected=${this.filter.camera === key}>${name}</option>`)}
        </select></label>
      <label>${t("clips.filter_event")}
        <select @change=${(e: Event) => this.setFilter({ event: (e.target as HTMLSelectElement).value })}>
          <option value="">${t("clips.all")}</option>
          ${this.knownEvents.map((kind) => html`<option value=${kind} ?selected=${this.filter.event === kind}>${eventKindLabel(t, kind)}</option>`)}
        </select></label>
      <label>${t("clips.filter_day")}
        <input type="date" .value=${this.filter.day} @change=${(e: Event) => this.setFilter({ day: (e.target as HTMLInputElement).value })} /></label>
    </div>`;
  }

  private renderPlayer(clip: ClipRow) {
    const t = translatorFor(this.hass);
    return html`<div class="player card" data-screen="player">
      <e2ee-nvr-clip-player .hass=${this.hass} .opener=${this.session.clips()} clip-id=${clip.clip_id}></e2ee-nvr-clip-player>
      <e2ee-nvr-clip-facts full data-facts="player" .hass=${this.hass} .opener=${this.session.clips()} .row=${clip}
        clip-id=${clip.clip_id}></e2ee-nvr-clip-facts>
      <div class="row" style="margin-top:8px">
        <span class="spacer"></span>
        <button ?disabled=${this.progress >= 0} @click=${() => void this.download(clip)}>
          ${this.progress >= 0 ? t("clips.downloading", { percent: this.progress }) : t("clips.download")}</button>
        ${isAdmin(this.hass)
          ? html`<e2ee-nvr-confirm-button danger label=${t("clips.delete")} yes=${t("clips.delete")} no=${t("app.cancel")}
              question=${t("clips.delete_confirm")} @confirmed=${() => void this.deleteClip(clip)}></e2ee-nvr-confirm-button>`
          : nothing}
        <button @click=${() => (this.selected = null)}>${t("app.close")}</button>
      </div>
    </div>`;
  }

  /** The chosen day, else the newest listed clip's day: the timeline shows one day. */
  private timelineDay(): string {
    const newest = this.clips[0];
    return this.filter.day !== "" ? this.filter.day : newest === undefined ? "" : localDay(newest.start_ms);
  }

  override render() {
    const t = translatorFor(this.hass);
    const groups = groupClips(this.clips, this.names);
    const day = this.timelineDay();
    return html`<div class="card" data-screen="clips">
      ${this.renderFilters()}
      ${errorLine(this.message)}
      ${this.withheld.map(
        (w) => html`<p class="error" role="alert" data-withheld-camera=${w.cameraKey}>
          ⚠ ${t(w.name === "RevocationWithheld" ? "clips.withheld" : "clips.withheld_rolled_back", { camera: w.cameraName })}</p>`,
      )}
    </div>
    ${day === ""
      ? nothing
      : html`<div class="card"><e2ee-nvr-day-timeline .hass=${this.hass} .api=${this.session.api} .opener=${this.session.clips()}
          day=${day} camera=${this.filter.camera}></e2ee-nvr-day-timeline></div>`}
    <div class="layout ${this.selected === null ? "" : "playing"}">
      ${this.selected === null || this.wide ? nothing : this.renderPlayer(this.selected)}
      <div>
        ${groups.map(
          (group) => html`<h3>${group.day} · ${group.cameraName}</h3>
            <div class="grid">
              ${group.clips.map(
                (clip) => html`<button class="tile ${this.selected?.clip_id === clip.clip_id ? "selected" : ""}"
                  data-clip-id=${clip.clip_id} @click=${() => (this.selected = clip)} aria-label=${t("clips.play")}>
                  <e2ee-nvr-clip-thumb .opener=${this.session.clips()} clip-id=${clip.clip_id} failed-text=${t("clips.thumbnail_failed")}></e2ee-nvr-clip-thumb>
                  <e2ee-nvr-clip-facts class="meta" .hass=${this.hass} .opener=${this.session.clips()} .row=${clip}
                    clip-id=${clip.clip_id}></e2ee-nvr-clip-facts>
                </button>`,
              )}
            </div>`,
        )}
        ${this.clips.length === 0 && this.exhausted ? html`<p class="muted">${t("clips.empty")}</p>` : nothing}
        <div class="sentinel"></div>
        ${this.exhausted
          ? this.clips.length > 0 ? html`<p class="muted">${t("clips.end")}</p>` : nothing
          : html`<button @click=${() => void this.more()}>${t("clips.more")}</button>`}
      </div>
      ${this.selected !== null && this.wide ? this.renderPlayer(this.selected) : nothing}
    </div>`;
  }
}
define("e2ee-nvr-clips-view", ClipsView);
