// Is WebCrypto here? On plain http to a LAN name or address browsers hide crypto.subtle, and
// nothing of E2EE can run: the panel shows how to reach Home Assistant over HTTPS instead.

export interface SecureContextReport {
  secure: boolean;
  /** The address the user is on, to show in the explanation. */
  origin: string;
  /** The same host over https, the first thing to try. */
  httpsOrigin: string;
}

export function secureContextReport(scope: {
  isSecureContext?: boolean;
  crypto?: { subtle?: unknown };
  location?: { origin: string; host: string };
} = globalThis as never): SecureContextReport {
  const secure = scope.isSecureContext !== false && scope.crypto?.subtle !== undefined;
  const origin = scope.location?.origin ?? "";
  const host = scope.location?.host ?? "";
  return { secure, origin, httpsOrigin: host === "" ? "" : `https://${host}` };
}
