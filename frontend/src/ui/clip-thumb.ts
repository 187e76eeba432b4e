// A clip's decrypted thumbnail, opened only once the tile scrolls into view.

import { LitElement, css, html } from "lit";
import { property, state } from "lit/decorators.js";
import { define } from "./base";
import { type ClipOpener } from "../lib/flows/clip-opener";

export class ClipThumb extends LitElement {
  static override styles = css`
    :host {
      display: block;
      aspect-ratio: 16 / 9;
      background: var(--secondary-background-color, #eee);
      border-radius: 8px;
      overflow: hidden;
    }
    img {
      width: 100%;
      height: 100%;
      object-fit: cover;
      display: block;
    }
    .note {
      font-size: 0.8rem;
      color: var(--secondary-text-color);
      padding: 8px;
    }
  `;
  @property({ attribute: false }) opener!: ClipOpener;
  @property({ attribute: "clip-id" }) clipId!: string;
  @property({ attribute: "failed-text" }) failedText = "";
  @state() url = "";
  @state() failed = false;
  private observer: IntersectionObserver | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        this.observer?.disconnect();
        void this.load();
      }
    });
    this.observer.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.observer?.disconnect();
  }

  private async load(): Promise<void> {
    try {
      this.url = await this.opener.thumbnailUrl(this.clipId);
    } catch {
      this.failed = true;
    }
  }

  override render() {
    if (this.failed) return html`<div class="note">${this.failedText}</div>`;
    return this.url === "" ? html`` : html`<img src=${this.url} alt="" />`;
  }
}
define("e2ee-nvr-clip-thumb", ClipThumb);
