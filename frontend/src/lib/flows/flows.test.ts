import { describe, expect, it } from "vitest";
import { translate } from "../../i18n";
import en from "../../i18n/en.json";
import { AttemptLimiter, FREE_ATTEMPTS, delayAfter, type KeyValueStore } from "./backoff";
import { normaliseConfig, recentClips } from "./card-config";
import { groupClips, toQuery } from "./clip-feed";
import { normaliseWord, pickPositions, wrongPositions } from "./confirm-words";
import { describeError } from "./describe-error";
import { secureContextReport } from "./secure-context";
import { endpointStatus } from "./status";
import { URI_PREFIX, clipIdFromQuery, pairingCodeFromInput, pairingCodeFromQuery } from "./pairing-code";
import { URI_PREFIX as PROTOCOL_URI_PREFIX } from "../crypto/pairing";
import { InvalidPairingCode } from "./wired-ops";
import { ApiError } from "../api/errors";
import { type E2eeApi } from "../api/client";
import { type Keystore } from "../keystore/keystore";
import { E2eeSession } from "./session";

class MemoryStore implements KeyValueStore {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

describe("passphrase attempts", () => {
  it("allows a few free tries, then doubles the wait, persisted across instances", () => {
    const store = new MemoryStore();
    let now = 1_000_000;
    const limiter = new AttemptLimiter(store, () => now);
    for (let i = 0; i < FREE_ATTEMPTS - 1; i++) limiter.recordFailure();
    expect(limiter.waitMs()).toBe(0);
    limiter.recordFailure();
    expect(limiter.waitMs()).toBe(30_000);
    const reloaded = new AttemptLimiter(store, () => now);
    expect(reloaded.waitMs()).toBe(30_000);
    now += 30_000;
    expect(reloaded.waitMs()).toBe(0);
    reloaded.recordFailure();
    expect(reloaded.waitMs()).toBe(60_000);
    reloaded.recordSuccess();
    expect(reloaded.waitMs()).toBe(0);
    expect(delayAfter(100)).toBe(60 * 60_000);
  });

  it("treats a damaged record as no record", () => {
    const store = new MemoryStore();
    store.setItem("e2ee-nvr:passphrase-attempts", "{not json");
    expect(new AttemptLimiter(store).state().failures).toBe(0);
  });
});

describe("confirming the passphrase", () => {
  it("picks distinct sorted positions and checks answers tolerantly", () => {
    let next = 0;
    const positions = pickPositions(10, 3, (n) => (next++ * 7) % n);
    expect(new Set(positions).size).toBe(3);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const passphrase = "alpha bravo charlie delta echo foxtrot golf hotel india juliet";
    expect(wrongPositions(passphrase, [0, 4, 9], [" ALPHA", "Echo.", "juliet"])).toEqual([]);
    expect(wrongPositions(passphrase, [0, 4, 9], ["alpha", "eco", ""])).toEqual([4, 9]);
    expect(normaliseWord(" Fox-Trot ")).toBe("foxtrot");
  });
});

// One enrolled browser, as the keystore holds it, for the status and last-seen checks.
const KEY = "0123456789abcdef0123456789abcdef";
const stored = {
  accountId: KEY,
  rootCertDer: new Uint8Array([1]),
  name: "x",
  enrolledAt: 0,
  instance: { keyId: KEY, privateKey: {} as CryptoKey, publicKey: {} as CryptoKey, publicPoint: new Uint8Array(65) },
};

describe("status", () => {
  const OTHER = "ffffffffffffffffffffffffffffffff";
  const on = (instances: string[]) => ({
    enabled: true,
    account: { account_id: KEY },
    epoch: 1,
    instances: instances.map((key_id) => ({ key_id, name: "", enrolled_at: null })),
  });

  it("tells off, unenrolled, revoked and enrolled apart", () => {
    expect(endpointStatus({ enabled: false, account: null, epoch: 0, instances: [] }, stored).kind).toBe("off");
    expect(endpointStatus(on([KEY]), null).kind).toBe("unenrolled");
    expect(endpointStatus(on([KEY]), { ...stored, accountId: OTHER }).kind).toBe("unenrolled");
    expect(endpointStatus(on([OTHER]), stored).kind).toBe("revoked");
    expect(endpointStatus(on([KEY, OTHER]), stored).kind).toBe("enrolled");
  });
});

describe("clip feed", () => {
  it("turns filters into the clips/list query", () => {
    expect(toQuery({ camera: "", event: "", day: "" })).toEqual({});
    const query = toQuery({ camera: "dev/cam", event: "person", day: "2026-11-29" });
    expect(query).toMatchObject({ deviceId: "dev", cameraId: "cam", event: "person" });
    expect((query.endMs ?? 0) - (query.startMs ?? 0)).toBeGreaterThanOrEqual(23 * 3600_000);
  });

  it("groups newest-first clips by day and camera", () => {
    const row = (id: string, camera: string, start: number) => ({
      clip_id: id.padEnd(32, "0"),
      device_id: "d".padEnd(32, "0"),
      camera_id: camera,
      start_ms: start,
      end_ms: start + 1000,
      size_bytes: 1,
      events: [],
      kinds: [],
    });
    const day = new Date(2026, 10, 29, 12).getTime();
    const groups = groupClips([row("a", "c1", day), row("b", "c2", day - 1), row("c", "c1", day - 2), row("d", "c1", day - 86_400_000)], new Map());
    expect(groups.map((g) => [g.day, g.cameraName, g.clips.length])).toEqual([
      ["2026-11-29", "c1", 2],
      ["2026-11-29", "c2", 1],
      ["2026-11-28", "c1", 1],
    ]);
  });
});

describe("card config", () => {
  it("fills defaults and refuses bad values", () => {
    expect(normaliseConfig({ type: "custom:e2ee-nvr-clips-card" })).toMatchObject({ title: "", cameras: [], count: 6 });
    expect(() => normaliseConfig({ type: "x", count: 1000 })).toThrow(/count/);
    expect(() => normaliseConfig({ type: "x", cameras: ["nope"] })).toThrow();
  });

  it("merges per-camera pages newest first", async () => {
    const api = {
      clipsList: async (filter: { cameraId?: string }) => ({
        clips: [1, 2].map((n) => ({ clip_id: `${filter.cameraId}${n}`, start_ms: filter.cameraId === "a" ? n * 10 : n * 11 })),
        next: null,
      }),
    } as unknown as E2eeApi;
    const clips = await recentClips(api, normaliseConfig({ type: "x", count: 3, cameras: [`${KEY}/a`, `${KEY}/b`] }));
    expect(clips.map((c) => c.clip_id)).toEqual(["b2", "a2", "b1"]);
  });
});

describe("errors, strings, secure context", () => {
  it("maps failures to strings that exist", () => {
    for (const err of [
      new ApiError("unauthorized", "no"),
      Object.assign(new Error("x"), { name: "WrongPassphrase" }),
      Object.assign(new Error("x"), { name: "PairingMacMismatch" }),
      Object.assign(new Error("x"), { name: "NoPendingRequest" }),
      Object.assign(new Error("x"), { name: "WaitBeforeRetry", waitMs: 2500 }),
      "odd",
    ]) {
      const { key, params } = describeError(err);
      expect(translate("en", key, params)).not.toBe(key);
    }
    expect(translate("en", "enrol.wait", { seconds: 3 })).toContain("3 s");
    expect(translate("de-DE", "app.title")).toBe("E2EE NVR");
    expect(translate("en", "no.such.key")).toBe("no.such.key");
    expect(typeof en.app.title).toBe("string");
  });

  it("detects a missing crypto.subtle and suggests the https origin", () => {
    const report = secureContextReport({ isSecureContext: false, crypto: {}, location: { origin: "http://ha.local:8123", host: "ha.local:8123" } });
    expect(report).toEqual({ secure: false, origin: "http://ha.local:8123", httpsOrigin: "https://ha.local:8123" });
    expect(secureContextReport({ isSecureContext: true, crypto: { subtle: {} } }).secure).toBe(true);
  });
});

describe("pairing links and panel URL parameters", () => {
  it("strips the same URI scheme the crypto layer writes", () => {
    expect(URI_PREFIX).toBe(PROTOCOL_URI_PREFIX);
  });

  it("reduces a pasted URI or panel link to the code, leaves a typed code alone", () => {
    expect(pairingCodeFromInput("e2ee-nvr-pair:KB7QIO3M2XPZ4H5NRT6J")).toBe("KB7QIO3M2XPZ4H5NRT6J");
    expect(pairingCodeFromInput("  E2EE-NVR-PAIR:kb7q-io3m ")).toBe("kb7q-io3m");
    expect(pairingCodeFromInput("https://ha.local/e2ee-nvr?pair=KB7Q-IO3M")).toBe("KB7Q-IO3M");
    expect(pairingCodeFromInput("kb7q io3m")).toBe("kb7q io3m");
  });

  it("reads ?pair= and ?clip= once, refusing a malformed clip id", () => {
    expect(pairingCodeFromQuery("?pair=e2ee-nvr-pair%3AKB7Q")).toBe("KB7Q");
    expect(pairingCodeFromQuery("?pair=")).toBeNull();
    expect(clipIdFromQuery(`?clip=${"a".repeat(32)}`)).toBe("a".repeat(32));
    expect(clipIdFromQuery("?clip=../../x")).toBeNull();
  });

  it("shows a malformed pairing code as such", () => {
    expect(describeError(new InvalidPairingCode("x")).key).toBe("pair.invalid_code");
    expect(translate("en", "pair.invalid_code")).not.toBe("pair.invalid_code");
  });
});

describe("last seen", () => {
  const info = {
    enabled: true,
    account: { account_id: KEY },
    epoch: 1,
    instances: [{ key_id: KEY, name: "x", enrolled_at: 5, last_seen: 7 }],
  };

  it("reports an enrolled browser once per session, and only an enrolled one", async () => {
    const sent: Record<string, unknown>[] = [];
    const hass = {
      callWS: <T>(message: Record<string, unknown>): Promise<T> => {
        sent.push(message);
        if (message["type"] === "e2ee_nvr/account/seen") return Promise.reject({ code: "not_found", message: "gone" });
        return Promise.resolve(info as T);
      },
    };
    let key: typeof stored | null = null;
    const keystore = { load: () => Promise.resolve(key) } as unknown as Keystore;
    const session = new E2eeSession(hass, keystore);
    await session.refresh();
    await session.reportSeen();
    expect(sent.filter((m) => m["type"] === "e2ee_nvr/account/seen")).toEqual([]);
    expect(session.account?.instances[0]?.last_seen).toBe(7);
    key = stored;
    await session.refresh();
    await session.reportSeen(); // the refusal is swallowed
    await session.reportSeen();
    expect(sent.filter((m) => m["type"] === "e2ee_nvr/account/seen")).toEqual([{ type: "e2ee_nvr/account/seen", instance_key_id: KEY }]);
  });
});
