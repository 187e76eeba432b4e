// Pair a camera: the agents waiting, a code field, and the exact outcome.

import { html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { define, errorLine, formatTime, translatorFor } from "../ui/base";
import "../ui/confirm-button";
import "../ui/passphrase-prompt";
import { type PassphrasePrompt } from "../ui/passphrase-prompt";
import { SessionView } from "../ui/session-view";
import { type PairingSession } from "../lib/api/schemas";
import { pairingCodeFromInput } from "../lib/flows/pairing-code";

export class PairView extends SessionView {
  /** A code from a pairing link (?pair=<code>), prefilled once. */
  @property({ attribute: false }) linkedCode: string | null = null;
  @state() pending: PairingSession[] | null = null;
  @state() code = "";
  @state() success = "";

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has("linkedCode") && this.linkedCode !== null) this.code = this.linkedCode;
  }

  private async load(): Promise<void> {
    try {
      this.pending = await this.session.pendingPairings();
    } catch (err) {
      this.showError(err);
    }
  }

  private async submit(typed: string): Promise<void> {
    const t = translatorFor(this.hass);
    this.success = "";
    await this.attempt(async () => {
      const paired = await this.session.pair(this.code, typed);
      this.success = t("pair.success", { agent: paired.agentName, cameras: paired.cameras.join(", ") });
      this.code = "";
      this.renderRoot.querySelector<PassphrasePrompt>("e2ee-nvr-passphrase-prompt")?.clear();
    });
    await this.load();
  }

  private async refuse(sessionId: string): Promise<void> {
    try {
      await this.session.api.pairingRefuse(sessionId);
    } catch (err) {
      this.showError(err);
    }
    await this.load();
  }

  override render() {
    const t = translatorFor(this.hass);
    return html`<div class="card" data-screen="pair">
        <h2>${t("pair.title")}</h2>
        <p>${t("pair.help")}</p>
        <label for="code">${t("pair.code_label")}</label>
        <input id="code" style="width:100%;font-family:var(--code-font-family,monospace);text-transform:uppercase"
          placeholder="XXXX-XXXX-XXXX-XXXX-XXXX" autocomplete="off" autocapitalize="characters" spellcheck="false"
          .value=${this.code} @input=${(e: Event) => (this.code = pairingCodeFromInput((e.target as HTMLInputElement).value))} />
        <p class="muted">${t("pair.passphrase_help")}</p>
        <e2ee-nvr-passphrase-prompt .hass=${this.hass} action=${t("pair.submit")} ?busy=${this.busy} ?disabled=${this.code.trim() === ""}
          .cancellable=${false} @passphrase=${(e: CustomEvent<string>) => void this.submit(e.detail)}></e2ee-nvr-passphrase-prompt>
        ${this.busy ? html`<p class="muted">${t("pair.working")}</p>` : nothing}
        ${errorLine(this.message)}
        ${this.success === "" ? nothing : html`<p class="success" role="status">${this.success}</p>`}
      </div>
      <div class="card">
        <div class="row"><h2>${t("pair.pending_title")}</h2><span class="spacer"></span>
          <button @click=${() => void this.load()}>${t("pair.refresh")}</button></div>
        ${this.pending === null
          ? html`<p class="muted">${t("app.loading")}</p>`
          : this.pending.length === 0
            ? html`<p class="muted">${t("pair.none_pending")}</p>`
            : html`<ul class="plain">
                ${this.pending.map(
                  (s) => html`<li class="row" data-session-id=${s.session_id}>
                    <div>
                      <div>${s.agent_name}</div>
                      <div class="muted">${s.cameras.map((c) => c.name || c.camera_id).join(", ")} · ${t("pair.expires", { time: formatTime(s.expires_at * 1000, this.hass) })}</div>
                    </div>
                    <span class="spacer"></span>
                    <e2ee-nvr-confirm-button danger label=${t("pair.refuse")} yes=${t("pair.refuse")} no=${t("app.cancel")}
                      @confirmed=${() => void this.refuse(s.session_id)}></e2ee-nvr-confirm-button>
                  </li>`,
                )}
              </ul>`}
      </div>`;
  }
}
define("e2ee-nvr-pair-view", PairView);
