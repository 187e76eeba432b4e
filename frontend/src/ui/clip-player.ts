// Inline player of one clip: verify and open, check the codec, then stream through MSE. From a
// timeline it starts at an offset and, given `nextClip`, carries on into the clips after it
// (each one opened and verified the same way), reporting where it is as `player-position`.

import { LitElement, css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { type Hass, define, errorText, translatorFor } from "./base";
import { type ClipOpener, type OpenedClip } from "../lib/flows/clip-opener";
import { type ClipSource, type MsePlayer } from "../lib/player/mse-player";

export interface PlayerPosition {
  clipId: string;
  offsetMs: number;
}

function durationOf(opened: OpenedClip): number {
  return (opened.manifest.endMs - opened.manifest.startMs) / 1000;
}

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
  /** Where in the clip to start, in ms. */
  @property({ attribute: false }) offsetMs = 0;
  /** Bumped to restart at clipId/offsetMs even when the clip is the same. */
  @property({ attribute: false }) playSerial = 0;
  /** The clip after `clipId` on the timeline, to play on without a stop; null: stop there. */
  @property({ attribute: false }) nextClip: ((clipId: string) => string | null) | null = null;
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
    const wanted = `${this.clipId}|${this.playSerial}`;
    if (wanted !== this.started && this.opener !== undefined) {
      this.started = wanted;
      void this.play(this.clipId);
    }
  }

  /** Move to `offsetMs` into `clipId` when the playing sequence holds it; false otherwise. */
  seek(clipId: string, offsetMs: number): boolean {
    return this.player?.seekToClip(clipId, offsetMs) ?? false;
  }

  private readonly reportPosition = (): void => {
    const position = this.player?.position();
    if (position === null || position === undefined) return;
    this.dispatchEvent(new CustomEvent<PlayerPosition>("player-position", { detail: position, bubbles: true, composed: true }));
  };

  /** The clip after `clipId`, opened through the same verification; null ends the sequence. */
  private async following(clipId: string): Promise<ClipSource | null> {
    const nextId = this.nextClip?.(clipId) ?? null;
    if (nextId === null) return null;
    const opened = await this.opener.open(nextId);
    const verdict = this.opener.playability(opened);
    // A clip this browser cannot decode ends the sequence; selecting it says why.
    if (!verdict.playable) return null;
    return { clipId: nextId, reader: this.opener.reader(nextId, opened), mime: verdict.mime, durationSeconds: durationOf(opened) };
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
      // The player (MSE, fMP4 parsing, cross-clip sequencing) is a chunk of its own, fetched on
      // the first play: the card entry, which every dashboard page loads, stays small.
      const { MsePlayer } = await import("../lib/player/mse-player");
      await this.updateComplete;
      const video = this.renderRoot.querySelector("video");
      if (video === null || clipId !== this.clipId) return;
      const first = { clipId, reader: this.opener.reader(clipId, opened), mime: verdict.mime, durationSeconds: durationOf(opened) };
      const offsetMs = this.offsetMs;
      video.removeEventListener("timeupdate", this.reportPosition);
      video.addEventListener("timeupdate", this.reportPosition);
      this.player = new MsePlayer(video, first, {
        onError: (err) => (this.message = errorText(t, err)),
        onFirstChunk: () => {
          this.loading = false;
          const play = (): void => void video.play().catch(() => undefined);
          if (offsetMs <= 0) return play();
          // Play once the seek to the offset is done: playing while it is pending shows the
          // clip's first frames for a moment.
          video.addEventListener("seeked", play, { once: true });
          video.currentTime = offsetMs / 1000;
        },
        ...(this.nextClip === null ? {} : { continueWith: (id: string) => this.following(id) }),
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

declare global {
  interface HTMLElementEventMap {
    "player-position": CustomEvent<PlayerPosition>;
  }
}
