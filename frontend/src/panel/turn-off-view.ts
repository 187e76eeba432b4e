// Turn E2EE off: the consequences, then a typed confirmation.

import { LitElement, html, nothing } from "lit";
import { type Hass, announceChange, define, errorText, translatorFor } from "../ui/base";
import { baseStyles } from "../ui/styles";
import { type E2eeSession } from "../lib/flows/session";

export class TurnOffView extends LitElement {
  static override styles = baseStyles;
  static override properties = {
    hass: { attribute: false },
    session: { attribute: false },
    typed: { state: true },
    deleteClips: { state: true },
    busy: { state: true },
    message: { state: true },
  };
  declare hass: Hass | undefined;
  declare session: E2eeSession;
  declare typed: string;
  declare deleteClips: boolean;
  declare busy: boolean;
  declare message: string;

  constructor() {
    super();
    this.typed = "";
    this.deleteClips = false;
    this.busy = false;
    this.message = "";
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    this.busy = true;
    this.message = "";
    try {
      await this.session.turnOff(this.deleteClips);
      announceChange(this);
    } catch (err) {
      this.message = errorText(translatorFor(this.hass), err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const t = translatorFor(this.hass);
    const phrase = t("turn_off.phrase");
    const matches = this.typed.trim().toLowerCase() === phrase.toLowerCase();
    return html`<form class="card" data-screen="turn-off" @submit=${(e: Event) => void this.submit(e)}>
      <h2>${t("turn_off.title")}</h2>
      <p class="warning">${t("turn_off.consequences")}</p>
      <label><input type="checkbox" .checked=${this.deleteClips}
        @change=${(e: Event) => (this.deleteClips = (e.target as HTMLInputElement).checked)} /> ${t("turn_off.delete_clips")}</label>
      <label for="phrase">${t("turn_off.type_prompt", { phrase })}</label>
      <input id="phrase" autocomplete="off" .value=${this.typed} @input=${(e: Event) => (this.typed = (e.target as HTMLInputElement).value)} />
      ${this.message === "" ? nothing : html`<p class="error" role="alert">${this.message}</p>`}
      <div class="row"><span class="spacer"></span>
        <button class="danger primary" type="submit" ?disabled=${!matches || this.busy}>${t("turn_off.submit")}</button>
      </div>
    </form>`;
  }
}
define("e2ee-nvr-turn-off-view", TurnOffView);
