// A clip's caption as the camera signed it: camera, start, duration and events from the verified
// manifest and decrypted event details, and a warning for each field where HA's index disagrees.
// Nothing from HA's row is shown as a fact: until the manifest verifies, the caption says so.

import { LitElement, css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { type Hass, define, errorText, formatDateTime, formatTime, translatorFor } from "./base";
import { chipStyles } from "./styles";
import { type ClipRow } from "../lib/api/schemas";
import { type ClipFacts, type Disagreement } from "../lib/flows/clip-facts";
import { type ClipOpener } from "../lib/flows/clip-opener";

export class ClipFactsView extends LitElement {
  static override styles = [
    chipStyles,
    css`
      :host {
        display: block;
        font-size: 0.85rem;
      }
      .mismatch {
        margin-top: 4px;
        padding: 4px 6px;
        border-radius: 6px;
        border: 2px solid var(--error-color, #db4437);
        color: var(--error-color, #db4437);
        font-weight: 600;
      }
      .muted {
        color: var(--secondary-text-color);
      }
      ul {
        margin: 4px 0;
        padding-left: 18px;
      }
    `,
  ];
  @property({ attribute: false }) hass: Hass | undefined;
  @property({ attribute: false }) opener!: ClipOpener;
  /** HA's index row, compared with the signed facts (null: nothing to compare). */
  @property({ attribute: false }) row: ClipRow | null = null;
  @property({ attribute: "clip-id" }) clipId!: string;
  /** The player's caption: every event's details and each disagreement spelled out. */
  @property({ type: Boolean }) full = false;
  @state() facts: ClipFacts | null = null;
  @state() failure = "";
  private loaded = "";
  private observer: IntersectionObserver | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    // Tiles open their clip only once visible, as the thumbnail does (and share its cache).
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        this.observer?.disconnect();
        this.observer = null;
        this.requestUpdate();
      }
    });
    if (this.full) this.observer = null;
    else this.observer.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
  }

  override updated(): void {
    if (this.observer !== null || this.opener === undefined || this.clipId === this.loaded) return;
    this.loaded = this.clipId;
    void this.load(this.clipId);
  }

  private async load(clipId: string): Promise<void> {
    this.facts = null;
    this.failure = "";
    try {
      const facts = await this.opener.facts(clipId, this.row);
      if (clipId === this.clipId) this.facts = facts;
    } catch (err) {
      if (clipId === this.clipId) this.failure = errorText(translatorFor(this.hass), err);
    }
  }

  private describe(item: Disagreement): string {
    const t = translatorFor(this.hass);
    const when = (ms: string) => formatDateTime(Number(ms), this.hass);
    const seconds = (ms: string) => t("clips.duration", { seconds: Math.round(Number(ms) / 1000) });
    const value =
      item.field === "start"
        ? { index: when(item.index), signed: when(item.signed) }
        : item.field === "duration"
          ? { index: seconds(item.index), signed: seconds(item.signed) }
          : item.field === "camera"
            ? { index: item.index.split("/")[1] ?? item.index, signed: this.facts?.cameraName ?? item.signed }
            : { index: item.index, signed: item.signed || "-" };
    return t(`clips.disagree_${item.field}`, value);
  }

  /** Section 10.1: loud, on the clip itself, naming the camera. */
  private renderWithheld(facts: ClipFacts) {
    if (facts.withheld === null) return nothing;
    const t = translatorFor(this.hass);
    const key = facts.withheld.name === "RevocationWithheld" ? "clips.withheld" : "clips.withheld_rolled_back";
    return html`<div class="mismatch" role="alert" data-withheld=${facts.withheld.name}>⚠ ${t(key, { camera: facts.cameraName })}
      ${this.full ? html`<div class="muted">${facts.withheld.detail}</div>` : nothing}</div>`;
  }

  private renderMismatch(facts: ClipFacts) {
    if (facts.disagreements.length === 0) return nothing;
    const t = translatorFor(this.hass);
    const fields = facts.disagreements.map((d) => d.field).join(",");
    if (!this.full) return html`<div class="mismatch" data-mismatch=${fields}>⚠ ${t("clips.disagreement_short", { fields: fields.replaceAll(",", ", ") })}</div>`;
    return html`<div class="mismatch" data-mismatch=${fields}>⚠ ${t("clips.disagreement_title")}
      <ul>${facts.disagreements.map((d) => html`<li>${this.describe(d)}</li>`)}</ul></div>`;
  }

  override render() {
    const t = translatorFor(this.hass);
    if (this.failure !== "") {
      // A tile says only that it cannot be verified (its thumbnail says the same); the player
      // spells out why.
      return this.full
        ? html`<div class="mismatch" data-unverified>${t("clips.facts_failed", { detail: this.failure })}</div>`
        : html`<div class="mismatch" data-unverified title=${this.failure}>${t("clips.unverified")}</div>`;
    }
    const facts = this.facts;
    if (facts === null) return html`<span class="muted">${t("clips.verifying")}</span>`;
    const camera = facts.cameraNamePinned ? facts.cameraName : t("clips.camera_unpinned", { camera: facts.cameraId });
    const seconds = Math.round((facts.endMs - facts.startMs) / 1000);
    return html`<div class="signed" data-signed-camera=${facts.cameraName} data-signed-camera-id=${facts.cameraId}
        data-signed-start=${facts.startMs} data-signed-end=${facts.endMs} data-signed-events=${facts.eventKinds.join(",")}
        title=${t("clips.signed_by_camera")}>
        <div><strong>${camera}</strong></div>
        <div>${formatDateTime(facts.startMs, this.hass)} · ${t("clips.duration", { seconds })}</div>
        <div>${facts.eventKinds.map((kind) => html`<span class="chip">${kind}</span>`)}</div>
        ${this.full && facts.events.length > 0
          ? html`<ul class="events">${facts.events.map(
              (e) => html`<li>${t("clips.event_detail", { kind: e.kind, time: formatTime(e.startMs, this.hass), source: e.source })}</li>`,
            )}</ul>`
          : nothing}
      </div>
      ${this.renderWithheld(facts)}
      ${this.renderMismatch(facts)}`;
  }
}
define("e2ee-nvr-clip-facts", ClipFactsView);
