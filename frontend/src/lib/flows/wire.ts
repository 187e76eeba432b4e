// Registers the account and pairing operations (wired-ops.ts) for the panel and card
// (account-ops.ts). Imported once, by main.ts; tests that want them unregistered skip this.
//
// wired-ops.ts is loaded on first use (a dynamic import, so its own chunk): it carries the
// PKCS#12 backups, certificate issuing, CSRs and the passphrase word list, which a card that only
// plays clips never needs. A failed load is retried on the next call instead of being cached.

import { type AccountOps, registerAccountOps } from "./account-ops";

let loading: Promise<AccountOps> | null = null;

function load(): Promise<AccountOps> {
  if (loading === null) {
    const attempt = import("./wired-ops").then((module) => module.wiredAccountOps);
    attempt.catch(() => {
      if (loading === attempt) loading = null;
    });
    loading = attempt;
  }
  return loading;
}

export const lazyAccountOps: AccountOps = {
  createAccount: async (...args) => (await load()).createAccount(...args),
  enrolWithPassphrase: async (...args) => (await load()).enrolWithPassphrase(...args),
  revokeInstance: async (...args) => (await load()).revokeInstance(...args),
  migrateAccount: async (...args) => (await load()).migrateAccount(...args),
  openDataKey: async (...args) => (await load()).openDataKey(...args),
  pairingSessionId: async (...args) => (await load()).pairingSessionId(...args),
  openPairingRequest: async (...args) => (await load()).openPairingRequest(...args),
  makePairingGrant: async (...args) => (await load()).makePairingGrant(...args),
  verifiedSet: async (...args) => (await load()).verifiedSet(...args),
};

registerAccountOps(lazyAccountOps);
