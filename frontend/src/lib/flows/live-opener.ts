// Opening a live session for one camera (section 18): request through the store, verify the
// device's offer against the pinned root and this browser's held set, confirm possession of
// the instance key, then open the stream of records. The screens get a reader-and-stream pair
// or a named error, never an unverified byte.

import { type E2eeApi } from "../api/client";
import { fromHex, toHex } from "../crypto/bytes";
import { b64decode } from "../crypto/encoding";
import { signedFromJson } from "../crypto/envelope";
import { NotEnrolled, UntrustedKey } from "../crypto/errors";
import { LiveRecordReader } from "../crypto/live-records";
import { type EnrolledEndpoint, type VerifiedSetSummary } from "./account-ops";
import { verifyingCrypto } from "./verifying-crypto";

export interface OpenedLive {
  sessionId: string;
  deviceId: string;
  cameraId: string;
  reader: LiveRecordReader;
  stream: ReadableStream<Uint8Array>;
  /** The device wraps to an older set than this browser holds: a revocation is withheld. */
  withheld: boolean;
  /** The device holds a newer set than this browser: it should refresh its own (section 18.3). */
  newerSet: boolean;
}

/** What of the session this needs: the enrolment, the held set, and the API. */
export interface LiveContext {
  api: E2eeApi;
  endpoint: EnrolledEndpoint | null;
  signedSet: VerifiedSetSummary | null;
  /** Why the store's set could not be verified, when signedSet is null. */
  setProblem: unknown;
}

/** Refuse before asking when the verified set already says this browser may not watch. */
export function checkScope(set: VerifiedSetSummary, instanceKeyId: string, cameraRef: string): void {
  const own = set.members.find((m) => m.role === "instance" && m.keyId === instanceKeyId);
  if (own === undefined || set.revoked.includes(instanceKeyId)) {
    throw new NotEnrolled("the signed set does not list this browser (revoked?)");
  }
  if (own.cameras !== "*" && !own.cameras.includes(cameraRef)) {
    throw new NotEnrolled("the signed set does not grant this browser this camera");
  }
}

export async function openLive(context: LiveContext, cameraRef: string, signal?: AbortSignal): Promise<OpenedLive> {
  const endpoint = context.endpoint;
  if (endpoint === null) throw new NotEnrolled("this browser is not enrolled");
  const set = context.signedSet;
  if (set === null) throw context.setProblem ?? new NotEnrolled("no verified recipient set");
  checkScope(set, endpoint.instance.keyId, cameraRef);
  const { certs, live } = await verifyingCrypto();
  const { confirmFor, liveRequestToJson, newLiveRequest, splitCameraRef, verifyLiveOffer } = live;
  const { deviceId, cameraId } = splitCameraRef(cameraRef);
  const request = newLiveRequest(endpoint.accountId, cameraRef, endpoint.instance.keyId);
  const reply = await context.api.liveStart(liveRequestToJson(request));
  if (reply.device_cert === null) throw new UntrustedKey("the store has no certificate for this camera's device");
  const [deviceCert, root] = await Promise.all([
    certs.loadCert(b64decode(reply.device_cert, "device_cert")),
    certs.loadCert(endpoint.rootCertDer),
  ]);
  const verified = await verifyLiveOffer(signedFromJson(reply.offer), deviceCert, root, {
    accountId: endpoint.accountId,
    deviceId,
    cameraId,
    requestNonce: request.nonce,
    instance: endpoint.instance,
    heldEpoch: set.epoch,
    heldSha256: fromHex(set.payloadSha256),
  });
  await context.api.liveConfirm(await confirmFor(verified, endpoint.instance.keyId, request.nonce));
  const sessionId = toHex(verified.sessionId);
  const stream = await context.api.openLiveStream(sessionId, signal);
  return {
    sessionId,
    deviceId,
    cameraId,
    reader: new LiveRecordReader(verified.sessionId, verified.mediaKey),
    stream,
    withheld: verified.withheld,
    newerSet: verified.recipientEpoch > set.epoch,
  };
}
