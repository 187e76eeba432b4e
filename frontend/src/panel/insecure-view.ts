// Shown when crypto.subtle is missing (plain http to a LAN address): how to reach HTTPS.

import { LitElement, html } from "lit";
import { property } from "lit/decorators.js";
import { type Hass, define, translatorFor } from "../ui/base";
import { baseStyles } from "../ui/styles";
import { type SecureContextReport } from "../lib/flows/secure-context";

export class InsecureView extends LitElement {
  static override styles = baseStyles;
  @property({ attribute: false }) hass: Hass | undefined;
  @property({ attribute: false }) report!: SecureContextReport;

  override render() {
    const t = translatorFor(this.hass);
    return html`<div class="card" data-screen="insecure">
      <h2>${t("insecure.title")}</h2>
      <p>${t("insecure.body", { origin: this.report.origin })}</p>
      <h3>${t("insecure.options_title")}</h3>
      <ul>
        <li>${t("insecure.option_https", { https: this.report.httpsOrigin })}</li>
        <li>${t("insecure.option_cloud")}</li>
        <li>${t("insecure.option_local")}</li>
      </ul>
      <p class="muted">${t("insecure.why")}</p>
    </div>`;
  }
}
define("e2ee-nvr-insecure-view", InsecureView);
