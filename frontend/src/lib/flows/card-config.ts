// The dashboard card's configuration (validated like any outside input) and its clip query.

import * as z from "zod";
import { type E2eeApi } from "../api/client";
import { type ClipRow } from "../api/schemas";

export const MAX_CARD_CLIPS = 24;

const CardConfigSchema = z.object({
  type: z.string(),
  title: z.string().max(100).default(""),
  // "device_id/camera_id" keys; empty means every camera.
  cameras: z.array(z.string().regex(/^[0-9a-f]{32}\/[a-z0-9_-]{1,32}$/)).max(32).default([]),
  count: z.number().int().min(1).max(MAX_CARD_CLIPS).default(6),
  // "live": one camera live with the latest clips under it; "clips": the clips alone.
  mode: z.enum(["live", "clips"]).default("live"),
  // The camera shown live first ("device_id/camera_id"); empty: the first of `cameras` (or of all).
  live_camera: z.string().regex(/^(?:[0-9a-f]{32}\/[a-z0-9_-]{1,32})?$/).default(""),
  // The day timeline under the clips (the panel's timeline element); off unless chosen.
  timeline: z.boolean().default(false),
});

export type CardConfig = z.infer<typeof CardConfigSchema>;

export class CardConfigError extends Error {
  override name = "CardConfigError";
}

export function normaliseConfig(config: unknown): CardConfig {
  const parsed = CardConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CardConfigError(`e2ee-nvr-clips-card: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

/** The cameras the card's picker offers: the chosen ones, else every paired camera, in order. */
export function liveCameraChoices(config: CardConfig, all: readonly string[]): string[] {
  return config.cameras.length === 0 ? [...all] : config.cameras.filter((key) => all.includes(key));
}

/** The camera live first: the configured one when offered, else the first choice ("" if none). */
export function firstLiveCamera(config: CardConfig, choices: readonly string[]): string {
  return choices.includes(config.live_camera) ? config.live_camera : (choices[0] ?? "");
}

/** The newest `count` clips of the chosen cameras: one query per camera, merged by time. */
export async function recentClips(api: E2eeApi, config: CardConfig): Promise<ClipRow[]> {
  if (config.cameras.length === 0) return (await api.clipsList({}, config.count, null)).clips;
  const pages = await Promise.all(
    config.cameras.map((key) => {
      const [deviceId = "", cameraId = ""] = key.split("/");
      return api.clipsList({ deviceId, cameraId }, config.count, null);
    }),
  );
  return pages
    .flatMap((p) => p.clips)
    .sort((a, b) => b.start_ms - a.start_ms || (a.clip_id < b.clip_id ? 1 : -1))
    .slice(0, config.count);
}
