// Limits passphrase attempts in this browser: a few free tries, then a wait that doubles with
// each further failure, kept in localStorage so a reload does not reset it.
//
// This slows a person at the keyboard; the real defence against guessing is the passphrase's
// 128 bits and the scrypt cost on every try, since anyone with the account document can guess
// offline. So the limit is per browser and generous enough not to lock out a typo-prone owner.

export const FREE_ATTEMPTS = 3;
export const BASE_DELAY_MS = 30_000;
export const MAX_DELAY_MS = 60 * 60_000;
const STORAGE_KEY = "e2ee-nvr:passphrase-attempts";

export interface AttemptState {
  failures: number;
  /** Unix ms before which no attempt is allowed. */
  lockedUntil: number;
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function delayAfter(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0;
  return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (failures - FREE_ATTEMPTS));
}

export class AttemptLimiter {
  constructor(
    private readonly store: KeyValueStore = globalThis.localStorage,
    private readonly now: () => number = Date.now,
  ) {}

  state(): AttemptState {
    try {
      const raw = this.store.getItem(STORAGE_KEY);
      if (raw === null) return { failures: 0, lockedUntil: 0 };
      const parsed = JSON.parse(raw) as Partial<AttemptState>;
      const failures = Number.isSafeInteger(parsed.failures) ? Math.max(0, parsed.failures ?? 0) : 0;
      const lockedUntil = typeof parsed.lockedUntil === "number" ? parsed.lockedUntil : 0;
      return { failures, lockedUntil };
    } catch {
      return { failures: 0, lockedUntil: 0 };
    }
  }

  /** Milliseconds to wait before the next attempt (0: go ahead). */
  waitMs(): number {
    return Math.max(0, this.state().lockedUntil - this.now());
  }

  recordFailure(): AttemptState {
    const failures = this.state().failures + 1;
    const next = { failures, lockedUntil: this.now() + delayAfter(failures) };
    this.store.setItem(STORAGE_KEY, JSON.stringify(next));
    return next;
  }

  recordSuccess(): void {
    this.store.removeItem(STORAGE_KEY);
  }
}
