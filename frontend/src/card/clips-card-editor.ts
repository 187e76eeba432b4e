// The card's visual editor: title, number of clips, live or clips, cameras to show, the day
// timeline on or off. Plain form controls on HA's theme variables (ui/styles.ts): HA's own form
// elements are only defined once one of its built-in editors has loaded them.

import { LitElement, css, html } from "lit";
import { property, state } from "lit/decorators.js";
import { type Hass, define, translatorFor } from "../ui/base";
import { baseStyles } from "../ui/styles";
import { type CameraList } from "../lib/api/schemas";
import { type CardConfig, MAX_CARD_CLIPS, normaliseConfig } from "../lib/flows/card-config";
import { sharedSession } from "../lib/flows/shared-session";
import { liveOptions } from "./editor-live-options";

export class ClipsCardEditor extends LitElement {
  static override styles = [
    baseStyles,
    css`
      input:not([type="checkbox"]),
      select {
        width: 100%;
      }
      label.check {
        display: flex;
        align-items: center;
        gap: 8px;
        color: var(--primary-text-color, #212121);
      }
      input[type="checkbox"] {
        accent-color: var(--primary-color, #03a9f4);
      }
    `,
  ];
  @property({ attribute: false }) hass: Hass | undefined;
  @state() config: CardConfig = normaliseConfig({ type: "custom:e2ee-nvr-clips-card" });
  @state() cameras: CameraList | null = null;
  private requested = false;

  setConfig(config: unknown): void {
    this.config = normaliseConfig(config);
  }

  override willUpdate(): void {
    if (this.hass === undefined || this.requested) return;
    this.requested = true;
    void sharedSession(this.hass).cameras().then(
      (list) => (this.cameras = list),
      () => undefined,
    );
  }

  private change(update: Partial<CardConfig>): void {
    this.config = { ...this.config, ...update };
    this.dispatchEvent(new CustomEvent("config-changed", { detail: { config: this.config }, bubbles: true, composed: true }));
  }

  private toggleCamera(key: string, on: boolean): void {
    const others = this.config.cameras.filter((c) => c !== key);
    this.change({ cameras: on ? [...others, key].sort() : others });
  }

  override render() {
    const t = translatorFor(this.hass);
    return html`<div>
      <label for="title">${t("card.editor.title")}</label>
      <input id="title" .value=${this.config.title} @input=${(e: Event) => this.change({ title: (e.target as HTMLInputElement).value })} />
      <label for="count">${t("card.editor.count")}</label>
      <input id="count" type="number" min="1" max=${MAX_CARD_CLIPS} .value=${String(this.config.count)}
        @change=${(e: Event) => {
          const value = Math.round(Number((e.target as HTMLInputElement).value));
          if (value >= 1 && value <= MAX_CARD_CLIPS) this.change({ count: value });
        }} />
      ${liveOptions(t, this.config, this.cameras, (update) => this.change(update))}
      <label class="check"><input id="timeline" type="checkbox" .checked=${this.config.timeline}
        @change=${(e: Event) => this.change({ timeline: (e.target as HTMLInputElement).checked })} />
        ${t("card.editor.timeline")}</label>
      <label>${t("card.editor.cameras")}</label>
      ${(this.cameras?.devices ?? []).flatMap((device) =>
        device.cameras.map((camera) => {
          const key = `${device.device_id}/${camera.camera_id}`;
          return html`<div><label class="check"><input type="checkbox" .checked=${this.config.cameras.includes(key)}
            @change=${(e: Event) => this.toggleCamera(key, (e.target as HTMLInputElement).checked)} />
            ${camera.name || camera.camera_id} (${device.agent_name})</label></div>`;
        }),
      )}
    </div>`;
  }
}
define("e2ee-nvr-clips-card-editor", ClipsCardEditor);
