// Zod schemas for every message the integration sends the panel: validated here, at the
// boundary, before any other module looks at them (websocket_account.py, websocket_clips.py).

import * as z from "zod";

const hex32 = z.string().regex(/^[0-9a-f]{32}$/);
const cameraId = z.string().regex(/^[a-z0-9_-]{1,32}$/);
const int = z.number().int();
const unixSeconds = z.number().nonnegative();

export const InstanceInfo = z.object({
  key_id: hex32,
  name: z.string().max(64),
  enrolled_at: unixSeconds.nullable(),
  // Last time this browser opened the panel (account/seen); absent from older integrations.
  last_seen: unixSeconds.nullable().optional(),
});

/** account/get, account/create|enrol|revoke|publish and disable all answer with this. */
export const AccountInfo = z.object({
  enabled: z.boolean(),
  // The account document (protocol section 11): the crypto layer parses and verifies it.
  account: z.record(z.string(), z.unknown()).nullable(),
  epoch: int.nonnegative(),
  instances: z.array(InstanceInfo).max(64),
});

export const CameraInfo = z.object({
  camera_id: cameraId,
  name: z.string().max(64),
  clip_count: int.nonnegative(),
  last_clip_ms: int.nullable(),
});

export const DeviceInfo = z.object({
  device_id: hex32,
  agent_name: z.string().max(64),
  connected: z.boolean(),
  last_seen: unixSeconds.nullable(),
  heartbeat: z.record(z.string(), z.unknown()).nullable(),
  cameras: z.array(CameraInfo).max(32),
});

export const CameraList = z.object({ devices: z.array(DeviceInfo) });

export const ClipRow = z.object({
  clip_id: hex32,
  device_id: hex32,
  camera_id: cameraId,
  start_ms: int,
  end_ms: int,
  size_bytes: int.nonnegative(),
  events: z.array(z.string().max(32)).max(16),
  kinds: z.array(z.enum(["video", "thumbnail", "events"])),
});

export const ClipCursor = z.object({ start_ms: int, clip_id: hex32 });

export const ClipPage = z.object({
  clips: z.array(ClipRow).max(500),
  next: ClipCursor.nullable(),
});

export const ClipManifestResult = z.object({
  clip: ClipRow,
  // The signed envelope as the device uploaded it: its exact bytes are what the device signed.
  manifest: z.string().max(1 << 21),
  device_cert: z.string().max(16384).nullable(),
});

/** The most clip ids one e2ee_nvr/clips/manifests call takes (MAX_BATCH in websocket_clips.py). */
export const MAX_MANIFESTS_PER_CALL = 200;

/**
 * e2ee_nvr/clips/manifests: many clips' ClipManifestResult at once, each with its encrypted
 * event details (unpadded base64url ciphertext; null: none, or fetch them over HTTP). HA's
 * word for nothing: every entry is verified as a single manifest is (clip-opener.ts).
 */
export const ClipManifestsResult = z.object({
  clips: z
    .array(ClipManifestResult.extend({ events: z.string().max(1 << 17).nullable() }))
    .max(MAX_MANIFESTS_PER_CALL),
  unknown: z.array(hex32).max(MAX_MANIFESTS_PER_CALL),
});

export const PairingSession = z.object({
  session_id: hex32,
  state: z.enum(["pending", "active", "refused", "revoked", "expired"]),
  device_id: hex32,
  agent_name: z.string().max(64),
  cameras: z.array(z.object({ camera_id: cameraId, name: z.string().max(64) })).max(32),
  expires_at: int,
  // The MACed pairing request (section 8.3) as relayed: opened only with the typed code.
  request: z.record(z.string(), z.string()),
  result: z.record(z.string(), z.unknown()).nullable(),
});

export const PairingList = z.object({ sessions: z.array(PairingSession) });

export const DeleteResult = z.object({ deleted: int.nonnegative() });

export const EmptyResult = z.object({});

/** e2ee_nvr/live/start: the device's signed live-offer (section 18) and its certificate. */
export const LiveStartResult = z.object({
  // A signed envelope (section 1.2): the offer's exact payload bytes, signature and signer.
  offer: z.object({ payload: z.string().max(1 << 16), signature: z.string().max(1024), signer: hex32 }),
  device_cert: z.string().max(16384).nullable(),
});

/** What HA's websocket puts in a rejected promise: {code, message}. */
export const WsError = z.object({ code: z.string(), message: z.string() });

export type AccountInfo = z.infer<typeof AccountInfo>;
export type InstanceInfo = z.infer<typeof InstanceInfo>;
export type CameraInfo = z.infer<typeof CameraInfo>;
export type DeviceInfo = z.infer<typeof DeviceInfo>;
export type CameraList = z.infer<typeof CameraList>;
export type ClipRow = z.infer<typeof ClipRow>;
export type ClipCursor = z.infer<typeof ClipCursor>;
export type ClipPage = z.infer<typeof ClipPage>;
export type ClipManifestResult = z.infer<typeof ClipManifestResult>;
export type ClipManifestsResult = z.infer<typeof ClipManifestsResult>;
export type PairingSession = z.infer<typeof PairingSession>;
export type LiveStartResult = z.infer<typeof LiveStartResult>;
export type PairingList = z.infer<typeof PairingList>;
