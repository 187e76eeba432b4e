import { describe, expect, it } from "vitest";
import { E2eeApi } from "./client";
import { ApiError, ApiSchemaError } from "./errors";
import { AccountInfo, ClipManifestResult, ClipPage, PairingList } from "./schemas";

const KEY = "0123456789abcdef0123456789abcdef";
const clip = {
  clip_id: KEY,
  device_id: KEY,
  camera_id: "front_door",
  start_ms: 1_700_000_000_000,
  end_ms: 1_700_000_030_000,
  size_bytes: 1234,
  events: ["motion"],
  kinds: ["video", "thumbnail"],
};

describe("schemas", () => {
  it("accepts what websocket_account.account_json sends", () => {
    expect(AccountInfo.parse({ enabled: false, account: null, epoch: 0, instances: [] }).enabled).toBe(false);
    const on = { enabled: true, account: { account_id: KEY }, epoch: 2, instances: [{ key_id: KEY, name: "Chrome", enrolled_at: 1.7e9 }] };
    expect(AccountInfo.parse(on).instances[0]?.name).toBe("Chrome");
  });

  it("refuses malformed ids, kinds and missing fields", () => {
    expect(ClipPage.safeParse({ clips: [{ ...clip, clip_id: "../etc" }], next: null }).success).toBe(false);
    expect(ClipPage.safeParse({ clips: [{ ...clip, kinds: ["exe"] }], next: null }).success).toBe(false);
    expect(ClipPage.safeParse({ clips: [clip] }).success).toBe(false);
    expect(AccountInfo.safeParse({ enabled: "yes", account: null, epoch: 0, instances: [] }).success).toBe(false);
  });

  it("parses a page with a cursor, a manifest reply and pairing sessions", () => {
    expect(ClipPage.parse({ clips: [clip], next: { start_ms: 1, clip_id: KEY } }).next?.clip_id).toBe(KEY);
    expect(ClipManifestResult.parse({ clip, manifest: "{}", device_cert: null }).device_cert).toBeNull();
    const session = {
      session_id: KEY,
      state: "pending",
      device_id: KEY,
      agent_name: "garage",
      cameras: [{ camera_id: "cam1", name: "Garage" }],
      expires_at: 1,
      request: { payload: "x", mac: "y" },
      result: null,
    };
    expect(PairingList.parse({ sessions: [session] }).sessions).toHaveLength(1);
    expect(PairingList.safeParse({ sessions: [{ ...session, state: "odd" }] }).success).toBe(false);
  });
});

describe("client", () => {
  it("sends the documented command and validates the reply", async () => {
    const sent: Array<Record<string, unknown>> = [];
    const api = new E2eeApi({
      callWS: async <T>(message: Record<string, unknown>) => {
        sent.push(message);
        return { clips: [clip], next: null } as T;
      },
    });
    const page = await api.clipsList({ cameraId: "front_door", deviceId: KEY, event: "motion" }, 10, { start_ms: 5, clip_id: KEY });
    expect(page.clips[0]?.camera_id).toBe("front_door");
    expect(sent[0]).toEqual({
      type: "e2ee_nvr/clips/list",
      limit: 10,
      device_id: KEY,
      camera_id: "front_door",
      event: "motion",
      before: { start_ms: 5, clip_id: KEY },
    });
  });

  it("turns HA errors into ApiError and bad replies into ApiSchemaError", async () => {
    const refusing = new E2eeApi({ callWS: () => Promise.reject({ code: "unauthorized", message: "admin only" }) });
    await expect(refusing.disable(false)).rejects.toMatchObject({ name: "ApiError", code: "unauthorized" });
    const lying = new E2eeApi({ callWS: async <T>() => ({ enabled: 1 }) as T });
    await expect(lying.accountGet()).rejects.toBeInstanceOf(ApiSchemaError);
    await expect(refusing.fetchObject("../../x", "video")).rejects.toBeInstanceOf(ApiError);
  });

  it("asks for ranges with an inclusive end and refuses a 200 to a Range request", async () => {
    let header = "";
    const api = new E2eeApi({
      callWS: () => Promise.reject(new Error("unused")),
      fetchWithAuth: async (_path, init) => {
        header = new Headers(init?.headers).get("Range") ?? "";
        return new Response(new Uint8Array(10), { status: 200 });
      },
    });
    await expect(api.fetchBytes(KEY, "video", [32, 42])).rejects.toMatchObject({ code: "no_range" });
    expect(header).toBe("bytes=32-41");
  });

  it("lets Home Assistant's fetchWithAuth add its token to the headers it is given", async () => {
    let sent = new Headers();
    const api = new E2eeApi({
      callWS: () => Promise.reject(new Error("unused")),
      // As home-assistant-js-websocket does: a property assignment on init.headers.
      fetchWithAuth: async (_path, init = {}) => {
        init.headers ??= {};
        (init.headers as Record<string, string>)["authorization"] = "Bearer token";
        sent = new Headers(init.headers);
        return new Response(new Uint8Array(10), { status: 206 });
      },
    });
    await api.fetchBytes(KEY, "video", [32, 42]);
    expect(sent.get("authorization")).toBe("Bearer token");
    expect(sent.get("range")).toBe("bytes=32-41");
  });
});
