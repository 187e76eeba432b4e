// An in-memory RecordStore for the Node tests (IndexedDB itself runs in the Chromium suites).

import { type RecordStore } from "../lib/keystore/keystore";

export class MemoryRecords implements RecordStore {
  readonly items = new Map<string, unknown>();
  async getRecord(key: string): Promise<unknown> {
    return structuredClone(this.items.get(key));
  }
  async putRecord(key: string, value: unknown): Promise<void> {
    this.items.set(key, structuredClone(value));
  }
}
