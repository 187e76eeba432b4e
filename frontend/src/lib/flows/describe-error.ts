// Every failure the screens can meet, as a translation key and its parameters: the crypto
// layer's sentinel classes by name, the transport's codes, and anything else as generic.

import { ApiError, ApiSchemaError } from "../api/errors";

export interface ErrorText {
  key: string;
  params: Record<string, string>;
}

const BY_NAME: Record<string, string> = {
  WrongPassphrase: "errors.wrong_passphrase",
  InvalidPassphrase: "errors.invalid_passphrase",
  OperationUnavailable: "errors.unavailable",
  UntrustedKey: "errors.untrusted",
  BadSignature: "errors.bad_signature",
  NoRecipientKey: "errors.no_recipient",
  RolledBack: "errors.rolled_back",
  Readmitted: "errors.readmitted",
  NotEnrolled: "errors.not_in_set",
  MissingDataKey: "errors.untrusted",
  ChunkAuthFailed: "errors.tampered",
  Truncated: "errors.tampered",
  TrailingData: "errors.tampered",
  HeaderMismatch: "errors.tampered",
  PairingMacMismatch: "pair.mac_mismatch",
  PairingExpired: "pair.expired",
  NoPendingRequest: "pair.no_request",
  InvalidPairingCode: "pair.invalid_code",
};

export function describeError(err: unknown): ErrorText {
  if (err instanceof ApiError) {
    if (err.code === "expired") return { key: "pair.expired", params: {} };
    return { key: "errors.api", params: { code: err.code, message: err.message } };
  }
  if (err instanceof ApiSchemaError) return { key: "errors.schema", params: { detail: err.message } };
  if (err instanceof Error && err.name === "WaitBeforeRetry" && "waitMs" in err) {
    return { key: "enrol.wait", params: { seconds: String(Math.ceil(Number(err.waitMs) / 1000)) } };
  }
  if (err instanceof Error) {
    const key = BY_NAME[err.name];
    if (key !== undefined) return { key, params: { detail: err.message } };
    return { key: "errors.generic", params: { detail: err.message } };
  }
  return { key: "errors.generic", params: { detail: String(err) } };
}
