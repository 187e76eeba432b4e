// Section 10.1: tell from a signed manifest that the store withholds a revocation.
//
// The device signs which epoch and which keys each clip went to. An endpoint that holds a newer
// set (H) can therefore see, per camera, that the agent never received the revocation, and must
// say so loudly (RevocationWithheld) instead of playing the clip as if all were well.

import { RevocationWithheld, RolledBack } from "./errors";
import { type ClipManifest } from "./manifest";
import { type VerifiedRecipientSet } from "./recipients";
import { ALL_CAMERAS, type Cameras } from "./succession";

// Agents refresh the set at least every 10 minutes (section 6.4); 15 leaves a margin.
export const GRACE_MS = 15 * 60 * 1000;

/** What section 10.1 needs of the endpoint's H. */
export interface HeldRecipients {
  epoch: number;
  issuedAt: number;
  revoked: readonly string[];
  recipients: ReadonlyArray<{ keyId: string; cameras: Cameras }>;
}

export function heldRecipientsOf(set: VerifiedRecipientSet): HeldRecipients {
  return {
    epoch: set.epoch,
    issuedAt: set.recipientSet.issuedAt,
    revoked: set.recipientSet.revoked ?? [],
    recipients: set.recipientSet.recipients.map((r) => ({ keyId: r.keyId, cameras: r.cameras ?? ALL_CAMERAS })),
  };
}

function scopedKeyIds(held: HeldRecipients, cameraRef: string): Set<string> {
  return new Set(held.recipients.filter((r) => r.cameras === ALL_CAMERAS || r.cameras.includes(cameraRef)).map((r) => r.keyId));
}

/**
 * Throw RevocationWithheld (a warning: the clip still opens) or RolledBack; return when the
 * clip is in order. Call after the manifest verified, with H refreshed from the store first.
 */
export function checkDelivery(held: HeldRecipients, manifest: ClipManifest): void {
  const cameraRef = `${manifest.deviceId}/${manifest.cameraId}`;
  const wrapped = new Set(manifest.wrappedKeys.map((w) => w.keyId));
  if (manifest.recipientEpoch > held.epoch) {
    throw new RolledBack(`camera ${cameraRef} uses epoch ${manifest.recipientEpoch}; the store shows this browser epoch ${held.epoch}`);
  }
  if (manifest.recipientEpoch < held.epoch) {
    // Older clips were rightly wrapped to the keys of their time; only a clip that started
    // well after the newest set was signed shows the agent never received it.
    if (manifest.startMs >= held.issuedAt * 1000 + GRACE_MS) {
      const stillReading = [...wrapped].filter((id) => held.revoked.includes(id)).sort();
      throw new RevocationWithheld(
        `camera ${cameraRef} still records to epoch ${manifest.recipientEpoch} (current ${held.epoch}); revoked keys that can read it: ${stillReading.join(", ")}`,
      );
    }
    return;
  }
  const expected = scopedKeyIds(held, cameraRef);
  if (wrapped.size !== expected.size || [...wrapped].some((id) => !expected.has(id))) {
    throw new RevocationWithheld(`camera ${cameraRef} claims epoch ${held.epoch} but wraps to other keys`);
  }
}
