// The upgrade prompt for a protocol-v1 account (section 17): what changes, what it cannot undo,
// and the passphrase that migrates the account in place (account/migrate). Clips stay readable
// and cameras stay paired: they accept the v2 set because it chains to the v1 set they hold.

import { html, nothing } from "lit";
import { announceChange, define, translatorFor } from "../ui/base";
import "../ui/passphrase-prompt";
import { SessionView } from "../ui/session-view";

export class UpgradeView extends SessionView {
  private async upgrade(typed: string): Promise<void> {
    await this.attempt(async () => {
      await this.session.upgrade(typed);
      announceChange(this);
    });
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
