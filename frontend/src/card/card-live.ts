// The live part of the dashboard card (mode "live"): a camera picker over the card's cameras
// and that camera live (ui/live-view.ts). The latest clips stay under it, in the card itself.

import { LitElement, css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { type Hass, define, translatorFor } from "../ui/base";
import { baseStyles } from "../ui/styles";
import "../ui/live-view";
import { type CardConfig, firstLiveCamera, liveCameraChoices } from "../lib/flows/card-config";
import { cameraNames } from "../lib/flows/clip-feed";
import { type E2eeSession } from "../lib/flows/session";

export class CardLive extends LitElement {
  static override styles = [
    baseStyles,
    css`
      select {
        margin-bottom: 8px;
      }
    `,
  ];
  @property({ attribute: false }) hass: Hass | undefined;
  @property({ attribute: false }) session!: E2eeSession;
  @property({ attribute: false }) config!: CardConfig;
  @state() names: Map<string, string> = new Map();
  @state() choices: string[] = [];
  @state() selected = "";
  private loaded = false;

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (!this.loaded && this.session !== undefined) {
      this.loaded = true;
      void this.load();
    } else if (changed.has("config") && this.loaded) {
      this.choose();
    }
  }

  private async load(): Promise<void> {
    try {
      const [list, pinned] = await Promise.all([this.session.cameras(), this.session.pinnedCameraNames()]);
      this.names = new Map([...cameraNames(list), ...pinned]);
    } catch {
      this.names = new Map();
    }
    this.choose();
  }

  private choose(): void {
    this.choices = liveCameraChoices(this.config, [...this.names.keys()]);
    if (!this.choices.includes(this.selected)) this.selected = firstLiveCamera(this.config, this.choices);
  }

  override render() {
    const t = translatorFor(this.hass);
    return html`${this.choices.length > 1
        ? html`<select aria-label=${t("live.camera")} data-live-picker @change=${(e: Event) => (this.selected = (e.target as HTMLSelectElement).value)}>
            ${this.choices.map((key) => html`<option value=${key} ?selected=${key === this.selected}>${this.names.get(key) ?? key}</option>`)}
          </select>`
        : nothing}
      ${this.selected === ""
        ? nothing
        : html`<e2ee-live-view .hass=${this.hass} .session=${this.session} camera-ref=${this.selected}></e2ee-live-view>`}`;
  }
}
define("e2ee-nvr-card-live", CardLive);
