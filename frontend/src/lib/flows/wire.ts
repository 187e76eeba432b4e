// Registers the real account and pairing operations (wired-ops.ts) for the panel and card
// (account-ops.ts). Imported once, by main.ts; tests that want them unregistered skip this.

import { registerAccountOps } from "./account-ops";
import { wiredAccountOps } from "./wired-ops";

registerAccountOps(wiredAccountOps);
