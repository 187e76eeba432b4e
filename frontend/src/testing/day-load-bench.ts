// Browser entry of scripts/day-load-bench.mjs: a day of N clips through the timeline's batch
// path against the raw WebCrypto work the protocol cannot avoid for N clips.
//
// The batch path is verifyRows + ClipOpener.factsOfMany, as the day timeline runs it, over N
// clips a stand-in device sealed in the page (testing/clip-device.ts), with HA answering
// `clips/manifests` from memory: the figure is the browser's cost, not the network's. Per clip
// it parses and checks the device certificate against the pinned root, verifies the manifest,
// unwraps the clip key and decrypts the event details.
// The baseline is the bare minimum per clip, crypto.subtle called directly on ready inputs:
// one RSA-PSS verify (the device signs manifests with RSA-PSS 2048, not ECDSA), one ECIES
// unwrap (import the ephemeral P-256 point, ECDH, HKDF, AES-GCM of the 16-byte key) and one
// AES-GCM decrypt of a 256-byte events chunk under an HKDF-derived key.
// Fastest of interleaved rounds, as decrypt-bench.ts does.

import { E2eeApi } from "../lib/api/client";
import { type ClipManifestsResult } from "../lib/api/schemas";
import { b64encode } from "../lib/crypto/encoding";
import { ClipOpener } from "../lib/flows/clip-opener";
import { verifyRows } from "../lib/flows/day-clips";
import { newClipDevice } from "./clip-device";
import { ROUNDS, fastestOf } from "./rounds";

export interface DayLoadResult {
  clips: number;
  /** Milliseconds for the whole day through the batch path, and for the raw baseline. */
  batchMs: number;
  rawMs: number;
  drawn: number;
  /** `clips/manifests` calls the day took (the single path took two round trips per clip). */
  calls: number;
}

const START = 1_764_450_000_000;
const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

interface RawClip {
  message: Uint8Array<ArrayBuffer>;
  signature: ArrayBuffer;
  epk: Uint8Array<ArrayBuffer>;
  wrapped: ArrayBuffer;
  events: ArrayBuffer;
}

const PSS = { name: "RSA-PSS", saltLength: 32 } as const;
const HKDF = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: new Uint8Array(8) } as const;
const IV = new Uint8Array(12);

/** Inputs for the baseline: each clip's own signature, ephemeral point and ciphertexts. */
async function rawInputs(count: number, signer: CryptoKeyPair, instance: CryptoKeyPair): Promise<RawClip[]> {
  const clips: RawClip[] = [];
  for (let i = 0; i < count; i++) {
    const message = crypto.getRandomValues(new Uint8Array(1200));
    const ephemeral = await subtle().generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const shared = await subtle().deriveBits({ name: "ECDH", public: instance.publicKey }, ephemeral.privateKey, 256);
    const kek = await subtle().deriveKey(HKDF, await subtle().importKey("raw", shared, "HKDF", false, ["deriveKey"]), { name: "AES-GCM", length: 256 }, false, ["encrypt"]);
    const clipKey = crypto.getRandomValues(new Uint8Array(16));
    const content = await subtle().deriveKey(HKDF, await subtle().importKey("raw", clipKey, "HKDF", false, ["deriveKey"]), { name: "AES-GCM", length: 128 }, false, ["encrypt"]);
    clips.push({
      message,
      signature: await subtle().sign(PSS, signer.privateKey, message),
      epk: new Uint8Array(await subtle().exportKey("raw", ephemeral.publicKey)),
      wrapped: await subtle().encrypt({ name: "AES-GCM", iv: IV }, kek, clipKey),
      events: await subtle().encrypt({ name: "AES-GCM", iv: IV }, content, new Uint8Array(256)),
    });
  }
  return clips;
}

async function rawDay(clips: readonly RawClip[], signer: CryptoKeyPair, instance: CryptoKeyPair): Promise<void> {
  for (const clip of clips) {
    if (!(await subtle().verify(PSS, signer.publicKey, clip.signature, clip.message))) throw new Error("baseline signature");
    const epk = await subtle().importKey("raw", clip.epk, { name: "ECDH", namedCurve: "P-256" }, false, []);
    const shared = await subtle().deriveBits({ name: "ECDH", public: epk }, instance.privateKey, 256);
    const kek = await subtle().deriveKey(HKDF, await subtle().importKey("raw", shared, "HKDF", false, ["deriveKey"]), { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
    const clipKey = await subtle().decrypt({ name: "AES-GCM", iv: IV }, kek, clip.wrapped);
    const content = await subtle().deriveKey(HKDF, await subtle().importKey("raw", clipKey, "HKDF", false, ["deriveKey"]), { name: "AES-GCM", length: 128 }, false, ["decrypt"]);
    await subtle().decrypt({ name: "AES-GCM", iv: IV }, content, clip.events);
  }
}

export async function runDayLoadBench(count: number): Promise<DayLoadResult> {
  const device = await newClipDevice();
  const sealed = [];
  for (let i = 0; i < count; i++) {
    sealed.push(await device.seal(START + i * 60_000, [{ kind: "motion", startMs: START + i * 60_000, endMs: null, source: "onvif" }]));
  }
  const byId = new Map(sealed.map((clip) => [clip.clipId, { ...clip.reply, events: b64encode(clip.events) }]));
  let calls = 0;
  const api = new E2eeApi({
    callWS: async <T>(message: Record<string, unknown>): Promise<T> => {
      calls++;
      const asked = message["clip_ids"] as string[];
      const reply: ClipManifestsResult = { clips: asked.flatMap((id) => byId.get(id) ?? []), unknown: [] };
      return reply as T;
    },
  });
  const rows = sealed.map((clip) => clip.reply.clip);
  const signer = await subtle().generateKey({ name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, false, ["sign", "verify"]);
  const instance = await subtle().generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  const raw = await rawInputs(count, signer, instance);
  let drawn = 0;
  const [batchMs = Infinity, rawMs = Infinity] = await fastestOf([
    async () => {
      // A fresh opener each round: nothing cached from the round before.
      const opener = new ClipOpener(api, device.endpoint, async () => ({}));
      drawn = (await verifyRows(rows, (batch) => opener.factsOfMany(batch))).facts.length;
    },
    () => rawDay(raw, signer, instance),
  ]);
  return { clips: count, batchMs, rawMs, drawn, calls: calls / ROUNDS };
}

(window as unknown as { runDayLoadBench: typeof runDayLoadBench }).runDayLoadBench = runDayLoadBench;
