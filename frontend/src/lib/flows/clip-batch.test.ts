// Opening a day's clips in batches (ClipOpener.factsOfMany over `clips/manifests`) against a
// store that tampers with the batch: real signatures, wraps and AES-GCM from a stand-in device
// (testing/clip-device.ts). Each tampered clip must be refused on its own, the others drawn,
// and nothing refused may be fetched again one by one.

import { beforeAll, describe, expect, it } from "vitest";
import { E2eeApi } from "../api/client";
import { type ClipManifestsResult } from "../api/schemas";
import { b64encode } from "../crypto/encoding";
import { type ClipDevice, type SealedClip, newClipDevice } from "../../testing/clip-device";
import { ClipOpener } from "./clip-opener";
import { verifyRows } from "./day-clips";

const START = 1_764_450_000_000;
type Entry = ClipManifestsResult["clips"][number];

let device: ClipDevice;
let clips: SealedClip[];

beforeAll(async () => {
  device = await newClipDevice();
  clips = await Promise.all(
    [0, 1, 2].map((i) => device.seal(START + i * 60_000, [{ kind: "person", startMs: START + i * 60_000 + 500, endMs: null, source: "onvif" }])),
  );
}, 60_000);

function honest(clip: SealedClip): Entry {
  return { ...clip.reply, events: b64encode(clip.events) };
}

/** HA answering `clips/manifests` with `entries`, recording every command and download. */
function storeAnswering(entries: (asked: readonly string[]) => ClipManifestsResult) {
  const calls: string[] = [];
  const api = new E2eeApi({
    callWS: async <T>(message: Record<string, unknown>): Promise<T> => {
      calls.push(String(message["type"]));
      if (message["type"] === "e2ee_nvr/clips/manifests") return entries(message["clip_ids"] as string[]) as T;
      throw { code: "not_found", message: "no such clip" };
    },
    fetchWithAuth: async (path: string) => {
      calls.push(`GET ${path}`);
      return new Response(null, { status: 404 });
    },
  });
  const opener = new ClipOpener(api, device.endpoint, async () => ({}));
  return { opener, calls };
}

/** The day's rows through the batch path: which clip ids were drawn, and how many refused. */
async function day(opener: ClipOpener): Promise<{ drawn: string[]; refused: number }> {
  const found = await verifyRows(
    clips.map((c) => c.reply.clip),
    (rows) => opener.factsOfMany(rows),
  );
  return { drawn: found.facts.map((f) => f.clipId).sort(), refused: found.refused };
}

const ids = () => clips.map((c) => c.clipId);

describe("a day's clips through clips/manifests", () => {
  it("verifies and decrypts every clip from one call, and playback needs no other fetch", async () => {
    const { opener, calls } = storeAnswering(() => ({ clips: clips.map(honest), unknown: [] }));
    const [first] = await opener.factsOfMany(clips.map((c) => c.reply.clip));
    expect(first?.status === "fulfilled" && first.value.eventKinds).toEqual(["person"]);
    expect(await day(opener)).toEqual({ drawn: [...ids()].sort(), refused: 0 });
    const clipId = clips[1]?.clipId ?? "";
    expect((await opener.open(clipId)).manifest.clipId).toBe(clipId);
    expect((await opener.events(clipId)).map((e) => e.startMs)).toEqual([START + 60_000 + 500]);
    expect(calls).toEqual(["e2ee_nvr/clips/manifests", "e2ee_nvr/clips/manifests"]);
  });

  it("refuses two clips whose manifests HA swapped, and draws the third", async () => {
    const [a, b, c] = clips.map(honest) as [Entry, Entry, Entry];
    const { opener, calls } = storeAnswering(() => ({
      clips: [
        { ...a, manifest: b.manifest, device_cert: b.device_cert },
        { ...b, manifest: a.manifest, device_cert: a.device_cert },
        c,
      ],
      unknown: [],
    }));
    const outcomes = await opener.factsOfMany(clips.map((x) => x.reply.clip));
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "fulfilled"]);
    const reason = outcomes[0]?.status === "rejected" ? (outcomes[0].reason as Error) : null;
    expect(reason?.message).toContain("another clip's manifest");
    expect(await day(opener)).toEqual({ drawn: [c.clip.clip_id], refused: 2 });
    // Refused in the batch, not asked again one by one.
    expect(calls.every((call) => call === "e2ee_nvr/clips/manifests")).toBe(true);
  });

  it("refuses two clips whose event details HA swapped, and a clip with truncated details", async () => {
    const [a, b, c] = clips.map(honest) as [Entry, Entry, Entry];
    const truncated = b64encode((clips[2]?.events ?? new Uint8Array()).subarray(0, 100));
    const swapped = storeAnswering(() => ({ clips: [{ ...a, events: b.events }, { ...b, events: a.events }, c], unknown: [] }));
    expect(await day(swapped.opener)).toEqual({ drawn: [c.clip.clip_id], refused: 2 });
    const cut = storeAnswering(() => ({ clips: [a, b, { ...c, events: truncated }], unknown: [] }));
    expect(await day(cut.opener)).toEqual({ drawn: [a.clip.clip_id, b.clip.clip_id].sort(), refused: 1 });
    for (const { calls } of [swapped, cut]) expect(calls.every((call) => call === "e2ee_nvr/clips/manifests")).toBe(true);
    // Details that failed are not kept: playback asks for them again, over HTTP, and decrypts
    // those (this store has none to give); the verified manifest is kept.
    await expect(cut.opener.events(c.clip.clip_id)).rejects.toMatchObject({ code: "http_404" });
    expect(cut.calls.filter((call) => !call.endsWith("clips/manifests"))).toEqual([`GET /api/e2ee_nvr/clips/${c.clip.clip_id}/events`]);
  });

  it("counts a clip HA says is unknown, or leaves out, as refused", async () => {
    const [a, b] = clips.map(honest) as [Entry, Entry];
    const { opener } = storeAnswering((asked) => ({ clips: [a], unknown: asked.filter((id) => id === b.clip.clip_id) }));
    expect(await day(opener)).toEqual({ drawn: [a.clip.clip_id], refused: 2 });
    const [, deleted, leftOut] = await opener.factsOfMany(clips.map((x) => x.reply.clip));
    expect(deleted?.status === "rejected" && deleted.reason).toMatchObject({ code: "not_found" });
    expect(leftOut?.status === "rejected" && leftOut.reason).toMatchObject({ name: "UntrustedKey" });
  });

  it("fails the day, not each clip, when the call itself fails", async () => {
    const api = new E2eeApi({ callWS: () => Promise.reject({ code: "storage_unavailable", message: "bucket down" }) });
    const opener = new ClipOpener(api, device.endpoint, async () => ({}));
    await expect(day(opener)).rejects.toMatchObject({ code: "storage_unavailable" });
  });
});
