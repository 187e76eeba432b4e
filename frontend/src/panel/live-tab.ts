// The panel's Live tab: one tab per paired camera, the chosen one live (ui/live-view.ts).
// Camera names are the ones this browser pinned from verified pairing requests, else HA's.

import { css, html, nothing } from "lit";
import { state } from "lit/decorators.js";
import { define, translatorFor } from "../ui/base";
import { SessionView } from "../ui/session-view";
import { baseStyles } from "../ui/styles";
import "../ui/live-view";
import { cameraNames } from "../lib/flows/clip-feed";

export class LiveTab extends SessionView {
  static override styles = [
    baseStyles,
    css`
      .cameras {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        margin-bottom: 12px;
      }
      .cameras button[aria-selected="true"] {
        border-color: var(--primary-color, #03a9f4);
        color: var(--primary-color, #03a9f4);
      }
    `,
  ];
  @state() names: Map<string, string> | null = null;
  @state() selected = "";
  private loaded = false;

  // Not connectedCallback: this element is defined after the panel rendered it (its chunk loads
  // on demand), and Lit gives it the properties set before then only at its first update.
  override willUpdate(): void {
    if (this.loaded || this.session === undefined) return;
    this.loaded = true;
    void this.attempt(async () => {
      const [list, pinned] = await Promise.all([this.session.cameras(), this.session.pinnedCameraNames()]);
      this.names = new Map([...cameraNames(list), ...pinned]);
      if (this.selected === "" || !this.names.has(this.selected)) this.selected = this.names.keys().next().value ?? "";
    });
  }

  override render() {
    const t = translatorFor(this.hass);
    const names = this.names;
    return html`<div class="card" data-screen="live">
      ${this.message === "" ? nothing : html`<p class="error" role="alert">${this.message}</p>`}
      ${names === null ? html`<p class="muted">${t("app.loading")}</p>` : nothing}
      ${names !== null && names.size === 0 ? html`<p class="muted">${t("live.no_cameras")}</p>` : nothing}
      ${names !== null && names.size > 0
        ? html`<div class="cameras" role="tablist">
            ${[...names].map(
              ([key, name]) => html`<button role="tab" data-live-tab=${key} aria-selected=${key === this.selected ? "true" : "false"}
                @click=${() => (this.selected = key)}>${name}</button>`,
            )}
          </div>`
        : nothing}
      ${this.selected === ""
        ? nothing
        : html`<e2ee-live-view .hass=${this.hass} .session=${this.session} camera-ref=${this.selected}></e2ee-live-view>`}
    </div>`;
  }
}
define("e2ee-nvr-live-tab", LiveTab);
