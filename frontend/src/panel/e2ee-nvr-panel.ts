// <e2ee-nvr-panel>: the sidebar panel. Home Assistant sets `hass`, `narrow`, `route`, `panel`.
// It only picks the screen for this browser's status; each screen is its own element.

import { LitElement, css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { type Hass, define, errorText, isAdmin, translatorFor } from "../ui/base";
import { baseStyles } from "../ui/styles";
import "./clips-view";
import "./devices-view";
import "./enrol-view";
import "./insecure-view";
import "./pair-view";
import "./turn-off-view";
import "./turn-on-view";
import "./upgrade-view";
import { type SecureContextReport, secureContextReport } from "../lib/flows/secure-context";
import { clipIdFromQuery, pairingCodeFromQuery } from "../lib/flows/pairing-code";
import { type E2eeSession } from "../lib/flows/session";
import { sharedSession } from "../lib/flows/shared-session";

type Tab = "clips" | "live" | "devices" | "pair" | "settings";
type Phase = "loading" | "insecure" | "ready" | "error";

export class E2eeNvrPanel extends LitElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        background: var(--primary-background-color, #fafafa);
        min-height: 100vh;
      }
      header {
        position: sticky;
        top: 0;
        z-index: 2;
        display: flex;
        align-items: center;
        gap: 8px;
        height: var(--header-height, 56px);
        padding: 0 12px;
        background: var(--app-header-background-color, var(--primary-color, #03a9f4));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        font-size: 20px;
        border-bottom: var(--app-header-border-bottom, none);
      }
      header span {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      nav {
        display: flex;
        gap: 4px;
        overflow-x: auto;
        padding: 8px 12px 0;
        border-bottom: 1px solid var(--divider-color, #e0e0e0);
        scrollbar-width: thin;
      }
      nav button {
        border: none;
        border-radius: 0;
        border-bottom: 2px solid transparent;
        color: var(--secondary-text-color);
        white-space: nowrap;
      }
      nav button[aria-selected="true"] {
        color: var(--primary-color, #03a9f4);
        border-bottom-color: var(--primary-color, #03a9f4);
      }
      main {
        padding: 16px;
        max-width: 1400px;
        margin: 0 auto;
      }
      :host([narrow]) main {
        padding: 8px;
      }
    `,
  ];
  @property({ attribute: false }) hass: Hass | undefined;
  @property({ type: Boolean, reflect: true }) narrow = false;
  @property({ attribute: false }) route: unknown;
  @property({ attribute: false }) panel: unknown;
  @state() phase: Phase = "loading";
  @state() message = "";
  private session: E2eeSession | null = null;
  private report: SecureContextReport = secureContextReport();
  // From the URL the panel was opened with: /e2ee-nvr?clip=<id> (the media browser's links)
  // or ?pair=<code> (a pairing link or QR code). Each is used once.
  private linkedClip: string | null = clipIdFromQuery(location.search);
  private linkedCode: string | null = pairingCodeFromQuery(location.search);
  @state() tab: Tab = this.linkedCode !== null ? "pair" : "clips";

  constructor() {
    super();
    this.addEventListener("e2ee-changed", () => void this.reload());
  }

  override willUpdate(): void {
    if (this.hass === undefined) return;
    if (!this.report.secure) {
      this.phase = "insecure";
      return;
    }
    const first = this.session === null;
    this.session = sharedSession(this.hass);
    if (first) void this.reload();
  }

  private async reload(): Promise<void> {
    if (this.session === null) return;
    try {
      await this.session.refresh();
      void this.session.reportSeen();
      this.phase = "ready";
      this.message = "";
    } catch (err) {
      this.phase = "error";
      this.message = errorText(translatorFor(this.hass), err);
    }
    this.requestUpdate();
  }

  private renderBody() {
    const t = translatorFor(this.hass);
    if (this.phase === "insecure") return html`<e2ee-nvr-insecure-view .hass=${this.hass} .report=${this.report}></e2ee-nvr-insecure-view>`;
    if (this.phase === "loading") return html`<p class="muted">${t("app.loading")}</p>`;
    const session = this.session;
    if (this.phase === "error" || session === null || session.status === null) {
      return html`<div class="card"><p class="error" role="alert">${this.message}</p>
        <button @click=${() => void this.reload()}>${t("app.retry")}</button></div>`;
    }
    const status = session.status;
    if (status.kind === "off") {
      return isAdmin(this.hass)
        ? html`<e2ee-nvr-turn-on-view .hass=${this.hass} .session=${session}></e2ee-nvr-turn-on-view>`
        : html`<div class="card" data-screen="off"><h2>${t("off.title")}</h2><p>${t("off.not_admin")}</p></div>`;
    }
    if (status.kind !== "enrolled") {
      return html`<e2ee-nvr-enrol-view .hass=${this.hass} .session=${session} ?revoked=${status.kind === "revoked"}></e2ee-nvr-enrol-view>`;
    }
    // A v1 account: the upgrade prompt above every tab until the owner enters the passphrase.
    const upgrade = isAdmin(this.hass) && session.accountVersion === 1
      ? html`<e2ee-nvr-upgrade-view .hass=${this.hass} .session=${session}></e2ee-nvr-upgrade-view>`
      : nothing;
    return html`${upgrade}${this.renderTab(session)}`;
  }

  private renderTab(session: E2eeSession) {
    // A ?pair= link opened by someone who may not pair lands on the clips.
    const tab = !isAdmin(this.hass) && (this.tab === "pair" || this.tab === "settings") ? "clips" : this.tab;
    switch (tab) {
      case "live":
        // The live code is its own chunk: pages that never show live view do not load it.
        void import("../ui/live-elements").catch((err: unknown) => (this.message = errorText(translatorFor(this.hass), err)));
        return html`<e2ee-nvr-live-tab .hass=${this.hass} .session=${session}></e2ee-nvr-live-tab>`;
      case "clips":
        return html`<e2ee-nvr-clips-view .hass=${this.hass} .session=${session} ?wide=${!this.narrow && window.innerWidth > 900}
          .linkedClip=${this.takeLinkedClip()}></e2ee-nvr-clips-view>`;
      case "devices":
        return html`<e2ee-nvr-devices-view .hass=${this.hass} .session=${session}></e2ee-nvr-devices-view>`;
      case "pair":
        return html`<e2ee-nvr-pair-view .hass=${this.hass} .session=${session} .linkedCode=${this.takeLinkedCode()}></e2ee-nvr-pair-view>`;
      case "settings":
        return html`<e2ee-nvr-turn-off-view .hass=${this.hass} .session=${session}></e2ee-nvr-turn-off-view>`;
    }
  }

  private takeLinkedClip(): string | null {
    const id = this.linkedClip;
    this.linkedClip = null;
    return id;
  }

  private takeLinkedCode(): string | null {
    const code = this.linkedCode;
    this.linkedCode = null;
    return code;
  }

  private renderTabs() {
    if (this.session?.status?.kind !== "enrolled") return nothing;
    const t = translatorFor(this.hass);
    const tabs: Tab[] = isAdmin(this.hass) ? ["clips", "live", "devices", "pair", "settings"] : ["clips", "live", "devices"];
    return html`<nav role="tablist">
      ${tabs.map(
        (tab) => html`<button role="tab" data-tab=${tab} aria-selected=${this.tab === tab ? "true" : "false"}
          @click=${() => (this.tab = tab)}>${t(`app.tabs.${tab}`)}</button>`,
      )}
    </nav>`;
  }

  override render() {
    const t = translatorFor(this.hass);
    return html`<header>
        <ha-menu-button .hass=${this.hass} .narrow=${this.narrow}></ha-menu-button>
        <span>${t("app.title")}</span>
      </header>
      ${this.renderTabs()}
      <main>${this.renderBody()}</main>`;
  }
}
define("e2ee-nvr-panel", E2eeNvrPanel);
