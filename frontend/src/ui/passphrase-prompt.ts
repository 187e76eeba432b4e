// Asks for the account passphrase before an operation that signs (revoke, pair, upgrade), and
// says why: in protocol v2 no browser keeps the signing key (section 11.2), so a stolen browser
// cannot re-admit itself. The owner of the prompt runs the operation and reports its outcome.

import { LitElement, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { type Hass, define, errorLine, translatorFor } from "./base";
import { baseStyles } from "./styles";

export class PassphrasePrompt extends LitElement {
  static override styles = baseStyles;
  @property({ attribute: false }) hass: Hass | undefined;
  /** The label of the button that runs the operation ("Revoke", "Upgrade", ...). */
  @property() action = "";
  @property({ type: Boolean }) busy = false;
  /** The operation is not ready yet (say, no pairing code typed): the button waits. */
  @property({ type: Boolean }) disabled = false;
  /** The last failure (wrong passphrase, back-off, ...), shown under the field. */
  @property() message = "";
  @property({ type: Boolean }) cancellable = true;
  @state() typed = "";

  /** Forget what was typed: called by the owner once the operation succeeded. */
  clear(): void {
    this.typed = "";
  }

  private submit(event: Event): void {
    event.preventDefault();
    if (this.busy || this.disabled || this.typed.trim() === "") return;
    this.dispatchEvent(new CustomEvent<string>("passphrase", { detail: this.typed }));
  }

  override render() {
    const t = translatorFor(this.hass);
    return html`<form role="dialog" aria-label=${t("passphrase.title")} data-passphrase-dialog @submit=${(e: Event) => this.submit(e)}>
      <p class="muted">${t("passphrase.why")}</p>
      <label for="passphrase">${t("passphrase.label")}</label>
      <textarea id="passphrase" rows="3" style="width:100%" autocomplete="off" autocapitalize="none" spellcheck="false"
        .value=${this.typed} @input=${(e: Event) => (this.typed = (e.target as HTMLTextAreaElement).value)}></textarea>
      ${this.busy ? html`<p class="muted">${t("passphrase.working")}</p>` : nothing}
      ${errorLine(this.message)}
      <div class="row"><span class="spacer"></span>
        ${this.cancellable ? html`<button type="button" ?disabled=${this.busy} @click=${() => this.dispatchEvent(new CustomEvent("cancel"))}>${t("app.cancel")}</button>` : nothing}
        <button class="primary" type="submit" ?disabled=${this.busy || this.disabled || this.typed.trim() === ""}>${this.action}</button>
      </div>
    </form>`;
  }
}
define("e2ee-nvr-passphrase-prompt", PassphrasePrompt);
