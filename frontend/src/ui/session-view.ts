// The base of the panel's screens: Home Assistant's `hass`, the shared session, and the
// screen's error line, set from whatever its last action threw.

import { type CSSResultGroup, LitElement } from "lit";
import { property, state } from "lit/decorators.js";
import { type Hass, errorText, translatorFor } from "./base";
import { baseStyles } from "./styles";
import { type E2eeSession } from "../lib/flows/session";

export class SessionView extends LitElement {
  static override styles: CSSResultGroup = baseStyles;
  @property({ attribute: false }) hass: Hass | undefined;
  @property({ attribute: false }) session!: E2eeSession;
  /** The last failure, in the user's language ("" when none). */
  @state() message = "";
  @state() busy = false;

  protected showError(err: unknown): void {
    this.message = errorText(translatorFor(this.hass), err);
  }

  /** Runs one user action: busy meanwhile, the old error line cleared, a failure shown. */
  protected async attempt(action: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.message = "";
    try {
      await action();
    } catch (err) {
      this.showError(err);
    } finally {
      this.busy = false;
    }
  }
}
