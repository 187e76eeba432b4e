// Enrolled browsers (revoke) and paired cameras (status, rename, unpair).
// The browsers listed are the members of the signed recipient set this browser verified, not
// HA's `instances` metadata (which only lends them names): a browser HA hides is still listed,
// and one HA lists without it being in the set is shown apart, as receiving nothing new.

import { css, html, nothing } from "lit";
import { state } from "lit/decorators.js";
import { announceChange, define, errorLine, errorText, formatDateTime, isAdmin, translatorFor } from "../ui/base";
import { baseStyles } from "../ui/styles";
import "../ui/confirm-button";
import "../ui/passphrase-prompt";
import { SessionView } from "../ui/session-view";
import { type CameraList, type DeviceInfo, type InstanceInfo } from "../lib/api/schemas";

export class DevicesView extends SessionView {
  static override styles = [
    baseStyles,
    css`
      .dot {
        display: inline-block;
        width: 10px;
        height: 10px;
        border-radius: 50%;
        margin-right: 6px;
        background: var(--error-color, #db4437);
      }
      .dot.on {
        background: var(--success-color, #43a047);
      }
      .camera {
        margin: 8px 0 0 16px;
      }
    `,
  ];
  @state() cameras: CameraList | null = null;
  @state() editing = "";
  @state() draft = "";
  /** The key id whose revocation waits for the passphrase ("" when none). */
  @state() revoking = "";
  /** The revocation's failure, shown in its passphrase prompt. */
  @state() promptMessage = "";

  private async revoke(keyId: string, typed: string): Promise<void> {
    this.busy = true;
    this.promptMessage = "";
    try {
      await this.session.revoke(keyId, typed);
      this.revoking = "";
      announceChange(this);
      await this.load();
    } catch (err) {
      this.promptMessage = errorText(translatorFor(this.hass), err);
    } finally {
      this.busy = false;
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.cameras = await this.session.cameras();
    } catch (err) {
      this.showError(err);
    }
  }

  private async act(action: () => Promise<unknown>, changesAccount = false): Promise<void> {
    this.message = "";
    try {
      await action();
      if (changesAccount) announceChange(this);
      await this.load();
    } catch (err) {
      this.showError(err);
    }
  }

  private renderBrowser(keyId: string, info: InstanceInfo | undefined) {
    const t = translatorFor(this.hass);
    const own = this.session.enrolled?.instance.keyId;
    const name = info?.name || t("devices.unnamed", { key: keyId.slice(0, 8) });
    return html`<li class="row" style="flex-wrap:wrap" data-key-id=${keyId} data-signed="1">
      <div>
        <div>${name} ${keyId === own ? html`<span class="muted">(${t("devices.this_browser")})</span>` : nothing}</div>
        <div class="muted">${keyId}</div>
        ${info === undefined ? html`<div class="error">${t("devices.not_listed_by_ha")}</div>` : nothing}
        ${info?.enrolled_at === null || info === undefined ? nothing : html`<div class="muted">${t("devices.enrolled_at", { date: formatDateTime(info.enrolled_at * 1000, this.hass) })}</div>`}
        ${info?.last_seen === null || info?.last_seen === undefined ? nothing : html`<div class="muted">${t("devices.browser_last_seen", { date: formatDateTime(info.last_seen * 1000, this.hass) })}</div>`}
      </div>
      <span class="spacer"></span>
      ${!isAdmin(this.hass) || this.revoking === keyId
        ? nothing
        : keyId === own && this.session.accountVersion === 2
          ? html`<span class="muted">${t("devices.revoke_self_v2")}</span>`
          : html`<e2ee-nvr-confirm-button danger label=${t("devices.revoke")} yes=${t("devices.revoke")} no=${t("app.cancel")}
              question=${t("devices.revoke_confirm", { name }) + (keyId === own ? ` ${t("devices.revoke_self")}` : "")}
              @confirmed=${() => {
                this.revoking = keyId;
                this.promptMessage = "";
              }}></e2ee-nvr-confirm-button>`}
      ${this.revoking === keyId
        ? html`<div style="flex-basis:100%">
            <p>${t("devices.revoke_passphrase", { name })}</p>
            <e2ee-nvr-passphrase-prompt .hass=${this.hass} action=${t("devices.revoke")} ?busy=${this.busy} message=${this.promptMessage}
              @passphrase=${(e: CustomEvent<string>) => void this.revoke(keyId, e.detail)}
              @cancel=${() => (this.revoking = "")}></e2ee-nvr-passphrase-prompt>
          </div>`
        : nothing}
    </li>`;
  }

  private renderBrowsers() {
    const t = translatorFor(this.hass);
    const listed = new Map((this.session.account?.instances ?? []).map((i) => [i.key_id, i]));
    const set = this.session.signedSet;
    const members = (set?.members ?? []).filter((m) => m.role === "instance").map((m) => m.keyId);
    const signed = new Set(members);
    const unsigned = [...listed.values()].filter((i) => !signed.has(i.key_id));
    return html`<div class="card" data-screen="devices">
      <h2>${t("devices.browsers_title")}</h2>
      <p class="muted">${t("devices.browsers_help")}</p>
      ${set !== null
        ? html`<p class="muted">${t("devices.signed_help", { epoch: set.epoch })}</p>`
        : this.session.setProblem === null
          ? html`<p class="muted">${t("app.loading")}</p>`
          : html`<p class="error" role="alert" data-set-problem>${t("devices.set_problem", { detail: errorText(t, this.session.setProblem) })}</p>`}
      <ul class="plain">
        ${members.map((keyId) => this.renderBrowser(keyId, listed.get(keyId)))}
      </ul>
      ${set === null || unsigned.length === 0
        ? nothing
        : html`<p class="error" data-unsigned-browsers>${t("devices.ha_only_title")}</p>
            <ul class="plain">${unsigned.map((i) => html`<li data-unsigned-key-id=${i.key_id}>${i.name || i.key_id}</li>`)}</ul>`}
    </div>`;
  }

  private renderDevice(device: DeviceInfo) {
    const t = translatorFor(this.hass);
    const admin = isAdmin(this.hass);
    const seen = device.last_seen === null ? t("devices.never_seen") : t("devices.last_seen", { date: formatDateTime(device.last_seen * 1000, this.hass) });
    return html`<li data-device-id=${device.device_id}>
      <div class="row">
        <span><span class="dot ${device.connected ? "on" : ""}"></span>${device.agent_name}</span>
        <span class="muted">${device.connected ? t("devices.online") : t("devices.offline")} · ${seen}</span>
        <span class="spacer"></span>
        ${admin
          ? html`<e2ee-nvr-confirm-button danger label=${t("devices.unpair")} yes=${t("devices.unpair")} no=${t("app.cancel")}
              question=${t("devices.unpair_confirm", { name: device.agent_name })}
              @confirmed=${() => void this.act(() => this.session.api.cameraUnpair(device.device_id))}></e2ee-nvr-confirm-button>`
          : nothing}
      </div>
      ${device.cameras.map((camera) => {
        const key = `${device.device_id}/${camera.camera_id}`;
        return html`<div class="camera row">
          ${this.editing === key
            ? html`<input maxlength="64" .value=${this.draft} @input=${(e: Event) => (this.draft = (e.target as HTMLInputElement).value)} />
                <button class="primary" ?disabled=${this.draft.trim() === ""}
                  @click=${() => void this.act(async () => {
                    await this.session.renameCamera(device.device_id, camera.camera_id, this.draft.trim());
                    this.editing = "";
                  })}>${t("devices.save")}</button>
                <button @click=${() => (this.editing = "")}>${t("app.cancel")}</button>`
            : html`<span>${camera.name || camera.camera_id}</span>
                <span class="muted">${t("devices.clips", { count: camera.clip_count })}</span>
                <span class="spacer"></span>
                ${admin ? html`<button @click=${() => { this.editing = key; this.draft = camera.name; }}>${t("devices.rename")}</button>` : nothing}`}
        </div>`;
      })}
    </li>`;
  }

  override render() {
    const t = translatorFor(this.hass);
    return html`${errorLine(this.message)}
      ${this.renderBrowsers()}
      <div class="card">
        <h2>${t("devices.cameras_title")}</h2>
        ${this.cameras === null
          ? html`<p class="muted">${t("app.loading")}</p>`
          : this.cameras.devices.length === 0
            ? html`<p class="muted">${t("devices.no_cameras")}</p>`
            : html`<ul class="plain">${this.cameras.devices.map((d) => this.renderDevice(d))}</ul>`}
      </div>`;
  }
}
define("e2ee-nvr-devices-view", DevicesView);
