// Inline player of one clip: verify and open, check the codec, then stream through MSE.

import { LitElement, css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { type Hass, define, errorText, translatorFor } from "./base";
import { type ClipOpener } from "../lib/flows/clip-opener";
import { MsePlayer } from "../lib/player/mse-player";

export class ClipPlayer extends LitElement {
  static override styles = css`
    :host {
      display: block;
      position: relative;
    }
    video {
      width: 100%;
      max-height: 70vh;
      background: #000;
      border-radius: 8px;
      display: block;
    }
    .note {
      padding: 16px;
      background: var(--secondary-background-color, #eee);
      border-radius: 8px;
      color: var(--primary-text-color);
    }
    .error {
      color: var(--error-color, #db4437);
    }
  `;
  @property({ attribute: false }) hass: Hass | undefined;
  @property({ attribute: false }) opener!: ClipOpener;
  @property({ attribute: "clip-id" }) clipId!: string;
  @state() message = "";
  @state() loading = true;
  private player: MsePlayer | null = null;
  private started = "";

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.player?.stop();
    this.player = null;
    this.started = "";
  }

  override updated(): void {
    if (this.clipId !== this.started && this.opener !== undefined) {
      this.started = this.clipId;
      void this.play(this.clipId);
    }
  }

  private async play(clipId: string): Promise<void> {
    const t = translatorFor(this.hass);
    this.player?.stop();
    this.player = null;
    this.message = "";
    this.loading = true;
    try {
      const opened = await this.opener.open(clipId);
      const verdict = this.opener.playability(opened);
      if (!verdict.playable) {
        this.message = t(`player.${verdict.reason.replace("-", "_")}`, { mime: verdict.mime });
        this.loading = false;
        return;
      }
      await this.updateComplete;
      const video = this.renderRoot.querySelector("video");
      if (video === null || clipId !== this.clipId) return;
      const duration = (opened.manifest.endMs - opened.manifest.startMs) / 1000;
      this.player = new MsePlayer(video, this.opener.reader(clipId, opened), verdict.mime, duration, {
        onError: (err) => (this.message = errorText(t, err)),
        onFirstChunk: () => {
          this.loading = false;
          void video.play().catch(() => undefined);
        },
      });
      await this.player.start();
    } catch (err) {
      this.loading = false;
      this.message = errorText(t, err);
    }
  }

  override render() {
    const t = translatorFor(this.hass);
    const blocked = this.message !== "" && this.player === null;
    return html`${blocked ? nothing : html`<video controls muted playsinline data-clip-id=${this.clipId}></video>`}
      ${this.loading ? html`<div class="note">${t("player.loading")}</div>` : nothing}
      ${this.message === "" ? nothing : html`<div class="note error" role="alert">${this.message}</div>`}`;
  }
}
define("e2ee-nvr-clip-player", ClipPlayer);
