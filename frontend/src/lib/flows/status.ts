// Where this browser stands: E2EE off, on but this browser not enrolled (or revoked), enrolled.

import { type AccountInfo } from "../api/schemas";
import { type StoredEndpoint } from "../keystore/keystore";
import { type EnrolledEndpoint } from "./account-ops";

export type EndpointStatus =
  | { kind: "off" }
  | { kind: "unenrolled"; accountId: string }
  | { kind: "revoked"; accountId: string }
  | { kind: "enrolled"; accountId: string; endpoint: EnrolledEndpoint; name: string };

export function accountIdOf(info: AccountInfo): string | null {
  const id = info.account?.["account_id"];
  return typeof id === "string" ? id : null;
}

/**
 * A stored key counts only if the store's account is the one it was enrolled in and still
 * names its instance key: a key left from an older account, or from a create that never reached
 * the store, is ignored (and the screens offer to enrol again).
 */
export function endpointStatus(info: AccountInfo, stored: StoredEndpoint | null): EndpointStatus {
  const accountId = accountIdOf(info);
  if (!info.enabled || accountId === null) return { kind: "off" };
  if (stored === null || stored.accountId !== accountId) return { kind: "unenrolled", accountId };
  if (!info.instances.some((i) => i.key_id === stored.instance.keyId)) return { kind: "revoked", accountId };
  return { kind: "enrolled", accountId, endpoint: toEnrolled(stored), name: stored.name };
}

export function toEnrolled(stored: StoredEndpoint): EnrolledEndpoint {
  return {
    accountId: stored.accountId,
    rootCertDer: new Uint8Array(stored.rootCertDer),
    instance: {
      kind: "p256",
      keyId: stored.instance.keyId,
      privateKey: stored.instance.privateKey,
      publicKey: stored.instance.publicKey,
      publicPoint: new Uint8Array(stored.instance.publicPoint),
    },
  };
}

/** A default name for this browser in the device list ("Chrome on Linux"). */
export function defaultBrowserName(userAgent: string = globalThis.navigator?.userAgent ?? ""): string {
  const browser = /Edg\//.test(userAgent)
    ? "Edge"
    : /Firefox\//.test(userAgent)
      ? "Firefox"
      : /Home Assistant\//.test(userAgent)
        ? "Companion app"
        : /Chrom(e|ium)\//.test(userAgent)
          ? "Chrome"
          : /Safari\//.test(userAgent)
            ? "Safari"
            : "Browser";
  const os = /Android/.test(userAgent)
    ? "Android"
    : /iPhone|iPad/.test(userAgent)
      ? "iOS"
      : /Mac OS X/.test(userAgent)
        ? "macOS"
        : /Windows/.test(userAgent)
          ? "Windows"
          : /Linux/.test(userAgent)
            ? "Linux"
            : "";
  return (os === "" ? browser : `${browser} on ${os}`).slice(0, 64);
}
