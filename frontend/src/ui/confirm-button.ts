// A button that asks "sure?" in place before it acts: no browser dialogs, which some
// companion-app web views do not show.

import { LitElement, html, nothing } from "lit";
import { define } from "./base";
import { baseStyles } from "./styles";

export class ConfirmButton extends LitElement {
  static override styles = baseStyles;
  static override properties = {
    label: {},
    question: {},
    yes: {},
    no: {},
    danger: { type: Boolean },
    disabled: { type: Boolean },
    asking: { state: true },
  };
  declare label: string;
  declare question: string;
  declare yes: string;
  declare no: string;
  declare danger: boolean;
  declare disabled: boolean;
  declare asking: boolean;

  constructor() {
    super();
    this.label = "";
    this.question = "";
    this.yes = "OK";
    this.no = "Cancel";
    this.danger = false;
    this.disabled = false;
    this.asking = false;
  }

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
