// What this browser has verified itself, kept in IndexedDB beside its enrolment: the highest
// recipient set (epoch and payload hash) and the camera names pinned from MACed pairing requests.
//
// Why persist: the store (HA) decides what every page load sees. A browser that forgets what it
// verified yesterday can be shown yesterday's set today (one that still holds a revoked browser)
// and would sign, grant or display from it. The high-water mark is only ever raised, and only
// after a set verified against the pinned root; anything below it is RolledBack.

import { fromHex } from "../crypto/bytes";
import { RolledBack } from "../crypto/errors";
import { checkSuccession } from "../crypto/succession";
import { type RecordStore } from "./keystore";

const RECORD_PREFIX = "trust:";
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_PINNED_CAMERAS = 512;

/**
 * The highest recipient set verified (section 6.5's H): its epoch and hex SHA-256 of its exact
 * payload bytes; its version and cumulative revoked list (succession, section 6.2); its
 * issued_at and recipients' key ids and scopes (withheld revocations, section 10.1).
 */
export interface SetHighWater {
  epoch: number;
  payloadSha256: string;
  version?: number;
  revoked?: string[];
  issuedAt?: number;
  recipients?: Array<{ keyId: string; cameras: "*" | string[] }>;
}

/** A newly verified set as advance() needs it: H's fields plus its prev_sha256 (hex or null). */
export interface SeenSet extends SetHighWater {
  prevSha256?: string | null;
}

/** A camera as the device named it in the pairing request this browser opened with the code. */
export interface PinnedCamera {
  deviceId: string;
  cameraId: string;
  name: string;
  agentName: string;
}

export interface TrustRecord {
  accountId: string;
  highest: SetHighWater | null;
  cameras: PinnedCamera[];
}

export function pinnedKey(deviceId: string, cameraId: string): string {
  return `${deviceId}/${cameraId}`;
}

/**
 * The new high-water mark after verifying `seen`: RolledBack for a lower epoch, or for another
 * payload under the highest epoch (two sets signed at one epoch: equivocation, one of them
 * possibly still naming a revoked browser). Equal epoch and hash is the same set: unchanged.
 */
export function advance(highest: SetHighWater | null, seen: SeenSet): SetHighWater {
  if (!Number.isSafeInteger(seen.epoch) || seen.epoch < 1 || !HEX64.test(seen.payloadSha256)) {
    throw new Error("a verified set has an epoch >= 1 and a SHA-256");
  }
  const { prevSha256, ...kept } = seen;
  const held = highest === null ? null : { epoch: highest.epoch, payloadSha256: fromHex(highest.payloadSha256), version: highest.version ?? 1, revoked: highest.revoked ?? [] };
  const next = {
    epoch: seen.epoch,
    payloadSha256: fromHex(seen.payloadSha256),
    version: seen.version ?? 1,
    revoked: seen.revoked ?? [],
    prevSha256: prevSha256 === null || prevSha256 === undefined ? null : fromHex(prevSha256),
  };
  // Section 6.2 rules 3 and 4: RolledBack (older, forked, same epoch other bytes, v1 after v2),
  // Readmitted (a revoked id dropped). The same set again leaves H as it is.
  try {
    return checkSuccession(next, held) ? kept : (highest ?? kept);
  } catch (err) {
    if (err instanceof RolledBack && highest !== null && seen.epoch < highest.epoch) {
      throw new RolledBack(`recipient-set epoch ${seen.epoch} is below epoch ${highest.epoch} already verified here`);
    }
    throw err;
  }
}

function isHighWater(value: unknown): value is SetHighWater {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Partial<SetHighWater>;
  return typeof record.epoch === "number" && typeof record.payloadSha256 === "string" && HEX64.test(record.payloadSha256);
}

function isPinnedCamera(value: unknown): value is PinnedCamera {
  if (typeof value !== "object" || value === null) return false;
  const camera = value as Partial<PinnedCamera>;
  return (
    typeof camera.deviceId === "string" &&
    typeof camera.cameraId === "string" &&
    typeof camera.name === "string" &&
    typeof camera.agentName === "string"
  );
}

function parseRecord(accountId: string, value: unknown): TrustRecord {
  const empty: TrustRecord = { accountId, highest: null, cameras: [] };
  if (typeof value !== "object" || value === null) return empty;
  const record = value as Partial<TrustRecord>;
  if (record.accountId !== accountId) return empty;
  // A damaged high-water mark must not silently reset to "nothing seen": that would re-open
  // the rollback this record exists to stop. Refuse until the record is repaired or cleared.
  if (record.highest !== null && !isHighWater(record.highest)) {
    throw new RolledBack("this browser's record of the highest recipient set is damaged");
  }
  const cameras = Array.isArray(record.cameras) ? record.cameras.filter(isPinnedCamera) : [];
  return { accountId, highest: record.highest ?? null, cameras };
}

export class TrustStore {
  constructor(private readonly records: RecordStore) {}

  async load(accountId: string): Promise<TrustRecord> {
    return parseRecord(accountId, await this.records.getRecord(RECORD_PREFIX + accountId));
  }

  private async save(record: TrustRecord): Promise<void> {
    await this.records.putRecord(RECORD_PREFIX + record.accountId, record);
  }

  /** Check a verified set against the high-water mark and raise it (RolledBack if below). */
  async acceptSet(accountId: string, seen: SeenSet): Promise<SetHighWater> {
    const record = await this.load(accountId);
    const next = advance(record.highest, seen);
    // Persist before the caller acts on the set: a crash after acting must not forget it.
    if (next !== record.highest) await this.save({ ...record, highest: next });
    return next;
  }

  /** Keep a paired agent's camera names as its MACed request gave them (replacing older pins). */
  async pinCameras(accountId: string, cameras: readonly PinnedCamera[]): Promise<void> {
    const record = await this.load(accountId);
    const replaced = new Set(cameras.map((c) => pinnedKey(c.deviceId, c.cameraId)));
    const kept = record.cameras.filter((c) => !replaced.has(pinnedKey(c.deviceId, c.cameraId)));
    await this.save({ ...record, cameras: [...kept, ...cameras].slice(-MAX_PINNED_CAMERAS) });
  }

  /** "device_id/camera_id" to the pinned name. */
  async cameraNames(accountId: string): Promise<Map<string, string>> {
    const record = await this.load(accountId);
    return new Map(record.cameras.map((c) => [pinnedKey(c.deviceId, c.cameraId), c.name || c.cameraId]));
  }

  /** Forget everything about an account (E2EE turned off: a new account starts afresh). */
  async forget(accountId: string): Promise<void> {
    await this.records.putRecord(RECORD_PREFIX + accountId, null);
  }
}
