// <e2ee-live-view>: one camera live, end to end encrypted (section 18). It opens the session
// (lib/flows/live-opener.ts), plays it (lib/player/live-player.ts) and shows one state at a
// time: connecting, live, camera offline, a codec this browser cannot play, not enrolled,
// revoked, or a store that tampered (the named refusal in red). Mute and full screen.

import { LitElement, css, html, nothing } from "lit";
import { property, state } from "lit/decorators.js";
import { type Hass, define, translatorFor } from "./base";
import { type E2eeSession } from "../lib/flows/session";
import { type LiveStatus, afterEnd, liveStatusOf } from "../lib/flows/live-state";
import { startLive } from "../lib/flows/live-run";
import { type LivePlayer } from "../lib/player/live-player";

// Restarts in a row (rekey or idle ends) before the view stops and offers "Try again".
const MAX_RESTARTS = 3;
const CONNECTING: LiveStatus = { state: "connecting", key: "live.connecting", params: {} };

export class LiveView extends LitElement {
  static override styles = css`
    :host {
      display: block;
      position: relative;
    }
    .frame {
      position: relative;
      background: #000;
      border-radius: 8px;
      overflow: hidden;
    }
    video {
      width: 100%;
      max-height: 70vh;
      display: block;
      background: #000;
    }
    .controls {
      position: absolute;
      right: 8px;
      bottom: 8px;
      display: flex;
      gap: 6px;
    }
    .controls button {
      font: inherit;
      font-size: 0.8rem;
      border: none;
      border-radius: 6px;
      padding: 4px 8px;
      background: rgba(0, 0, 0, 0.6);
      color: #fff;
      cursor: pointer;
    }
    .badge {
      position: absolute;
      left: 8px;
      top: 8px;
      font-size: 0.75rem;
      padding: 2px 8px;
      border-radius: 6px;
      background: rgba(0, 0, 0, 0.6);
      color: #fff;
    }
    .note {
      padding: 12px 16px;
      margin-top: 8px;
      background: var(--secondary-background-color, #eee);
      border-radius: 8px;
      color: var(--primary-text-color);
    }
    .error {
      color: var(--error-color, #db4437);
      font-weight: 500;
    }
  `;
  @property({ attribute: false }) hass: Hass | undefined;
  @property({ attribute: false }) session: E2eeSession | undefined;
  /** "device_id/camera_id". */
  @property({ attribute: "camera-ref" }) cameraRef = "";
  @state() status: LiveStatus = CONNECTING;
  @state() muted = true;
  @state() withheld = false;
  private player: LivePlayer | null = null;
  private abort: AbortController | null = null;
  private started = "";
  private restarts = 0;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
    this.started = "";
  }

  override updated(): void {
    this.dataset["state"] = this.status.state;
    if (this.session !== undefined && this.cameraRef !== "" && this.cameraRef !== this.started) {
      this.started = this.cameraRef;
      this.restarts = 0;
      void this.start();
    }
  }

  private stop(): void {
    this.player?.stop();
    this.player = null;
    this.abort?.abort();
    this.abort = null;
  }

  private async start(): Promise<void> {
    this.stop();
    const session = this.session;
    const cameraRef = this.cameraRef;
    if (session === undefined) return;
    if (session.status?.kind !== "enrolled") {
      this.status = { state: "unenrolled", key: "live.not_enrolled", params: {} };
      return;
    }
    this.status = CONNECTING;
    const abort = new AbortController();
    this.abort = abort;
    try {
      const context = { api: session.api, endpoint: session.enrolled, signedSet: session.signedSet, setProblem: session.setProblem };
      const video = async (): Promise<HTMLVideoElement> => {
        await this.updateComplete;
        const element = this.renderRoot.querySelector("video");
        if (element === null) throw new Error("no video element");
        return element;
      };
      const running = await startLive(context, cameraRef, video, {
        onLive: () => {
          this.restarts = 0;
          this.status = { state: "live", key: "live.live", params: {} };
        },
        onEnd: (reason) => this.ended(reason),
        onError: (err) => (this.status = liveStatusOf(err)),
      }, abort.signal);
      if (abort.signal.aborted || cameraRef !== this.cameraRef) {
        running.player.stop();
        return;
      }
      this.withheld = running.withheld;
      // The device holds a newer set than this browser verified: fetch and verify it (18.3).
      if (running.newerSet) void session.refresh().catch(() => undefined);
      this.player = running.player;
      await running.player.run();
    } catch (err) {
      if (!abort.signal.aborted) this.status = liveStatusOf(err);
    }
  }

  private ended(reason: string | null): void {
    const next = afterEnd(reason);
    if (next.restart && this.restarts < MAX_RESTARTS) {
      this.restarts++;
      void this.start();
      return;
    }
    this.status = next.status;
  }

  private retry(): void {
    this.restarts = 0;
    void this.start();
  }

  private toggleMute(): void {
    this.muted = !this.muted;
  }

  private fullscreen(): void {
    const frame = this.renderRoot.querySelector(".frame");
    if (frame !== null && document.fullscreenElement === null) void frame.requestFullscreen().catch(() => undefined);
    else if (document.fullscreenElement !== null) void document.exitFullscreen().catch(() => undefined);
  }

  private renderNote() {
    const t = translatorFor(this.hass);
    const { state: current, key, params } = this.status;
    if (current === "live") return nothing;
    const failed = current !== "connecting";
    const alarm = current === "tampered" || current === "revoked";
    return html`<div class="note ${alarm ? "error" : ""}" role=${failed ? "alert" : "status"} data-live-note=${current}>
      ${t(key, params)}
      ${failed && current !== "unenrolled" && current !== "unplayable" && current !== "revoked"
        ? html` <button @click=${() => this.retry()}>${t("app.retry")}</button>`
        : nothing}
    </div>`;
  }

  override render() {
    const t = translatorFor(this.hass);
    const showVideo = this.status.state === "connecting" || this.status.state === "live";
    return html`${showVideo
        ? html`<div class="frame">
            <video playsinline autoplay .muted=${this.muted} data-live-camera=${this.cameraRef}></video>
            ${this.status.state === "live" ? html`<span class="badge">● ${t("live.live")}</span>` : nothing}
            <div class="controls">
              <button data-live-action="mute" @click=${() => this.toggleMute()}>${this.muted ? t("live.unmute") : t("live.mute")}</button>
              <button data-live-action="fullscreen" @click=${() => this.fullscreen()}>${t("live.fullscreen")}</button>
            </div>
          </div>`
        : nothing}
      ${this.withheld ? html`<div class="note error" role="alert" data-live-withheld>⚠ ${t("live.withheld")}</div>` : nothing}
      ${this.renderNote()}`;
  }
}
define("e2ee-live-view", LiveView);
