// The panel's client of the integration: websocket commands and ciphertext downloads, every
// answer checked against its schema before it is returned.

import type * as z from "zod";
import { ApiError, ApiSchemaError } from "./errors";
import * as s from "./schemas";

/** The slice of Home Assistant's `hass` object this client uses. */
export interface HassTransport {
  callWS<T>(message: Record<string, unknown>): Promise<T>;
  fetchWithAuth?: (path: string, init?: RequestInit) => Promise<Response>;
  auth?: { data?: { access_token?: string } };
}

export type ObjectKind = "manifest" | "video" | "thumbnail" | "events";

export interface ClipFilter {
  deviceId?: string;
  cameraId?: string;
  startMs?: number;
  endMs?: number;
  event?: string;
}

const DOMAIN = "e2ee_nvr";

function parse<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue === undefined ? "" : ` at ${issue.path.join(".") || "(root)"}: ${issue.message}`;
    throw new ApiSchemaError(`${what}: unexpected reply${where}`);
  }
  return result.data;
}

export class E2eeApi {
  constructor(private readonly hass: HassTransport) {}

  private async call<T extends z.ZodType>(
    schema: T,
    command: string,
    params: Record<string, unknown> = {},
  ): Promise<z.infer<T>> {
    let reply: unknown;
    try {
      reply = await this.hass.callWS({ type: `${DOMAIN}/${command}`, ...params });
    } catch (err) {
      const known = s.WsError.safeParse(err);
      if (known.success) throw new ApiError(known.data.code, known.data.message);
      throw new ApiError("connection", err instanceof Error ? err.message : String(err));
    }
    return parse(schema, reply, command);
  }

  accountGet(): Promise<s.AccountInfo> {
    return this.call(s.AccountInfo, "account/get");
  }

  /** Tell the store this enrolled browser opened the panel (it keeps the time as last seen). */
  async accountSeen(instanceKeyId: string): Promise<void> {
    await this.call(s.EmptyResult, "account/seen", { instance_key_id: instanceKeyId });
  }

  /** One call carrying the whole account: the store takes all of it or none (atomic turn-on). */
  accountCreate(account: Record<string, unknown>, instanceName: string): Promise<s.AccountInfo> {
    return this.call(s.AccountInfo, "account/create", { account, instance_name: instanceName });
  }

  accountUpdate(
    change: "enrol" | "revoke" | "publish" | "rotate" | "migrate",
    account: Record<string, unknown>,
    instanceName = "",
  ): Promise<s.AccountInfo> {
    return this.call(s.AccountInfo, `account/${change}`, { account, instance_name: instanceName });
  }

  disable(deleteClips: boolean): Promise<s.AccountInfo> {
    return this.call(s.AccountInfo, "disable", { delete_clips: deleteClips });
  }

  pairingList(): Promise<s.PairingList> {
    return this.call(s.PairingList, "pairing/list");
  }

  pairingGrant(sessionId: string, grant: Record<string, unknown>): Promise<s.PairingSession> {
    return this.call(s.PairingSession, "pairing/grant", { session_id: sessionId, grant });
  }

  pairingRefuse(sessionId: string): Promise<s.PairingSession> {
    return this.call(s.PairingSession, "pairing/refuse", { session_id: sessionId });
  }

  camerasList(): Promise<s.CameraList> {
    return this.call(s.CameraList, "cameras/list");
  }

  cameraRename(deviceId: string, cameraId: string, name: string): Promise<unknown> {
    return this.call(s.EmptyResult, "cameras/rename", { device_id: deviceId, camera_id: cameraId, name });
  }

  cameraUnpair(deviceId: string): Promise<unknown> {
    return this.call(s.EmptyResult, "cameras/unpair", { device_id: deviceId });
  }

  clipsList(filter: ClipFilter, limit: number, before: s.ClipCursor | null): Promise<s.ClipPage> {
    const params: Record<string, unknown> = { limit };
    if (filter.deviceId !== undefined) params["device_id"] = filter.deviceId;
    if (filter.cameraId !== undefined) params["camera_id"] = filter.cameraId;
    if (filter.startMs !== undefined) params["start_ms"] = filter.startMs;
    if (filter.endMs !== undefined) params["end_ms"] = filter.endMs;
    if (filter.event !== undefined) params["event"] = filter.event;
    if (before !== null) params["before"] = before;
    return this.call(s.ClipPage, "clips/list", params);
  }

  clipManifest(clipId: string): Promise<s.ClipManifestResult> {
    return this.call(s.ClipManifestResult, "clips/manifest", { clip_id: clipId });
  }

  /** Up to MAX_MANIFESTS_PER_CALL clips' manifests and encrypted event details in one call. */
  clipManifests(clipIds: readonly string[]): Promise<s.ClipManifestsResult> {
    return this.call(s.ClipManifestsResult, "clips/manifests", { clip_ids: clipIds });
  }

  clipsDelete(clipIds: string[]): Promise<{ deleted: number }> {
    return this.call(s.DeleteResult, "clips/delete", { clip_ids: clipIds });
  }

  /** Ask the camera's device for a live session (section 18 step 1): its signed offer comes back. */
  liveStart(request: Record<string, unknown>): Promise<s.LiveStartResult> {
    return this.call(s.LiveStartResult, "live/start", { request });
  }

  /** Prove to the device that this browser unwrapped the live key (step 3). */
  async liveConfirm(confirm: Record<string, unknown>): Promise<void> {
    await this.call(s.EmptyResult, "live/confirm", { confirm });
  }

  /**
   * GET /api/e2ee_nvr/live/{session_id}: the session's records as they come, until the session
   * ends or `signal` aborts. The body is ciphertext; the live reader authenticates every record.
   */
  async openLiveStream(sessionIdHex: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    if (!/^[0-9a-f]{32}$/.test(sessionIdHex)) throw new ApiError("bad_path", "not a session id");
    const response = await this.get(`/api/${DOMAIN}/live/${sessionIdHex}`, {}, signal);
    if (response.body === null) throw new ApiError("empty", "the live stream has no body");
    return response.body;
  }

  private async get(path: string, headers: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    // A plain object, not Headers: Home Assistant's hass.fetchWithAuth adds its token with
    // `init.headers.authorization = ...`, which a Headers instance silently ignores (HTTP 401).
    const init: RequestInit = { headers, cache: "no-store" };
    if (signal !== undefined) init.signal = signal;
    let response: Response;
    if (this.hass.fetchWithAuth !== undefined) {
      response = await this.hass.fetchWithAuth(path, init);
    } else {
      const token = this.hass.auth?.data?.access_token;
      if (token !== undefined) headers["Authorization"] = `Bearer ${token}`;
      response = await fetch(path, init);
    }
    if (!response.ok) throw new ApiError(`http_${response.status}`, `${path}: HTTP ${response.status}`);
    return response;
  }

  /**
   * GET /api/e2ee_nvr/clips/{clip_id}/{kind}, optionally a byte range [start, end). The reply
   * is ciphertext; the caller authenticates every byte it uses.
   */
  async fetchObject(clipId: string, kind: ObjectKind, range?: readonly [number, number]): Promise<Response> {
    if (!/^[0-9a-f]{32}$/.test(clipId)) throw new ApiError("bad_path", "not a clip id");
    const path = `/api/${DOMAIN}/clips/${clipId}/${kind}`;
    const headers: Record<string, string> = {};
    if (range !== undefined) headers["Range"] = `bytes=${range[0]}-${range[1] - 1}`;
    const response = await this.get(path, headers);
    if (range !== undefined && response.status !== 206) {
      throw new ApiError("no_range", `${path}: the server ignored the Range request`);
    }
    return response;
  }

  async fetchBytes(clipId: string, kind: ObjectKind, range?: readonly [number, number]): Promise<Uint8Array> {
    const response = await this.fetchObject(clipId, kind, range);
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (range !== undefined && bytes.length !== range[1] - range[0]) {
      throw new ApiError("short_read", `expected ${range[1] - range[0]} bytes, got ${bytes.length}`);
    }
    return bytes;
  }
}
