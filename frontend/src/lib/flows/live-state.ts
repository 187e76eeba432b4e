// What a live view shows for each outcome: the states of section 18's screens, from the named
// errors of the crypto layer and the relay's websocket codes, as a translation key.

import { ApiError } from "../api/errors";
import { LiveUnplayable } from "../player/live-errors";

export type LiveState = "connecting" | "live" | "offline" | "unplayable" | "unenrolled" | "revoked" | "tampered" | "ended" | "error";

export interface LiveStatus {
  state: LiveState;
  key: string;
  params: Record<string, string>;
}

// Every refusal that means the relayed bytes were altered, replayed, spliced or forged.
const TAMPERING = new Set([
  "UntrustedKey",
  "BadSignature",
  "MalformedObject",
  "HeaderMismatch",
  "UnwrapFailed",
  "RolledBack",
  "Replayed",
  "ChunkAuthFailed",
  "Truncated",
  "TrailingData",
  "UnsupportedVersion",
]);

/** The screen for a failure of opening or playing a live session. */
export function liveStatusOf(err: unknown): LiveStatus {
  if (err instanceof LiveUnplayable) {
    const reason = err.verdict.reason.replace("-", "_");
    return { state: "unplayable", key: `live.${reason}`, params: { mime: err.verdict.mime } };
  }
  if (err instanceof ApiError) {
    if (err.code === "camera_offline") return { state: "offline", key: "live.offline", params: { detail: err.message } };
    if (err.code === "agent_offline") return { state: "offline", key: "live.agent_offline", params: {} };
    if (err.code === "timeout") return { state: "offline", key: "live.no_answer", params: {} };
    // The device's own refusal of the request, relayed by name.
    if (err.code === "not_enrolled" || err.code === "NotEnrolled") return { state: "revoked", key: "live.revoked", params: { detail: err.message } };
    if (TAMPERING.has(err.code)) return { state: "tampered", key: "live.tampered", params: { name: err.code, detail: err.message } };
    return { state: "error", key: "errors.api", params: { code: err.code, message: err.message } };
  }
  if (err instanceof Error) {
    if (err.name === "NotEnrolled") return { state: "revoked", key: "live.revoked", params: { detail: err.message } };
    if (TAMPERING.has(err.name)) return { state: "tampered", key: "live.tampered", params: { name: err.name, detail: err.message } };
    return { state: "error", key: "errors.generic", params: { detail: err.message } };
  }
  return { state: "error", key: "errors.generic", params: { detail: String(err) } };
}

/** After the stream ended: restart at once for a rekey or an idle end, else say why it ended. */
export function afterEnd(reason: string | null): { restart: boolean; status: LiveStatus } {
  if (reason === "camera-offline") return { restart: false, status: { state: "offline", key: "live.offline", params: { detail: reason } } };
  if (reason === "stopped" || reason === null) {
    return { restart: false, status: { state: "ended", key: reason === null ? "live.ended_unknown" : "live.ended", params: { reason: reason ?? "" } } };
  }
  // "rekey": the device changed L (a new set, or an hour passed); "idle": it saw no viewer.
  return { restart: true, status: { state: "connecting", key: "live.connecting", params: {} } };
}
