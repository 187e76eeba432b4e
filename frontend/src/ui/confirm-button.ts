// A button that asks "sure?" in place before it acts: no browser dialogs, which some
// companion-app web views do not show.

import { LitElement, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { define } from "./base";
import { baseStyles } from "./styles";

export class ConfirmButton extends LitElement {
  static override styles = baseStyles;
  @property() label = "";
  @property() question = "";
  @property() yes = "OK";
  @property() no = "Cancel";
  @property({ type: Boolean }) danger = false;
  @property({ type: Boolean }) disabled = false;
  @state() asking = false;

  private confirm(): void {
    this.asking = false;
    this.dispatchEvent(new CustomEvent("confirmed"));
  }

  override render() {
    if (!this.asking) {
      return html`<button class=${this.danger ? "danger" : ""} ?disabled=${this.disabled} @click=${() => (this.asking = true)}>${this.label}</button>`;
    }
    return html`<div role="alertdialog">
      ${this.question === "" ? nothing : html`<p>${this.question}</p>`}
      <div class="row">
        <button @click=${() => (this.asking = false)}>${this.no}</button>
        <button class=${this.danger ? "danger primary" : "primary"} @click=${() => this.confirm()}>${this.yes}</button>
      </div>
    </div>`;
  }
}
define("e2ee-nvr-confirm-button", ConfirmButton);
