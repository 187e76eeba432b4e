// A harness that mounts the real panel and card against a fake Home Assistant, for screenshots
// (scripts/ui-browser-tests.mjs). ?scenario=off|unenrolled|enrolled&admin=1&theme=dark&tab=...

import "../main";
import "../card/clips-card-editor";
import { newInstanceKey } from "../lib/crypto/keys";
import { registerAccountOps } from "../lib/flows/account-ops";
import { Keystore } from "../lib/keystore/keystore";

const params = new URLSearchParams(location.search);
const scenario = params.get("scenario") ?? "off";
const ACCOUNT = "4ee1bd4bfc72d95f6963630ae5dc9372";
const DEVICE = "877e908f1b2c3d4e5f60718293a4b5c6";
const OTHER_KEY = "c0ffee00c0ffee00c0ffee00c0ffee00";

const DARK: Record<string, string> = {
  "--primary-background-color": "#111111",
  "--secondary-background-color": "#282828",
  "--card-background-color": "#1c1c1c",
  "--primary-text-color": "#e1e1e1",
  "--secondary-text-color": "#9b9b9b",
  "--divider-color": "rgba(225, 225, 225, 0.12)",
  "--app-header-background-color": "#101e24",
};
if (params.get("theme") === "dark") {
  for (const [name, value] of Object.entries(DARK)) document.documentElement.style.setProperty(name, value);
  document.body.style.background = "#111";
}
// HA sets the page's language too; the card picker's entry reads it (card/clips-card.ts).
document.documentElement.lang = params.get("lang") ?? "en";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// The instance key ids the fake signed set names (set in main once this browser's key exists).
let signedInstances: string[] = [];
registerAccountOps({
  async createAccount(_passphrase, progress) {
    for (const step of ["keys", "passphrase-key", "random-key"] as const) {
      progress(step);
      await sleep(150);
    }
    await sleep(60_000);
    throw new Error("fake");
  },
  async enrolWithPassphrase() {
    await sleep(100);
    throw Object.assign(new Error("key check differs"), { name: "WrongPassphrase" });
  },
  async revokeInstance() {
    throw new Error("fake");
  },
  async migrateAccount() {
    throw new Error("fake");
  },
  async verifiedSet() {
    return {
      epoch: 3,
      issuedAt: 1_764_400_000,
      payloadSha256: "0".repeat(64),
      version: 1,
      prevSha256: null,
      revoked: [],
      members: [
        { role: "data" as const, keyId: "d".repeat(32), cameras: "*" as const },
        ...signedInstances.map((keyId) => ({ role: "instance" as const, keyId, cameras: "*" as const })),
      ],
    };
  },
  async openDataKey() {
    throw new Error("fake");
  },
  async pairingSessionId() {
    return "f".repeat(32);
  },
  async openPairingRequest() {
    throw new Error("fake");
  },
  async makePairingGrant() {
    throw new Error("fake");
  },
});

async function main(): Promise<void> {
  const keystore = new Keystore();
  await keystore.clear();
  let ownKeyId = "";
  if (scenario === "enrolled") {
    const key = await newInstanceKey();
    ownKeyId = key.keyId;
    signedInstances = [ownKeyId, OTHER_KEY];
    await keystore.save({ accountId: ACCOUNT, rootCertDer: new Uint8Array(1), instance: key, name: "Chrome on Linux", enrolledAt: 0 });
  }
  const day = new Date(2026, 10, 29, 14, 5).getTime();
  const clips = Array.from({ length: 9 }, (_, i) => ({
    clip_id: (i + 1).toString(16).padStart(32, "a"),
    device_id: DEVICE,
    camera_id: i % 3 === 2 ? "garage" : "front-door",
    start_ms: day - i * 47 * 60_000,
    end_ms: day - i * 47 * 60_000 + 30_000,
    size_bytes: 4_000_000,
    events: i % 2 === 0 ? ["motion"] : ["person", "motion"],
    kinds: ["video", "thumbnail", "events"],
  }));
  const answers: Record<string, unknown> = {
    "account/get":
      scenario === "off"
        ? { enabled: false, account: null, epoch: 0, instances: [] }
        : {
            enabled: true,
            account: { account_id: ACCOUNT },
            epoch: 3,
            instances: [
              ...(ownKeyId === "" ? [] : [{ key_id: ownKeyId, name: "Chrome on Linux", enrolled_at: 1_764_400_000 }]),
              { key_id: OTHER_KEY, name: "Companion app on Android", enrolled_at: 1_764_300_000 },
            ],
          },
    "cameras/list": {
      devices: [
        {
          device_id: DEVICE,
          agent_name: "Garage Pi",
          connected: true,
          last_seen: Date.now() / 1000 - 20,
          heartbeat: null,
          cameras: [
            { camera_id: "front-door", name: "Front door", clip_count: 124, last_clip_ms: day },
            { camera_id: "garage", name: "Garage", clip_count: 37, last_clip_ms: day },
          ],
        },
      ],
    },
    "clips/list": { clips, next: null },
    "pairing/list": {
      sessions: [
        {
          session_id: "e".repeat(32),
          state: "pending",
          device_id: "d".repeat(32),
          agent_name: "Shed camera agent",
          cameras: [{ camera_id: "shed", name: "Shed" }],
          expires_at: Math.floor(Date.now() / 1000) + 540,
          request: { payload: "", mac: "" },
          result: null,
        },
      ],
    },
  };
  const hass = {
    // As HA gives it: the user's language in locale.language (?lang=de for the German screens).
    language: params.get("lang") ?? "en",
    locale: { language: params.get("lang") ?? "en" },
    user: { is_admin: params.get("admin") !== "0", name: "Owner" },
    callWS: async <T>(message: Record<string, unknown>): Promise<T> => {
      const command = String(message["type"]).replace("e2ee_nvr/", "");
      if (command in answers) return answers[command] as T;
      const linked = clips.find((c) => c.clip_id === message["clip_id"]);
      // A clip the store lists but whose manifest is not this harness's to give: the player says so.
      if (command === "clips/manifest" && linked !== undefined) return { clip: linked, manifest: "{}", device_cert: null } as T;
      if (command === "clips/manifests") {
        const asked = message["clip_ids"] as string[];
        const listed = clips.filter((c) => asked.includes(c.clip_id));
        const entries = listed.map((clip) => ({ clip, manifest: "{}", device_cert: null, events: null }));
        return { clips: entries, unknown: asked.filter((id) => !listed.some((c) => c.clip_id === id)) } as T;
      }
      throw { code: "not_found", message: "no such clip" };
    },
    fetchWithAuth: async () => new Response(null, { status: 404 }),
  };
  const target = params.get("element") ?? "panel";
  if (target === "card") {
    const card = document.createElement("e2ee-nvr-clips-card") as HTMLElement & { setConfig(c: unknown): void; hass: unknown };
    card.setConfig({ type: "custom:e2ee-nvr-clips-card", title: "Recent clips", count: 6 });
    card.hass = hass;
    card.style.cssText = "display:block;max-width:480px;margin:16px";
    document.body.append(card);
    const editor = document.createElement("e2ee-nvr-clips-card-editor") as HTMLElement & { setConfig(c: unknown): void; hass: unknown };
    editor.setConfig({ type: "custom:e2ee-nvr-clips-card", title: "Recent clips", count: 6, cameras: [`${DEVICE}/garage`] });
    editor.hass = hass;
    editor.style.cssText = "display:block;max-width:480px;margin:16px;padding:16px;border:1px dashed #888";
    document.body.append(editor);
  } else {
    const panel = document.createElement("e2ee-nvr-panel") as HTMLElement & { hass: unknown; narrow: boolean };
    panel.narrow = window.innerWidth < 600;
    panel.hass = hass;
    document.body.append(panel);
  }
  document.body.dataset["ready"] = "1";
}

void main();
