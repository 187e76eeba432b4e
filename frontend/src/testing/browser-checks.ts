// Checks that need a real browser (IndexedDB, MSE, fetch bodies), run by
// scripts/ui-browser-tests.mjs in headless Chromium. Each returns a list of failures.

import { E2eeApi } from "../lib/api/client";
import { equal } from "../lib/crypto/bytes";
import * as certs from "../lib/crypto/certs";
import { b64decode } from "../lib/crypto/encoding";
import { type HeldP256Key, importPkcs8, newInstanceKey } from "../lib/crypto/keys";
import * as primitives from "../lib/crypto/primitives";
import { ClipOpener } from "../lib/flows/clip-opener";
import { Keystore } from "../lib/keystore/keystore";
import { TrustStore } from "../lib/keystore/trust-store";
import { playability } from "../lib/player/codec";
import { MsePlayer } from "../lib/player/mse-player";
import { accountFlow } from "./account-checks";
import { livePlayerCheck } from "./live-checks";
import { CHECK_CHUNK_SIZE, encryptedClip, waitFor } from "./encrypted-clip";
import { playerAcrossClips } from "./sequence-checks";

type Failures = string[];

function check(failures: Failures, ok: boolean, what: string): void {
  if (!ok) failures.push(what);
}

async function expectRejects(failures: Failures, promise: Promise<unknown>, name: string, what: string): Promise<void> {
  try {
    await promise;
    failures.push(`${what}: did not fail`);
  } catch (err) {
    if (!(err instanceof Error) || err.name !== name) failures.push(`${what}: failed with ${String(err)}, not ${name}`);
  }
}

const PEER = primitives.p256Generate(true);

async function agreement(privateKey: CryptoKey): Promise<string> {
  const bits = await primitives.ecdhP256(privateKey, (await PEER).publicKey);
  return Array.from(bits).join(",");
}

/** Phase 1: store a fresh non-extractable instance key; return its id for phase 2. */
export async function keystoreSave(): Promise<{ failures: Failures; keyId: string }> {
  const failures: Failures = [];
  const store = new Keystore();
  await store.clear();
  check(failures, (await store.load()) === null, "empty keystore loads null");
  const key = await newInstanceKey();
  check(failures, !key.privateKey.extractable, "instance key is non-extractable");
  await store.save({ accountId: "a".repeat(32), rootCertDer: new Uint8Array([1, 2, 3]), instance: key, name: "test", enrolledAt: 1 });
  const loaded = await store.load();
  check(failures, loaded?.instance.keyId === key.keyId, "saved key loads back");
  check(failures, loaded !== null && equal(loaded.rootCertDer, new Uint8Array([1, 2, 3])), "pinned root loads back");
  const extractable = await primitives.p256Generate(true);
  await expectRejects(
    failures,
    store.save({
      accountId: "b".repeat(32),
      rootCertDer: new Uint8Array(1),
      instance: { keyId: "x", privateKey: extractable.privateKey, publicKey: extractable.publicKey, publicPoint: new Uint8Array(65) },
      name: "",
      enrolledAt: 0,
    }),
    "Error",
    "an extractable key is refused",
  );
  check(failures, (await store.load())?.instance.keyId === key.keyId, "refused save left the old record");
  // The highest recipient set verified is kept beside the enrolment (issue 10).
  await new TrustStore(store).acceptSet("a".repeat(32), { epoch: 5, payloadSha256: "5".repeat(64) });
  store.close();
  return { failures, keyId: key.keyId };
}

/** Phase 2, after a reload: the key is still there, usable, and still not extractable. */
export async function keystoreLoad(keyId: string): Promise<Failures> {
  const failures: Failures = [];
  const store = new Keystore();
  const loaded = await store.load();
  check(failures, loaded?.instance.keyId === keyId, "key survives a reload");
  const trust = new TrustStore(store);
  check(failures, (await trust.load("a".repeat(32))).highest?.epoch === 5, "highest set survives a restart");
  await expectRejects(failures, trust.acceptSet("a".repeat(32), { epoch: 4, payloadSha256: "4".repeat(64) }), "RolledBack", "an older set after a restart");
  if (loaded !== null) {
    check(failures, !loaded.instance.privateKey.extractable, "reloaded key is non-extractable");
    try {
      await agreement(loaded.instance.privateKey);
    } catch (err) {
      failures.push(`reloaded key cannot do ECDH: ${String(err)}`);
    }
    await expectRejects(failures, crypto.subtle.exportKey("pkcs8", loaded.instance.privateKey), "InvalidAccessError", "exporting the key");
  }
  await store.clear();
  check(failures, (await store.load()) === null, "clear forgets the enrolment");
  store.close();
  return failures;
}

interface ClipCase {
  name: string;
  expect: string;
  input: { root_cert: string; device_cert: string; manifest: Record<string, string>; video: string; thumbnail: string; events: string; private_keys: string[] };
  output?: { clip_id: string; video: string; thumbnail: string; events: string };
}

/** A fake HA serving one clip's manifest and objects (with Range), counting requests. */
function fakeHass(clipId: string, c: ClipCase, requests: string[]) {
  const objects: Record<string, Uint8Array> = {
    video: b64decode(c.input.video),
    thumbnail: b64decode(c.input.thumbnail),
    events: b64decode(c.input.events),
  };
  const row = { clip_id: clipId, device_id: "0".repeat(32), camera_id: "front-door", start_ms: 0, end_ms: 1, size_bytes: 1, events: [], kinds: ["video", "thumbnail", "events"] };
  return {
    callWS: async <T>(message: Record<string, unknown>): Promise<T> => {
      if (message["type"] === "e2ee_nvr/clips/manifest") {
        return { clip: row, manifest: JSON.stringify(c.input.manifest), device_cert: c.input.device_cert } as T;
      }
      throw { code: "unknown_command", message: String(message["type"]) };
    },
    fetchWithAuth: async (path: string, init?: RequestInit): Promise<Response> => {
      const kind = path.split("/").pop() ?? "";
      const body = objects[kind];
      const range = new Headers(init?.headers).get("Range");
      requests.push(`${kind} ${range ?? "all"}`);
      if (body === undefined) return new Response(null, { status: 404 });
      if (range === null) return new Response(body.slice(), { status: 200 });
      const [, start, end] = /bytes=(\d+)-(\d+)/.exec(range) ?? [];
      return new Response(body.slice(Number(start), Number(end) + 1), { status: 206 });
    },
  };
}

/** The shared clip vectors through the panel's ClipOpener: verify, unwrap, range reads, download. */
export async function clipOpener(cases: ClipCase[]): Promise<Failures> {
  const failures: Failures = [];
  for (const c of cases.filter((k) => ["open-with-instance-key", "video-chunk-2-flipped", "manifest-signature-flipped", "device-cert-of-another-root", "held-key-not-a-recipient"].includes(k.name))) {
    const requests: string[] = [];
    const payload = JSON.parse(new TextDecoder().decode(b64decode(c.input.manifest["payload"]))) as { clip_id: string };
    const clipId = payload.clip_id;
    const held = await importPkcs8(b64decode(c.input.private_keys[0]));
    if (held.kind !== "p256") continue;
    const rootDer = b64decode(c.input.root_cert);
    const accountId = (await certs.verifyRoot(await certs.loadCert(rootDer))).keyId;
    const opener = new ClipOpener(new E2eeApi(fakeHass(clipId, c, requests)), { accountId, rootCertDer: rootDer, instance: held as HeldP256Key }, async () => null);
    const where = `clip vector ${c.name}`;
    if (c.name === "manifest-signature-flipped") {
      await expectRejects(failures, opener.open(clipId), "BadSignature", where);
      continue;
    }
    if (c.name === "device-cert-of-another-root") {
      await expectRejects(failures, opener.open(clipId), "UntrustedKey", where);
      continue;
    }
    if (c.name === "held-key-not-a-recipient") {
      // The data-key path needs the account operations, absent from this test: refused, not opened.
      await expectRejects(failures, opener.open(clipId), "OperationUnavailable", where);
      continue;
    }
    const opened = await opener.open(clipId);
    const reader = opener.reader(clipId, opened);
    const count = reader.geometry.chunkCount;
    if (c.name === "video-chunk-2-flipped") {
      const first = await reader.read(0, 1);
      check(failures, first.length === 2, `${where}: chunks before the damage still read`);
      await expectRejects(failures, reader.read(2, 2), "ChunkAuthFailed", `${where}: range read of chunk 2`);
      await expectRejects(failures, opener.download(clipId), "ChunkAuthFailed", `${where}: download`);
      continue;
    }
    const video = b64decode(c.output?.video ?? "");
    const all = new Uint8Array((await reader.read(0, count - 1)).flatMap((p) => Array.from(p)));
    check(failures, equal(all, video), `${where}: range-read chunks equal the plaintext`);
    requests.length = 0;
    const middle = await reader.read(2, 3);
    const size = opened.manifest.video.chunkSize;
    check(failures, equal(middle[0] ?? new Uint8Array(), video.subarray(2 * size, 3 * size)), `${where}: chunk 2 alone`);
    check(failures, requests.length === 1 && requests[0] === `video bytes=${32 + 2 * (size + 16)}-${32 + 4 * (size + 16) - 1}`, `${where}: one Range request for chunks 2-3, got ${requests.join(" | ")}`);
    const blob = await opener.download(clipId);
    check(failures, equal(new Uint8Array(await blob.arrayBuffer()), video), `${where}: download equals the plaintext`);
    const thumbUrl = await opener.thumbnailUrl(clipId);
    const thumb = new Uint8Array(await (await fetch(thumbUrl)).arrayBuffer());
    check(failures, equal(thumb, b64decode(c.output?.thumbnail ?? "")), `${where}: thumbnail`);
    const events = await opener.events(clipId);
    check(failures, events.length > 0, `${where}: events decode`);
    check(failures, opener.playability(opened).playable, `${where}: avc1 is playable here`);
  }
  return failures;
}

/** A real fMP4 (made by ffmpeg), encrypted here, played through MSE from range reads, then a seek. */
export async function player(mp4: Uint8Array, durationSeconds: number): Promise<{ failures: Failures; log: string[] }> {
  const failures: Failures = [];
  const log: string[] = [];
  const { reader, requested } = await encryptedClip(mp4);
  const geometry = reader.geometry;
  const chunkSize = CHECK_CHUNK_SIZE;
  const verdict = playability("video/mp4", "avc1.42c01e");
  check(failures, verdict.playable, "H.264 baseline is playable via MSE");
  const hevc = playability("video/mp4", "hvc1.1.6.L93.B0");
  log.push(`HEVC in this Chromium: ${hevc.playable ? "playable" : `not playable (${hevc.reason})`}`);
  const video = document.createElement("video");
  video.muted = true;
  document.body.append(video);
  let error: unknown = null;
  const mse = new MsePlayer(
    video,
    { clipId: "clip", reader, mime: verdict.mime, durationSeconds },
    { onError: (err) => (error = err), bufferAheadSeconds: 2 },
  );
  await mse.start();
  log.push(`chunks: ${geometry.chunkCount}; after start, requests: ${requested.length}`);
  await Promise.race([video.play().catch((err: unknown) => failures.push(`play(): ${String(err)}`)), waitFor(() => false, 10_000)]);
  if (error !== null) failures.push(`player error during start: ${String(error)}`);
  await waitFor(() => video.currentTime > 0.5, 10_000);
  const frames = video.getVideoPlaybackQuality().totalVideoFrames;
  check(failures, frames > 0, `decoded frames after start (${frames})`);
  check(failures, video.currentTime > 0.5, `playback advanced (${video.currentTime})`);
  // Seek near the end: only chunks from the fragment holding the target should be fetched.
  video.pause();
  const before = requested.length;
  const target = durationSeconds - 2;
  video.currentTime = target;
  const seeked = await waitFor(() => !video.seeking && video.readyState >= 2, 10_000);
  check(failures, seeked, `seek to ${target} s completed (currentTime ${video.currentTime}, readyState ${video.readyState})`);
  const seekRequests = requested.slice(before);
  const fetchedChunks = seekRequests.reduce((n, [s, e]) => n + Math.ceil((e - s) / (chunkSize + 16)), 0);
  log.push(`seek to ${target} s fetched ${fetchedChunks} chunk(s) in ${seekRequests.length} request(s), first at byte ${seekRequests[0]?.[0] ?? -1}`);
  check(failures, Math.abs(video.currentTime - target) < 1.5, `currentTime after seek ${video.currentTime}`);
  const skipped = geometry.chunkCount - new Set(requested.flatMap(([s, e]) => {
    const first = Math.floor((s - 32) / (chunkSize + 16));
    return Array.from({ length: Math.ceil((e - s) / (chunkSize + 16)) }, (_, i) => first + i);
  })).size;
  log.push(`chunks never fetched: ${skipped} of ${geometry.chunkCount}`);
  check(failures, skipped > 0, "the seek skipped the chunks between playhead and target");
  const framesBefore = video.getVideoPlaybackQuality().totalVideoFrames;
  await Promise.race([video.play().catch(() => undefined), waitFor(() => false, 5000)]);
  await waitFor(() => video.currentTime > target + 0.5, 5000);
  check(failures, video.getVideoPlaybackQuality().totalVideoFrames > framesBefore, "frames decode after the seek");
  if (error !== null) failures.push(`player error: ${String(error)}`);
  mse.stop();
  video.remove();
  return { failures, log };
}


declare global {
  interface Window {
    uiChecks: {
      keystoreSave: typeof keystoreSave;
      keystoreLoad: typeof keystoreLoad;
      clipOpener: typeof clipOpener;
      player: (mp4: number[], duration: number) => ReturnType<typeof player>;
      accountFlow: typeof accountFlow;
      livePlayer: (mp4: number[]) => ReturnType<typeof livePlayerCheck>;
      playerAcross: (mp4: number[], duration: number) => ReturnType<typeof playerAcrossClips>;
    };
  }
}

window.uiChecks = {
  keystoreSave,
  keystoreLoad,
  clipOpener,
  player: (mp4, duration) => player(new Uint8Array(mp4), duration),
  accountFlow,
  livePlayer: (mp4) => livePlayerCheck(new Uint8Array(mp4)),
  playerAcross: (mp4, duration) => playerAcrossClips(new Uint8Array(mp4), duration),
};
