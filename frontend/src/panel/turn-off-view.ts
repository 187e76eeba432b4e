// Turn E2EE off: the consequences, then a typed confirmation.

import { html } from "lit";
import { state } from "lit/decorators.js";
import { announceChange, define, errorLine, translatorFor } from "../ui/base";
import { SessionView } from "../ui/session-view";

export class TurnOffView extends SessionView {
  @state() typed = "";
  @state() deleteClips = false;

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    await this.attempt(async () => {
      await this.session.turnOff(this.deleteClips);
      announceChange(this);
    });
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
      ${errorLine(this.message)}
      <div class="row"><span class="spacer"></span>
        <button class="danger primary" type="submit" ?disabled=${!matches || this.busy}>${t("turn_off.submit")}</button>
      </div>
    </form>`;
  }
}
define("e2ee-nvr-turn-off-view", TurnOffView);
