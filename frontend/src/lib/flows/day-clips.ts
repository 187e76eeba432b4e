// A day's clips for the timeline, as verified facts: HA's index only finds the rows (paged by
// cursor); each clip is then opened (signed manifest checked, event details decrypted) and
// placed by what it signed. A clip that fails verification is left off the timeline and
// counted, never drawn from HA's unsigned row.

import { type ClipFilter, type E2eeApi } from "../api/client";
import { type ClipCursor, type ClipRow } from "../api/schemas";
import { type ClipFacts } from "./clip-facts";
import { cameraKey } from "./clip-feed";

const PAGE_SIZE = 500;
/** A guard against a store that pages forever: 20,000 clips is 4 s clips for 22 hours. */
const MAX_PAGES = 40;
const OPEN_IN_PARALLEL = 4;

export interface DayFacts {
  facts: ClipFacts[];
  /** Clips HA listed that could not be verified or decrypted (left off the timeline). */
  refused: number;
}

export type FactsOf = (row: ClipRow) => Promise<ClipFacts>;

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

/** Facts of every row, a few at a time; `progress` sees the facts found so far. */
export async function verifyRows(rows: readonly ClipRow[], factsOf: FactsOf, progress?: (found: DayFacts) => void): Promise<DayFacts> {
  const found: DayFacts = { facts: [], refused: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < rows.length) {
      const row = rows[next++];
      if (row === undefined) break;
      try {
        found.facts.push(await factsOf(row));
      } catch {
        found.refused++;
      }
      progress?.(found);
    }
  };
  await Promise.all(Array.from({ length: OPEN_IN_PARALLEL }, worker));
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
