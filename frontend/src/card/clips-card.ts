// custom:e2ee-nvr-clips-card: recent clips of chosen cameras as decrypted thumbnails, tap to
// play inline; an unenrolled browser gets a link to the panel. Captions are the signed facts
// (ui/clip-facts.ts), with HA's disagreements shown, never HA's index row.
//
// It renders inside Home Assistant's own <ha-card> (title as a slotted .card-header, body as
// .card-content), so it has the dashboard's card look and theme. Outside HA (the standalone UI
// tests) ha-card is not defined; the :not(:defined) rules below give it the same box from HA's
// theme variables. This module never defines ha-card itself: HA's own definition would then fail.

import { LitElement, css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { type Hass, define, errorText, translatorFor } from "../ui/base";
import { baseStyles } from "../ui/styles";
import { pageLanguage, translate } from "../i18n";
import "../ui/clip-player";
import "../ui/clip-facts";
import "../ui/clip-thumb";
import { type ClipRow } from "../lib/api/schemas";
import { localDay } from "../lib/flows/clip-feed";
import { type E2eeSession } from "../lib/flows/session";
import { sharedSession } from "../lib/flows/shared-session";
import { type CardConfig, normaliseConfig, recentClips } from "../lib/flows/card-config";
import { secureContextReport } from "../lib/flows/secure-context";

export const PANEL_PATH = "/e2ee-nvr";

export class ClipsCard extends LitElement {
  static override styles = [
    baseStyles,
    css`
      ha-card:not(:defined) {
        display: block;
        background: var(--ha-card-background, var(--card-background-color, #fff));
        border-radius: var(--ha-card-border-radius, 12px);
        border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
        color: var(--primary-text-color, #212121);
      }
      /* ha-card styles its slotted .card-header and .card-content itself; these only stand in. */
      ha-card:not(:defined) .card-header {
        font-size: var(--ha-card-header-font-size, 24px);
        font-weight: 400;
        margin: 0;
        padding: 12px 16px 16px;
      }
      ha-card:not(:defined) .card-content {
        padding: 16px;
      }
      ha-card:not(:defined) .card-header + .card-content {
        padding-top: 0;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(120px, 1fr));
        gap: 8px;
      }
      .tile {
        padding: 0;
        border: none;
        background: none;
        color: inherit;
        text-align: left;
        font-size: 0.8rem;
      }
      a {
        color: var(--primary-color, #03a9f4);
      }
    `,
  ];
  @property({ attribute: false }) hass: Hass | undefined;
  @state() config: CardConfig = ClipsCard.getStubConfig();
  @state() clips: ClipRow[] = [];
  @state() state: "loading" | "insecure" | "unenrolled" | "ready" = "loading";
  @state() selected = "";
  @state() message = "";
  private session: E2eeSession | null = null;

  /** Home Assistant awaits this: the editor is its own chunk, loaded only when editing. */
  static async getConfigElement(): Promise<HTMLElement> {
    await import("./clips-card-editor");
    return document.createElement("e2ee-nvr-clips-card-editor");
  }

  static getStubConfig(): CardConfig {
    return { type: "custom:e2ee-nvr-clips-card", title: "Recent clips", cameras: [], count: 6, mode: "live", live_camera: "", timeline: false };
  }

  setConfig(config: unknown): void {
    this.config = normaliseConfig(config);
    if (this.session !== null) void this.load();
  }

  getCardSize(): number {
    return (this.config.mode === "live" ? 5 : 2) + Math.ceil(this.config.count / 3);
  }

  override willUpdate(): void {
    if (this.hass === undefined || this.session !== null) return;
    if (!secureContextReport().secure) {
      this.state = "insecure";
      return;
    }
    this.session = sharedSession(this.hass);
    void this.load();
  }

  private async load(): Promise<void> {
    const session = this.session;
    if (session === null) return;
    try {
      const status = session.status ?? (await session.refresh());
      if (status.kind !== "enrolled") {
        this.state = "unenrolled";
        return;
      }
      // The live code is its own chunk, loaded only by a card that shows live view.
      if (this.config.mode === "live") await import("../ui/live-elements");
      // So is the timeline (with its player): a card without it never downloads that code.
      if (this.config.timeline) await import("../ui/day-timeline");
      this.clips = await recentClips(session.api, this.config);
      this.state = "ready";
    } catch (err) {
      this.message = errorText(translatorFor(this.hass), err);
    }
  }

  /** The newest clip's day on the timeline: one chosen camera, else every camera with its own row. */
  private renderTimeline(session: E2eeSession | null) {
    const newest = this.clips[0];
    if (!this.config.timeline || this.state !== "ready" || session === null || newest === undefined) return nothing;
    const camera = this.config.cameras.length === 1 ? (this.config.cameras[0] ?? "") : "";
    return html`<e2ee-nvr-day-timeline .hass=${this.hass} .api=${session.api} .opener=${session.clips()}
      day=${localDay(newest.start_ms)} camera=${camera}></e2ee-nvr-day-timeline>`;
  }

  override render() {
    const t = translatorFor(this.hass);
    const title = this.config.title === "" ? nothing : html`<h1 class="card-header">${this.config.title}</h1>`;
    if (this.state === "insecure" || this.state === "unenrolled") {
      return html`<ha-card>${title}<div class="card-content">
        <p>${this.state === "insecure" ? t("insecure.title") : t("card.not_enrolled")}</p>
        <a href=${PANEL_PATH}>${t("card.open_panel")}</a></div></ha-card>`;
    }
    const session = this.session;
    return html`<ha-card>${title}<div class="card-content">
      ${this.message === "" ? nothing : html`<p class="error">${this.message}</p>`}
      ${this.state === "loading" || session === null ? html`<p class="muted">${t("app.loading")}</p>` : nothing}
      ${this.config.mode === "live" && this.state === "ready" && session !== null
        ? html`<e2ee-nvr-card-live .hass=${this.hass} .session=${session} .config=${this.config}></e2ee-nvr-card-live>
            <h3>${t("card.latest_clips")}</h3>`
        : nothing}
      ${this.selected !== "" && session !== null
        ? html`<e2ee-nvr-clip-player .hass=${this.hass} .opener=${session.clips()} clip-id=${this.selected}></e2ee-nvr-clip-player>`
        : nothing}
      ${this.state === "ready" && this.clips.length === 0 ? html`<p class="muted">${t("card.no_clips")}</p>` : nothing}
      ${this.renderTimeline(session)}
      <div class="grid">
        ${session === null || this.state !== "ready"
          ? nothing
          : this.clips.map(
              (clip) => html`<button class="tile" data-clip-id=${clip.clip_id}
                @click=${() => (this.selected = this.selected === clip.clip_id ? "" : clip.clip_id)}>
                <e2ee-nvr-clip-thumb .opener=${session.clips()} clip-id=${clip.clip_id} failed-text=${t("clips.thumbnail_failed")}></e2ee-nvr-clip-thumb>
                <e2ee-nvr-clip-facts .hass=${this.hass} .opener=${session.clips()} .row=${clip} clip-id=${clip.clip_id}></e2ee-nvr-clip-facts></button>`,
            )}
      </div></div></ha-card>`;
  }
}
define("e2ee-nvr-clips-card", ClipsCard);

interface CustomCardEntry {
  type: string;
  name: string;
  description: string;
  preview: boolean;
}
const registry = window as unknown as { customCards?: CustomCardEntry[] };
registry.customCards ??= [];
if (!registry.customCards.some((c) => c.type === "e2ee-nvr-clips-card")) {
  registry.customCards.push({
    type: "e2ee-nvr-clips-card",
    // Getters: the picker reads them when it opens, after HA has set the page's language.
    get name() {
      return translate(pageLanguage(), "card.picker_name");
    },
    get description() {
      return translate(pageLanguage(), "card.picker_description");
    },
    preview: false,
  });
}
