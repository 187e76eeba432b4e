// Turn E2EE on: trade-offs, the passphrase (copy, print), confirmation of 3 words, creation.

import { css, html } from "lit";
import { state } from "lit/decorators.js";
import { announceChange, define, errorLine, translatorFor } from "../ui/base";
import { baseStyles } from "../ui/styles";
import { SessionView } from "../ui/session-view";
import { type CreateStep } from "../lib/flows/account-ops";
import { numberedWords, wrongPositions } from "../lib/flows/confirm-words";
import { defaultBrowserName } from "../lib/flows/status";

type Stage = "explain" | "show" | "confirm" | "creating" | "done";
// In the order createAccount reaches them (crypto/endpoint.ts).
const STEPS: Array<CreateStep | "sending"> = ["passphrase-key", "random-key", "keys", "certificates", "backups", "recipients", "sending"];

export class TurnOnView extends SessionView {
  static override styles = [
    baseStyles,
    css`
      ol.words {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(140px, 1fr));
        gap: 8px;
        padding: 0;
        list-style: none;
        font-family: var(--code-font-family, monospace);
        font-size: 1.1rem;
      }
      ol.words li {
        background: var(--secondary-background-color, #f5f5f5);
        border-radius: 8px;
        padding: 8px;
      }
      ol.words .n {
        color: var(--secondary-text-color);
        margin-right: 6px;
      }
      ol.steps li.done {
        color: var(--success-color, #43a047);
      }
      ol.steps li.now {
        font-weight: 500;
      }
      @media print {
        :host * {
          visibility: hidden;
        }
        ol.words,
        ol.words * {
          visibility: visible;
        }
      }
    `,
  ];
  @state() stage: Stage = "explain";
  @state() passphrase = "";
  @state() positions: number[] = [];
  @state() answers: string[] = [];
  @state() step: CreateStep | "sending" | "" = "";
  @state() copied = false;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // The passphrase lives only as long as this screen.
    this.passphrase = "";
  }

  private async reveal(): Promise<void> {
    this.passphrase = await this.session.newPassphrase();
    this.positions = await this.session.confirmPositions(this.passphrase.split(" ").length);
    this.answers = this.positions.map(() => "");
    this.stage = "show";
  }

  private async copy(): Promise<void> {
    await navigator.clipboard?.writeText(this.passphrase);
    this.copied = true;
  }

  private confirm(): void {
    const wrong = wrongPositions(this.passphrase, this.positions, this.answers);
    if (wrong.length > 0) {
      this.message = translatorFor(this.hass)("turn_on.confirm_wrong", { positions: wrong.map((p) => p + 1).join(", ") });
      return;
    }
    void this.create();
  }

  private async create(): Promise<void> {
    this.stage = "creating";
    this.message = "";
    try {
      await this.session.turnOn(this.passphrase, defaultBrowserName(), (step) => {
        this.step = step;
      });
      this.passphrase = "";
      this.stage = "done";
      announceChange(this);
    } catch (err) {
      this.showError(err);
      this.stage = "confirm";
    }
  }

  override render() {
    const t = translatorFor(this.hass);
    switch (this.stage) {
      case "explain":
        return html`<div class="card" data-screen="turn-on">
          <h2>${t("turn_on.title")}</h2>
          <p>${t("turn_on.intro")}</p>
          <h3>${t("turn_on.sees_title")}</h3>
          <p>${t("turn_on.sees")}</p>
          <h3>${t("turn_on.never_title")}</h3>
          <p>${t("turn_on.never")}</p>
          <div class="warning">
            <h3>${t("turn_on.lost_title")}</h3>
            <p>${t("turn_on.lost")}</p>
          </div>
          <div class="row"><span class="spacer"></span>
            <button class="primary" @click=${() => void this.reveal()}>${t("turn_on.accept")}</button>
          </div>
        </div>`;
      case "show":
        return html`<div class="card" data-screen="passphrase">
          <h2>${t("turn_on.passphrase_title")}</h2>
          <p>${t("turn_on.passphrase_help")}</p>
          <ol class="words" data-passphrase=${this.passphrase}>
            ${numberedWords(this.passphrase).map((w) => html`<li><span class="n">${w.number}</span>${w.word}</li>`)}
          </ol>
          <div class="row">
            <button @click=${() => void this.copy()}>${this.copied ? t("turn_on.copied") : t("turn_on.copy")}</button>
            <button @click=${() => window.print()}>${t("turn_on.print")}</button>
            <span class="spacer"></span>
            <button class="primary" @click=${() => (this.stage = "confirm")}>${t("turn_on.written")}</button>
          </div>
        </div>`;
      case "confirm":
        return html`<div class="card" data-screen="confirm">
          <h2>${t("turn_on.confirm_title")}</h2>
          <p>${t("turn_on.confirm_help")}</p>
          ${this.positions.map(
            (position, i) => html`<label for="w${i}">${t("turn_on.word_n", { n: position + 1 })}</label>
              <input id="w${i}" name="word-${position + 1}" autocomplete="off" autocapitalize="none" spellcheck="false"
                .value=${this.answers[i] ?? ""}
                @input=${(e: Event) => {
                  const answers = [...this.answers];
                  answers[i] = (e.target as HTMLInputElement).value;
                  this.answers = answers;
                }} />`,
          )}
          ${errorLine(this.message)}
          <div class="row">
            <button @click=${() => (this.stage = "show")}>${t("app.back")}</button>
            <span class="spacer"></span>
            <button class="primary" @click=${() => this.confirm()}>${t("turn_on.confirm")}</button>
          </div>
        </div>`;
      case "creating": {
        const now = STEPS.indexOf(this.step === "" ? STEPS[0] ?? "keys" : this.step);
        return html`<div class="card" data-screen="creating">
          <h2>${t("turn_on.creating_title")}</h2>
          <p>${t("turn_on.creating_help")}</p>
          <progress max=${STEPS.length} value=${now}></progress>
          <ol class="steps">
            ${STEPS.map((step, i) => html`<li class=${i < now ? "done" : i === now ? "now" : ""}>${t(`turn_on.step.${step}`)}</li>`)}
          </ol>
        </div>`;
      }
      case "done":
        return html`<div class="card" data-screen="turned-on">
          <h2>${t("turn_on.done_title")}</h2>
          <p class="success">${t("turn_on.done")}</p>
        </div>`;
    }
  }
}
define("e2ee-nvr-turn-on-view", TurnOnView);
