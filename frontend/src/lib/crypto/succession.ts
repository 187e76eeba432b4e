// What a verifier keeps of recipient sets once verified: the held set H, the succession rules
// (section 6.2 rules 3 and 4) and a recipient's camera scope. Apart from recipients.ts because
// none of it parses a certificate: the keystore's trust store and the clip facts use it on every
// page, and the ASN.1 parser recipients.ts brings is loaded only when a set, clip or live offer
// is verified (flows/verifying-crypto.ts).

import { type Bytes, equal } from "./bytes";
import { TRUST_CORE_VERSION } from "./envelope";
import { Readmitted, RolledBack } from "./errors";

export const ALL_CAMERAS = "*";
/** "*" (every camera, present and future) or the camera_refs a recipient receives. */
export type Cameras = typeof ALL_CAMERAS | readonly string[];

/** What a verifier keeps of the highest set it accepted (section 6.2's H). */
export interface HeldSet {
  epoch: number;
  payloadSha256: Bytes;
  version: number;
  revoked: readonly string[];
}

/**
 * Section 6.2 rules 3 and 4 against the held set; true when `next` advances it (the caller
 * MUST persist it before use), false when it is the held set again.
 */
export function checkSuccession(next: HeldSet & { prevSha256: Bytes | null }, held: HeldSet | null): boolean {
  if (held === null) return true;
  if (next.epoch < held.epoch) throw new RolledBack(`recipient-set epoch ${next.epoch} < accepted ${held.epoch}`);
  if (next.epoch === held.epoch) {
    if (!equal(next.payloadSha256, held.payloadSha256)) {
      throw new RolledBack(`recipient-set epoch ${next.epoch} reused for other content`);
    }
    return false;
  }
  const v2 = TRUST_CORE_VERSION;
  if (held.version === v2 && next.version !== v2) throw new RolledBack("a version-1 recipient set after a version-2 one");
  if (next.version === v2 && next.epoch === held.epoch + 1 && (next.prevSha256 === null || !equal(next.prevSha256, held.payloadSha256))) {
    // Signed from another predecessor: two histories, and this verifier holds the other.
    throw new RolledBack(`recipient-set epoch ${next.epoch} does not follow the held set`);
  }
  const dropped = held.revoked.filter((id) => !next.revoked.includes(id));
  if (dropped.length > 0) throw new Readmitted(`recipient-set drops revoked keys ${dropped.join(", ")}`);
  return true;
}
