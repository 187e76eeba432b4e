// The upgrade prompt for a protocol-v1 account (section 17): what changes, what it cannot undo,
// and the passphrase that migrates the account in place (account/migrate). Clips stay readable
// and cameras stay paired: they accept the v2 set because it chains to the v1 set they hold.

import { LitElement, html, nothing } from "lit";
import { type Hass, announceChange, define, errorText, translatorFor } from "../ui/base";
import { baseStyles } from "../ui/styles";
import "../ui/passphrase-prompt";
import { type E2eeSession } from "../lib/flows/session";

export class UpgradeView extends LitElement {
  static override styles = baseStyles;
  static override properties = {
    hass: { attribute: false },
    session: { attribute: false },
    busy: { state: true },
    message: { state: true },
  };
  declare hass: Hass | undefined;
  declare session: E2eeSession;
  declare busy: boolean;
  declare message: string;

  constructor() {
    super();
    this.busy = false;
    this.message = "";
  }

  private async upgrade(typed: string): Promise<void> {
    this.busy = true;
    this.message = "";
    try {
      await this.session.upgrade(typed);
      announceChange(this);
    } catch (err) {
      this.message = errorText(translatorFor(this.hass), err);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const t = translatorFor(this.hass);
    if (this.session.accountVersion !== 1) return nothing;
    return html`<div class="card" data-screen="upgrade">
      <h2>${t("upgrade.title")}</h2>
      <p>${t("upgrade.help")}</p>
      <p class="warning">${t("upgrade.limit")}</p>
      <e2ee-nvr-passphrase-prompt .hass=${this.hass} action=${t("upgrade.submit")} ?busy=${this.busy} message=${this.message}
        .cancellable=${false} @passphrase=${(e: CustomEvent<string>) => void this.upgrade(e.detail)}></e2ee-nvr-passphrase-prompt>
    </div>`;
  }
}
define("e2ee-nvr-upgrade-view", UpgradeView);
