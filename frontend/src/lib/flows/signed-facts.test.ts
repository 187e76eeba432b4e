// What the user sees is what was signed: the high-water mark of recipient sets, pinned camera
// names, and the comparison of HA's index row with a verified manifest (issue 10).

import { describe, expect, it } from "vitest";
import { type ClipRow } from "../api/schemas";
import { Readmitted, RolledBack } from "../crypto/errors";
import { type ClipManifest } from "../crypto/manifest";
import { MemoryRecords } from "../../testing/memory-records";
import { TrustStore, advance } from "../keystore/trust-store";
import { clipFacts, compareWithIndex } from "./clip-facts";
import { describeError } from "./describe-error";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const DEVICE = "d".repeat(32);
const H1 = "1".repeat(64);
const H2 = "2".repeat(64);

function manifest(): ClipManifest {
  const blob = { mime: "video/mp4", codecs: "avc1.42e01e", chunkSize: 65536, chunkCount: 1, plaintextSize: 1, ciphertextSize: 1, ciphertextSha256: new Uint8Array(32) };
  return {
    clipId: "c".repeat(32),
    accountId: ACCOUNT,
    deviceId: DEVICE,
    cameraId: "front-door",
    startMs: 1_764_450_000_000,
    endMs: 1_764_450_030_000,
    recipientEpoch: 1,
    visibleEvents: ["motion"],
    video: blob,
    thumbnail: null,
    events: null,
    wrappedKeys: [],
  };
}

function rowOf(m: ClipManifest): ClipRow {
  return {
    clip_id: m.clipId,
    device_id: m.deviceId,
    camera_id: m.cameraId,
    start_ms: m.startMs,
    end_ms: m.endMs,
    size_bytes: 1,
    events: [...m.visibleEvents],
    kinds: ["video"],
  };
}

describe("the highest recipient set this browser verified", () => {
  it("rises, stays on the same set, refuses older and same-epoch-different sets", () => {
    const first = advance(null, { epoch: 2, payloadSha256: H1 });
    expect(advance(first, { epoch: 2, payloadSha256: H1 })).toBe(first);
    expect(advance(first, { epoch: 3, payloadSha256: H2 })).toEqual({ epoch: 3, payloadSha256: H2 });
    expect(() => advance(first, { epoch: 1, payloadSha256: H1 })).toThrow(RolledBack);
    expect(() => advance(first, { epoch: 2, payloadSha256: H2 })).toThrow(RolledBack);
    expect(describeError(new RolledBack("x")).key).toBe("errors.rolled_back");
  });

  it("v2 succession: a fork of the chain is RolledBack, a dropped revoked id Readmitted, v1 after v2 RolledBack", () => {
    const h = advance(null, { epoch: 4, payloadSha256: H1, version: 2, revoked: ["a".repeat(32)], prevSha256: H2 });
    expect(() => advance(h, { epoch: 5, payloadSha256: H2, version: 2, revoked: ["a".repeat(32)], prevSha256: "3".repeat(64) })).toThrow(RolledBack);
    expect(() => advance(h, { epoch: 5, payloadSha256: H2, version: 2, revoked: [], prevSha256: H1 })).toThrow(Readmitted);
    expect(() => advance(h, { epoch: 6, payloadSha256: H2, version: 1 })).toThrow(RolledBack);
    expect(advance(h, { epoch: 5, payloadSha256: H2, version: 2, revoked: ["a".repeat(32), "b".repeat(32)], prevSha256: H1 }).epoch).toBe(5);
  });

  it("persists across store instances (a page reload) and per account", async () => {
    const records = new MemoryRecords();
    await new TrustStore(records).acceptSet(ACCOUNT, { epoch: 5, payloadSha256: H1 });
    const reloaded = new TrustStore(records);
    await expect(reloaded.acceptSet(ACCOUNT, { epoch: 4, payloadSha256: H2 })).rejects.toThrow(RolledBack);
    await expect(reloaded.acceptSet(ACCOUNT, { epoch: 5, payloadSha256: H2 })).rejects.toThrow(RolledBack);
    expect((await reloaded.load(ACCOUNT)).highest).toEqual({ epoch: 5, payloadSha256: H1 });
    expect((await reloaded.load("f".repeat(32))).highest).toBeNull();
  });

  it("refuses rather than forgets when its record is damaged", async () => {
    const records = new MemoryRecords();
    records.items.set(`trust:${ACCOUNT}`, { accountId: ACCOUNT, highest: { epoch: "9" }, cameras: [] });
    await expect(new TrustStore(records).acceptSet(ACCOUNT, { epoch: 1, payloadSha256: H1 })).rejects.toThrow(RolledBack);
  });

  it("pins camera names from pairing, a later pairing or rename replacing them", async () => {
    const store = new TrustStore(new MemoryRecords());
    await store.pinCameras(ACCOUNT, [
      { deviceId: DEVICE, cameraId: "front-door", name: "Front door", agentName: "Pi" },
      { deviceId: DEVICE, cameraId: "garage", name: "", agentName: "Pi" },
    ]);
    await store.pinCameras(ACCOUNT, [{ deviceId: DEVICE, cameraId: "front-door", name: "Porch", agentName: "Pi" }]);
    const names = await store.cameraNames(ACCOUNT);
    expect(names.get(`${DEVICE}/front-door`)).toBe("Porch");
    expect(names.get(`${DEVICE}/garage`)).toBe("garage");
  });
});

describe("a clip's facts come from the signed manifest", () => {
  it("an honest row agrees; the pinned name is used, else the signed camera id", () => {
    const m = manifest();
    const pinned = new Map([[`${DEVICE}/front-door`, "Front door"]]);
    const facts = clipFacts(m, [], pinned, rowOf(m));
    expect(facts).toMatchObject({ cameraName: "Front door", cameraNamePinned: true, startMs: m.startMs, eventKinds: ["motion"], disagreements: [] });
    expect(clipFacts(m, [], new Map(), null)).toMatchObject({ cameraName: "front-door", cameraNamePinned: false });
  });

  it("a relabelled row (camera, day, duration, events) is reported field by field", () => {
    const m = manifest();
    const forged = { ...rowOf(m), camera_id: "garage", start_ms: m.startMs - 86_400_000, end_ms: m.endMs - 86_400_000 + 60_000, events: ["person"] };
    const facts = clipFacts(m, [], new Map(), forged);
    // What is shown stays the signed value.
    expect(facts).toMatchObject({ cameraId: "front-door", startMs: m.startMs, endMs: m.endMs, eventKinds: ["motion"] });
    expect(facts.disagreements.map((d) => d.field)).toEqual(["camera", "start", "duration", "events"]);
    expect(facts.disagreements[0]).toEqual({ field: "camera", index: `${DEVICE}/garage`, signed: `${DEVICE}/front-door` });
  });

  it("HA not being told the events is no disagreement; decrypted details name the kinds", () => {
    const m = manifest();
    expect(compareWithIndex({ ...rowOf(m), events: [] }, m, ["motion"])).toEqual([]);
    const facts = clipFacts(m, [{ kind: "person", startMs: m.startMs + 1000, endMs: null, source: "onvif" }], new Map(), rowOf(m));
    expect(facts.eventKinds).toEqual(["person"]);
    expect(facts.events).toHaveLength(1);
  });
});

describe("withheld revocations on a clip (section 10.1)", () => {
  const m = manifest();
  const wrapped = (ids: string[]) => ids.map((keyId) => ({ keyId, alg: "ecies-p256", ct: new Uint8Array(0), epk: null }) as unknown as ClipManifest["wrappedKeys"][number]);
  const REVOKED = "b".repeat(32);
  const held = { epoch: 3, issuedAt: Math.floor(m.startMs / 1000) - 3600, revoked: [REVOKED], recipients: [{ keyId: "a".repeat(32), cameras: "*" as const }] };

  it("a clip still wrapped to an old epoch long after the new set is RevocationWithheld", () => {
    const stale = { ...m, recipientEpoch: 2, wrappedKeys: wrapped(["a".repeat(32), REVOKED]) };
    const facts = clipFacts(stale, [], new Map(), null, held);
    expect(facts.withheld?.name).toBe("RevocationWithheld");
    expect(facts.withheld?.detail).toContain(REVOKED);
  });

  it("an old clip from before the new set, and a current one, are in order", () => {
    const early = { ...m, startMs: held.issuedAt * 1000, endMs: held.issuedAt * 1000 + 1, recipientEpoch: 2, wrappedKeys: wrapped([REVOKED]) };
    expect(clipFacts(early, [], new Map(), null, held).withheld).toBeNull();
    const current = { ...m, recipientEpoch: 3, wrappedKeys: wrapped(["a".repeat(32)]) };
    expect(clipFacts(current, [], new Map(), null, held).withheld).toBeNull();
    expect(clipFacts({ ...current, recipientEpoch: 4 }, [], new Map(), null, held).withheld?.name).toBe("RolledBack");
  });
});
