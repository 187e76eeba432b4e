// Section 18 at the endpoint, as attacks by the store that relays everything: a forged or
// re-targeted offer, and replayed, reordered or spliced records. Each must fail under its name.

import { beforeAll, describe, expect, it } from "vitest";
import { ascii, concat, utf8 } from "../src/lib/crypto/bytes";
import { newInstanceKey } from "../src/lib/crypto/keys";
import {
  LiveRecordReader,
  type OfferExpectation,
  RECORD_END,
  RECORD_INIT,
  RECORD_MEDIA,
  confirmFor,
  liveRequestFromJson,
  liveRequestToJson,
  newLiveRequest,
  verifyLiveOffer,
} from "../src/lib/crypto/live";
import { b64decode } from "../src/lib/crypto/encoding";
import * as primitives from "../src/lib/crypto/primitives";
import { type LiveWorld, RecordSealer, makeOffer, newDevice, newRoot, newWorld, signOffer, signedOffer } from "./live-device";
import { liveOfferToJson } from "../src/lib/crypto/live";

const HELD_SHA = new Uint8Array(32).fill(7);
let world: LiveWorld;

beforeAll(async () => {
  world = await newWorld();
}, 60_000);

function expectation(nonce: Uint8Array, change: Partial<OfferExpectation> = {}): OfferExpectation {
  return {
    accountId: world.accountId,
    deviceId: world.device.keyId,
    cameraId: "front-door",
    requestNonce: nonce,
    instance: world.instance,
    heldEpoch: 3,
    heldSha256: HELD_SHA,
    ...change,
  };
}

async function refusal(attempt: () => Promise<unknown>): Promise<string> {
  try {
    await attempt();
    return "ok";
  } catch (err) {
    return err instanceof Error ? err.name : String(err);
  }
}

describe("live request", () => {
  it("round-trips and carries a fresh 16-byte nonce", () => {
    const cameraRef = `${"d".repeat(32)}/front-door`;
    const a = newLiveRequest("a".repeat(32), cameraRef, "b".repeat(32));
    const b = newLiveRequest("a".repeat(32), cameraRef, "b".repeat(32));
    expect(a.nonce.length).toBe(16);
    expect(a.nonce).not.toEqual(b.nonce);
    expect(liveRequestFromJson(liveRequestToJson(a))).toEqual(a);
    expect(() => newLiveRequest("a".repeat(32), "front-door", "b".repeat(32))).toThrow(/camera_ref/);
  });
});

describe("live offer verification", () => {
  it("accepts the device's offer and proves possession with HMAC(k_confirm)", async () => {
    const nonce = primitives.randomBytes(16);
    const { offer, liveKey } = await makeOffer(world, nonce);
    const verified = await verifyLiveOffer(await signedOffer(world, offer), world.device.cert, world.root, expectation(nonce));
    expect(verified.sessionId).toEqual(offer.sessionId);
    expect(verified.withheld).toBe(false);
    const confirm = await confirmFor(verified, world.instance.keyId, nonce);
    const kConfirm = await primitives.hkdfSha256(liveKey, offer.sessionId, ascii("e2ee-nvr/v2/live/confirm"), 32);
    const message = concat(ascii("e2ee-nvr/v2/live-confirm\x00"), offer.sessionId, nonce, ascii(world.instance.keyId));
    expect(b64decode(confirm["proof"])).toEqual(await primitives.hmacSha256(kConfirm, message));
    expect(confirm["type"]).toBe("live-confirm");
  });

  it("refuses an offer HA signed with a key of its own (UntrustedKey, BadSignature)", async () => {
    const nonce = primitives.randomBytes(16);
    const { offer } = await makeOffer(world, nonce);
    // HA's own root and device certificate: they do not chain to the pinned root.
    const other = await newRoot();
    const haDevice = await newDevice(other.root, other.rootKey);
    const forged = await signOffer({ ...liveOfferToJson(offer), device_id: haDevice.keyId }, haDevice);
    expect(await refusal(() => verifyLiveOffer(forged, haDevice.cert, world.root, expectation(nonce)))).toBe("UntrustedKey");
    // HA's key presented with the genuine device certificate: the signature does not verify.
    const underGenuine = await signOffer(liveOfferToJson(offer), { ...haDevice, keyId: world.device.keyId });
    expect(await refusal(() => verifyLiveOffer(underGenuine, world.device.cert, world.root, expectation(nonce)))).toBe("BadSignature");
    // Another genuine device of the account cannot answer for this camera's device.
    const sibling = await newDevice(world.root, world.rootKey);
    const bySibling = await signOffer(liveOfferToJson({ ...offer, deviceId: sibling.keyId }), sibling);
    expect(await refusal(() => verifyLiveOffer(bySibling, sibling.cert, world.root, expectation(nonce)))).toBe("UntrustedKey");
  });

  it("refuses an offer for another request, camera or key, and a set HA rolled back", async () => {
    const nonce = primitives.randomBytes(16);
    const genuine = async (parts: Parameters<typeof makeOffer>[2]) => signedOffer(world, (await makeOffer(world, nonce, parts)).offer);
    const cases: Array<[string, () => Promise<unknown>]> = [
      // An offer another viewer asked for, replayed to this one.
      ["HeaderMismatch", async () => verifyLiveOffer(await genuine({}), world.device.cert, world.root, expectation(primitives.randomBytes(16)))],
      ["HeaderMismatch", async () => verifyLiveOffer(await genuine({ cameraId: "back-yard" }), world.device.cert, world.root, expectation(nonce))],
      // L wrapped to a key HA named: this browser cannot open it, and says so.
      ["UnwrapFailed", async () => verifyLiveOffer(await genuine({ wrapTo: (await newInstanceKey()).publicKey }), world.device.cert, world.root, expectation(nonce))],
      ["RolledBack", async () => verifyLiveOffer(await genuine({ recipientSha256: new Uint8Array(32).fill(9) }), world.device.cert, world.root, expectation(nonce))],
      ["BadSignature", async () => verifyLiveOffer(await genuine({}), world.device.cert, world.root, expectation(nonce, { accountId: "e".repeat(32) }))],
    ];
    for (const [name, attempt] of cases) expect(await refusal(attempt)).toBe(name);
  });

  it("accepts an older device set but flags the withheld revocation; a newer one is fine", async () => {
    const nonce = primitives.randomBytes(16);
    const older = await signedOffer(world, (await makeOffer(world, nonce, { recipientEpoch: 2 })).offer);
    expect((await verifyLiveOffer(older, world.device.cert, world.root, expectation(nonce))).withheld).toBe(true);
    const newer = await signedOffer(world, (await makeOffer(world, nonce, { recipientEpoch: 4 })).offer);
    expect((await verifyLiveOffer(newer, world.device.cert, world.root, expectation(nonce))).withheld).toBe(false);
  });
});

describe("live records", () => {
  let sealer: RecordSealer;
  let reader: LiveRecordReader;
  const init = utf8("ftyp+moov");
  const fragment = (n: number) => utf8(`moof+mdat ${n}`);

  async function freshReader(): Promise<void> {
    const liveKey = primitives.randomBytes(16);
    const sessionId = primitives.randomBytes(16);
    sealer = await RecordSealer.create(sessionId, liveKey);
    const mediaKey = await primitives.hkdfAesGcmKey(await primitives.hkdfKey(liveKey), sessionId, ascii("e2ee-nvr/v2/live/media"), 16, ["decrypt"]);
    reader = new LiveRecordReader(sessionId, mediaKey);
  }

  it("opens records split anywhere, counts a forward gap, ends cleanly", async () => {
    await freshReader();
    const wire = concat(
      await sealer.seal(RECORD_INIT, 5, init),
      await sealer.seal(RECORD_MEDIA, 6, fragment(6)),
      await sealer.seal(RECORD_MEDIA, 9, fragment(9)),
      await sealer.seal(RECORD_END, 10, utf8('{"reason":"idle"}')),
    );
    const opened = [];
    for (let i = 0; i < wire.length; i += 7) opened.push(...(await reader.feed(wire.subarray(i, i + 7))));
    reader.close();
    expect(opened.map((r) => r.type)).toEqual([RECORD_INIT, RECORD_MEDIA, RECORD_MEDIA, RECORD_END]);
    expect(opened[2]?.plaintext).toEqual(fragment(9));
    expect(reader.gaps).toBe(2);
    expect(reader.ended).toBe("idle");
  });

  it("refuses replayed, reordered and spliced records, and stays refused", async () => {
    await freshReader();
    const first = await sealer.seal(RECORD_INIT, 0, init);
    const second = await sealer.seal(RECORD_MEDIA, 1, fragment(1));
    await reader.feed(concat(first, second));
    expect(await refusal(() => reader.feed(second))).toBe("Replayed");
    expect(await refusal(async () => reader.feed(await sealer.seal(RECORD_MEDIA, 2, fragment(2))))).toBe("Replayed");

    await freshReader();
    const late = await sealer.seal(RECORD_MEDIA, 2, fragment(2));
    const early = await sealer.seal(RECORD_MEDIA, 1, fragment(1));
    await reader.feed(concat(await sealer.seal(RECORD_INIT, 0, init), late));
    expect(await refusal(() => reader.feed(early))).toBe("Replayed");

    // A record of another session, as is, and with its header rewritten to this session.
    await freshReader();
    const otherSealer = await RecordSealer.create(primitives.randomBytes(16), primitives.randomBytes(16));
    const foreign = await otherSealer.seal(RECORD_INIT, 0, init);
    expect(await refusal(() => reader.feed(foreign))).toBe("HeaderMismatch");
    await freshReader();
    const rewritten = concat(foreign.subarray(0, 8), sealer.sessionId, foreign.subarray(24));
    expect(await refusal(() => reader.feed(rewritten))).toBe("ChunkAuthFailed");
    // A seq rewritten by the store fails the tag too (the header is the associated data).
    await freshReader();
    const moved = await sealer.seal(RECORD_INIT, 3, init);
    moved[31] = 4;
    expect(await refusal(() => reader.feed(moved))).toBe("ChunkAuthFailed");
    expect(await refusal(async () => reader.feed(await sealer.seal(RECORD_INIT, 9, init)))).toBe("ChunkAuthFailed");
  });

  it("refuses media before init, bad reserved bytes, truncation and data after the end", async () => {
    await freshReader();
    expect(await refusal(async () => reader.feed(await sealer.seal(RECORD_MEDIA, 0, fragment(0))))).toBe("MalformedObject");
    await freshReader();
    expect(await refusal(async () => reader.feed(await sealer.seal(RECORD_INIT, 0, init, 1)))).toBe("MalformedObject");
    await freshReader();
    const whole = await sealer.seal(RECORD_INIT, 0, init);
    await reader.feed(whole.subarray(0, whole.length - 1));
    expect(await refusal(async () => reader.close())).toBe("Truncated");
    await freshReader();
    await reader.feed(concat(await sealer.seal(RECORD_INIT, 0, init), await sealer.seal(RECORD_END, 1, utf8('{"reason":"stopped"}'))));
    expect(await refusal(async () => reader.feed(await sealer.seal(RECORD_MEDIA, 2, fragment(2))))).toBe("TrailingData");
    await freshReader();
    expect(await refusal(async () => reader.feed(await sealer.seal(RECORD_END, 0, utf8('{"reason":"bored"}'))))).toBe("MalformedObject");
  });
});
