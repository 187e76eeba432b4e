// The card editor's live options: the mode (live with clips under it, or clips only) and the
// camera shown live first. A template, so the editor itself only places it.

import { html, nothing } from "lit";
import { type Translate } from "../i18n";
import { type CameraList } from "../lib/api/schemas";
import { type CardConfig } from "../lib/flows/card-config";

export function liveOptions(t: Translate, config: CardConfig, cameras: CameraList | null, change: (update: Partial<CardConfig>) => void) {
  const keys = (cameras?.devices ?? []).flatMap((device) =>
    device.cameras.map((camera) => ({ key: `${device.device_id}/${camera.camera_id}`, name: `${camera.name || camera.camera_id} (${device.agent_name})` })),
  );
  return html`<label for="mode">${t("card.editor.mode")}</label>
    <select id="mode" @change=${(e: Event) => change({ mode: (e.target as HTMLSelectElement).value === "clips" ? "clips" : "live" })}>
      <option value="live" ?selected=${config.mode === "live"}>${t("card.editor.mode_live")}</option>
      <option value="clips" ?selected=${config.mode === "clips"}>${t("card.editor.mode_clips")}</option>
    </select>
    ${config.mode === "live"
      ? html`<label for="live-camera">${t("card.editor.live_camera")}</label>
          <select id="live-camera" @change=${(e: Event) => change({ live_camera: (e.target as HTMLSelectElement).value })}>
            <option value="" ?selected=${config.live_camera === ""}>${t("card.editor.first_camera")}</option>
            ${keys.map(({ key, name }) => html`<option value=${key} ?selected=${config.live_camera === key}>${name}</option>`)}
          </select>`
      : nothing}`;
}
