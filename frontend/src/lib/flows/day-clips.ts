// A day's clips for the timeline, as verified facts: HA's index only finds the rows (paged by
// cursor); the clips are then opened in batches (one `clips/manifests` call per BATCH_SIZE
// rows: signed manifests checked one by one, event details decrypted) and placed by what they
// signed. A clip that fails verification is left off the timeline and counted, never drawn
// from HA's unsigned row.

import { type ClipFilter, type E2eeApi } from "../api/client";
import { type ClipCursor, type ClipRow } from "../api/schemas";
import { type ClipFacts } from "./clip-facts";
import { cameraKey } from "./clip-feed";

const PAGE_SIZE = 500;
/** A guard against a store that pages forever: 20,000 clips is 4 s clips for 22 hours. */
const MAX_PAGES = 40;
/** Rows per `clips/manifests` call (HA takes up to 200): a 1-minute-clip day is 15 calls. */
const BATCH_SIZE = 100;
/** Calls in flight: one verifies while the next is on the wire. */
const BATCHES_IN_FLIGHT = 2;

export interface DayFacts {
  facts: ClipFacts[];
  /** Clips HA listed that could not be verified or decrypted (left off the timeline). */
  refused: number;
}

/** One outcome per row, in order: its verified facts, or why it was refused. */
export type FactsOfMany = (rows: readonly ClipRow[]) => Promise<Array<PromiseSettledResult<ClipFacts>>>;

export async function dayRows(api: E2eeApi, query: ClipFilter): Promise<ClipRow[]> {
  const rows: ClipRow[] = [];
  let cursor: ClipCursor | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const reply = await api.clipsList(query, PAGE_SIZE, cursor);
    rows.push(...reply.clips);
    cursor = reply.next;
    if (cursor === null) break;
  }
  return rows;
}

/**
 * Facts of every row, BATCH_SIZE rows per call, BATCHES_IN_FLIGHT calls at a time; `progress`
 * sees the facts found so far after each batch. A call that fails as a whole (the clip store
 * is unavailable) fails the day: its clips are not refused, HA could not be asked.
 */
export async function verifyRows(rows: readonly ClipRow[], factsOfMany: FactsOfMany, progress?: (found: DayFacts) => void): Promise<DayFacts> {
  const found: DayFacts = { facts: [], refused: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const batch = rows.slice(next, next + BATCH_SIZE);
      next += batch.length;
      for (const outcome of await factsOfMany(batch)) {
        if (outcome.status === "fulfilled") found.facts.push(outcome.value);
        else found.refused++;
      }
      progress?.(found);
    }
  };
  await Promise.all(Array.from({ length: BATCHES_IN_FLIGHT }, worker));
  return found;
}

/** The facts by signed camera ("device/camera"), each camera's clips by start. */
export function byCamera(facts: readonly ClipFacts[]): Map<string, ClipFacts[]> {
  const cameras = new Map<string, ClipFacts[]>();
  for (const fact of facts) {
    const key = cameraKey(fact.deviceId, fact.cameraId);
    cameras.set(key, [...(cameras.get(key) ?? []), fact]);
  }
  for (const list of cameras.values()) list.sort((a, b) => a.startMs - b.startMs);
  return new Map([...cameras].sort(([a], [b]) => a.localeCompare(b)));
}
