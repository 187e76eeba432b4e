// The clip list: filters, pages by cursor (endless scroll), grouping by day and camera.

import { type ClipFilter, type E2eeApi } from "../api/client";
import { type CameraList, type ClipCursor, type ClipRow } from "../api/schemas";

export const PAGE_SIZE = 40;

export interface FeedFilter {
  /** "device_id/camera_id", or "" for every camera. */
  camera: string;
  /** An event kind as the store sees it ("motion", "person"), or "" for all. */
  event: string;
  /** A local calendar day "YYYY-MM-DD", or "" for all. */
  day: string;
}

export const NO_FILTER: FeedFilter = { camera: "", event: "", day: "" };

export function cameraKey(deviceId: string, cameraId: string): string {
  return `${deviceId}/${cameraId}`;
}

/** Local midnight to the next local midnight, in Unix ms. */
export function dayBounds(day: string): [number, number] | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (match === null) return null;
  const start = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const end = new Date(start);
  end.setDate(end.getDate() + 1);
  return [start.getTime(), end.getTime()];
}

export function toQuery(filter: FeedFilter): ClipFilter {
  const query: ClipFilter = {};
  const [deviceId, cameraId] = filter.camera.split("/");
  if (filter.camera !== "" && deviceId !== undefined && cameraId !== undefined) {
    query.deviceId = deviceId;
    query.cameraId = cameraId;
  }
  if (filter.event !== "") query.event = filter.event;
  const bounds = dayBounds(filter.day);
  if (bounds !== null) {
    query.startMs = bounds[0];
    query.endMs = bounds[1];
  }
  return query;
}

export function localDay(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export interface ClipGroup {
  day: string;
  cameraKey: string;
  cameraName: string;
  clips: ClipRow[];
}

export function cameraNames(list: CameraList): Map<string, string> {
  const names = new Map<string, string>();
  for (const device of list.devices) {
    for (const camera of device.cameras) names.set(cameraKey(device.device_id, camera.camera_id), camera.name || camera.camera_id);
  }
  return names;
}

/** Newest first, grouped by local day then camera, in the order the clips arrive. */
export function groupClips(clips: readonly ClipRow[], names: ReadonlyMap<string, string>): ClipGroup[] {
  const groups: ClipGroup[] = [];
  const index = new Map<string, ClipGroup>();
  for (const clip of clips) {
    const day = localDay(clip.start_ms);
    const key = cameraKey(clip.device_id, clip.camera_id);
    const id = `${day}|${key}`;
    let group = index.get(id);
    if (group === undefined) {
      group = { day, cameraKey: key, cameraName: names.get(key) ?? clip.camera_id, clips: [] };
      index.set(id, group);
      groups.push(group);
    }
    group.clips.push(clip);
  }
  return groups;
}

/** Every event kind seen so far, for the filter menu. */
export function eventKinds(clips: readonly ClipRow[]): string[] {
  return [...new Set(clips.flatMap((c) => c.events))].sort();
}

export class ClipFeed {
  clips: ClipRow[] = [];
  private cursor: ClipCursor | null = null;
  exhausted = false;
  loading = false;
  private generation = 0;

  constructor(
    private readonly api: E2eeApi,
    private filter: FeedFilter = NO_FILTER,
    private readonly pageSize = PAGE_SIZE,
  ) {}

  get currentFilter(): FeedFilter {
    return this.filter;
  }

  reset(filter: FeedFilter): void {
    this.filter = filter;
    this.clips = [];
    this.cursor = null;
    this.exhausted = false;
    this.loading = false;
    this.generation++;
  }

  /** Fetch the next page; false when there was nothing (more) to load. */
  async loadMore(): Promise<boolean> {
    if (this.loading || this.exhausted) return false;
    this.loading = true;
    const generation = this.generation;
    try {
      const page = await this.api.clipsList(toQuery(this.filter), this.pageSize, this.cursor);
      if (generation !== this.generation) return false;
      const seen = new Set(this.clips.map((c) => c.clip_id));
      this.clips = [...this.clips, ...page.clips.filter((c) => !seen.has(c.clip_id))];
      this.cursor = page.next;
      this.exhausted = page.next === null;
      return page.clips.length > 0;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  remove(clipIds: readonly string[]): void {
    const gone = new Set(clipIds);
    this.clips = this.clips.filter((c) => !gone.has(c.clip_id));
  }
}
