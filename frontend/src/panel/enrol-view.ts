// Enrol this browser with the passphrase; wrong passphrases are said so and slowed down.

import { html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { announceChange, define, errorLine, isAdmin, translatorFor } from "../ui/base";
import { SessionView } from "../ui/session-view";
import { defaultBrowserName } from "../lib/flows/status";

export class EnrolView extends SessionView {
  @property({ type: Boolean }) revoked = false;
  @state() typed = "";
  @state() name = defaultBrowserName();
  @state() waitSeconds = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.timer = setInterval(() => this.tick(), 1000);
    this.tick();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
    this.typed = "";
  }

  private tick(): void {
    this.waitSeconds = Math.ceil((this.session?.limiter.waitMs() ?? 0) / 1000);
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy || this.waitSeconds > 0) return;
    await this.attempt(async () => {
      await this.session.enrol(this.typed, this.name.trim().slice(0, 64));
      this.typed = "";
      announceChange(this);
    });
    // A wrong passphrase starts the back-off: show the wait at once.
    this.tick();
  }

  override render() {
    const t = translatorFor(this.hass);
    if (!isAdmin(this.hass)) {
      return html`<div class="card" data-screen="enrol"><h2>${t("enrol.title")}</h2><p>${t("enrol.not_admin")}</p></div>`;
    }
    return html`<form class="card" data-screen="enrol" @submit=${(e: Event) => void this.submit(e)}>
      <h2>${t("enrol.title")}</h2>
      ${this.revoked ? html`<p class="warning">${t("enrol.revoked")}</p>` : nothing}
      <p>${t("enrol.help")}</p>
      <label for="passphrase">${t("enrol.label")}</label>
      <textarea id="passphrase" rows="3" style="width:100%" autocomplete="off" autocapitalize="none" spellcheck="false"
        .value=${this.typed} @input=${(e: Event) => (this.typed = (e.target as HTMLTextAreaElement).value)}></textarea>
      <label for="name">${t("enrol.name_label")}</label>
      <input id="name" maxlength="64" style="width:100%" .value=${this.name}
        @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)} />
      ${this.busy ? html`<p class="muted">${t("enrol.working")}</p>` : nothing}
      ${errorLine(this.message)}
      ${this.waitSeconds > 0 ? html`<p class="error">${t("enrol.wait", { seconds: this.waitSeconds })}</p>` : nothing}
      <div class="row"><span class="spacer"></span>
        <button class="primary" type="submit" ?disabled=${this.busy || this.waitSeconds > 0 || this.typed.trim() === ""}>${t("enrol.submit")}</button>
      </div>
    </form>`;
  }
}
define("e2ee-nvr-enrol-view", EnrolView);
