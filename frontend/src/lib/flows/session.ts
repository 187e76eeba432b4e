// The panel's state and every multi-step operation, outside any component: load the account and
// this browser's enrolment, turn E2EE on or off, enrol, revoke, pair, rename, unpair.
//
// Every signed recipient set this browser acts on is first verified against its pinned root and
// checked against the highest set it has verified before (trust-store.ts): revoke and pair refuse
// a set below it (RolledBack), and a grant refuses a set without this browser in it.

import { E2eeApi, type HassTransport } from "../api/client";
import { type AccountInfo, type CameraList, type PairingSession } from "../api/schemas";
import { NotEnrolled } from "../crypto/errors";
import { type HeldRecipients } from "../crypto/withholding";
import { Keystore, type StoredEndpoint } from "../keystore/keystore";
import { TrustStore } from "../keystore/trust-store";
import {
  type CreateStep,
  type CreatedAccount,
  type EnrolledEndpoint,
  type VerifiedSetSummary,
  accountOps,
} from "./account-ops";
import { AttemptLimiter } from "./backoff";
import { CONFIRM_WORDS, pickPositions } from "./confirm-words";
import { ClipOpener } from "./clip-opener";
import { type EndpointStatus, endpointStatus } from "./status";

// The passphrase module holds the 7,776-word list (~65 KB): loaded by the screens that create or
// enrol, never by a card that only plays clips.
function passphraseModule(): Promise<typeof import("../crypto/passphrase")> {
  return import("../crypto/passphrase");
}

export class WaitBeforeRetry extends Error {
  override name = "WaitBeforeRetry";
  constructor(readonly waitMs: number) {
    super(`wait ${Math.ceil(waitMs / 1000)} s`);
  }
}

export class NoPendingRequest extends Error {
  override name = "NoPendingRequest";
}

function toStored(created: CreatedAccount, name: string, now: number): StoredEndpoint {
  const { endpoint } = created;
  return {
    accountId: endpoint.accountId,
    rootCertDer: new Uint8Array(endpoint.rootCertDer),
    instance: {
      keyId: endpoint.instance.keyId,
      privateKey: endpoint.instance.privateKey,
      publicKey: endpoint.instance.publicKey,
      publicPoint: new Uint8Array(endpoint.instance.publicPoint),
    },
    name,
    enrolledAt: now,
  };
}

export class E2eeSession {
  readonly api: E2eeApi;
  account: AccountInfo | null = null;
  status: EndpointStatus | null = null;
  /** The current recipient set as verified here (null: not enrolled, or see setProblem). */
  signedSet: VerifiedSetSummary | null = null;
  /** Why the store's current set could not be accepted (RolledBack, a bad signature, ...). */
  setProblem: unknown = null;
  private opener: ClipOpener | null = null;
  private seenReported = false;
  private readonly trust: TrustStore;
  private pinned: Promise<ReadonlyMap<string, string>> | null = null;

  constructor(
    hass: HassTransport,
    private readonly keystore: Keystore = new Keystore(),
    readonly limiter: AttemptLimiter = new AttemptLimiter(),
  ) {
    this.api = new E2eeApi(hass);
    this.trust = new TrustStore(keystore);
  }

  async refresh(): Promise<EndpointStatus> {
    const [account, stored] = await Promise.all([this.api.accountGet(), this.keystore.load()]);
    this.setAccount(account, stored);
    await this.checkCurrentSet();
    return this.status as EndpointStatus;
  }

  /**
   * Verify the store's current set and hold it against the highest seen. A failure is kept in
   * setProblem for the screens to show; revoke and pair check again and refuse.
   */
  private async checkCurrentSet(): Promise<void> {
    const endpoint = this.enrolled;
    const document = this.account?.account;
    if (endpoint === null || document === null || document === undefined) {
      this.signedSet = null;
      this.setProblem = null;
      return;
    }
    // Both fields change together once the check is done: a screen rendering meanwhile keeps
    // showing the last verified set rather than an empty or half-updated one.
    try {
      const verified = await this.acceptSet(document, endpoint);
      this.signedSet = verified;
      this.setProblem = null;
    } catch (err) {
      this.signedSet = null;
      this.setProblem = err;
    }
  }

  /** Verify a document's set against the pinned root, then against the persisted high-water mark. */
  private async acceptSet(document: unknown, endpoint: EnrolledEndpoint): Promise<VerifiedSetSummary> {
    const summary = await accountOps().verifiedSet(document, endpoint);
    await this.trust.acceptSet(endpoint.accountId, {
      epoch: summary.epoch,
      payloadSha256: summary.payloadSha256,
      version: summary.version,
      prevSha256: summary.prevSha256,
      revoked: summary.revoked,
      issuedAt: summary.issuedAt,
      recipients: summary.members.map((m) => ({ keyId: m.keyId, cameras: m.cameras })),
    });
    return summary;
  }

  /** The verified current set as section 10.1 compares manifests with it. */
  heldRecipients(): HeldRecipients | null {
    const set = this.signedSet;
    if (set === null) return null;
    return { epoch: set.epoch, issuedAt: set.issuedAt, revoked: set.revoked, recipients: set.members.map((m) => ({ keyId: m.keyId, cameras: m.cameras })) };
  }

  /** Camera names pinned in this browser from the pairing requests it verified. */
  pinnedCameraNames(): Promise<ReadonlyMap<string, string>> {
    const accountId = this.enrolled?.accountId;
    if (accountId === undefined) return Promise.resolve(new Map());
    if (this.pinned === null) {
      this.pinned = this.trust.cameraNames(accountId);
      this.pinned.catch(() => (this.pinned = null));
    }
    return this.pinned;
  }

  /** A rename made here by the user is this browser's own word: it replaces the pinned name. */
  async renameCamera(deviceId: string, cameraId: string, name: string): Promise<void> {
    await this.api.cameraRename(deviceId, cameraId, name);
    const accountId = this.enrolled?.accountId;
    if (accountId === undefined) return;
    const agentName = (await this.trust.load(accountId)).cameras.find((c) => c.deviceId === deviceId)?.agentName ?? "";
    await this.trust.pinCameras(accountId, [{ deviceId, cameraId, name, agentName }]);
    this.pinned = null;
  }

  private setAccount(account: AccountInfo, stored: StoredEndpoint | null): void {
    this.account = account;
    const status = endpointStatus(account, stored);
    const previous = this.status;
    this.status = status;
    if (status.kind !== "enrolled") {
      this.opener?.dispose();
      this.opener = null;
    } else if (previous?.kind !== "enrolled" || previous.endpoint.instance.keyId !== status.endpoint.instance.keyId) {
      this.opener?.dispose();
      this.pinned = null;
      this.opener = new ClipOpener(
        this.api,
        status.endpoint,
        async () => (await this.api.accountGet()).account,
        () => this.pinnedCameraNames(),
        () => this.heldRecipients(),
      );
    }
  }

  /**
   * Once per session (page load), an enrolled browser tells the store it is still in use: the
   * Devices screen shows it as "last seen". Best effort: a failure changes nothing else.
   */
  async reportSeen(): Promise<void> {
    const endpoint = this.enrolled;
    if (endpoint === null || this.seenReported) return;
    this.seenReported = true;
    try {
      await this.api.accountSeen(endpoint.instance.keyId);
    } catch {
      // An older integration without account/seen, or a dropped connection: nothing to do.
    }
  }

  get enrolled(): EnrolledEndpoint | null {
    return this.status?.kind === "enrolled" ? this.status.endpoint : null;
  }

  clips(): ClipOpener {
    if (this.opener === null) throw new Error("this browser is not enrolled");
    return this.opener;
  }

  async newPassphrase(): Promise<string> {
    return (await passphraseModule()).generatePassphrase();
  }

  /** The word positions the user types back to confirm they wrote the passphrase down. */
  async confirmPositions(wordTotal: number): Promise<number[]> {
    return pickPositions(wordTotal, CONFIRM_WORDS, (await passphraseModule()).randomBelow);
  }

  /**
   * Turn E2EE on. Everything is made here first; the account reaches the store in one call at
   * the very end, so a tab closed half-way leaves no account. The key is stored before that
   * call: a key whose account never arrived is ignored by endpointStatus.
   */
  async turnOn(passphrase: string, name: string, progress: (step: CreateStep | "sending") => void): Promise<void> {
    const created = await accountOps().createAccount(passphrase, progress);
    const stored = toStored(created, name, Date.now());
    await this.keystore.save(stored);
    progress("sending");
    try {
      const account = await this.api.accountCreate(created.document, name);
      this.setAccount(account, stored);
    } catch (err) {
      await this.keystore.clear();
      throw err;
    }
    await this.remember(created.document, created.endpoint);
  }

  /** After the store took a set this browser signed: raise the high-water mark to it. */
  private async remember(document: unknown, endpoint: EnrolledEndpoint): Promise<void> {
    try {
      this.signedSet = await this.acceptSet(document, endpoint);
      this.setProblem = null;
    } catch (err) {
      // The operation itself succeeded; the screens show why the set could not be kept.
      this.signedSet = null;
      this.setProblem = err;
    }
  }

  /** The account's protocol version as the store sends it (1 until migrated, section 17). */
  get accountVersion(): number | null {
    const document = this.account?.account;
    if (document === null || document === undefined) return null;
    return document["v"] === 2 ? 2 : 1;
  }

  /**
   * Run an operation that takes the passphrase, with the back-off of wrong attempts: a wrong
   * passphrase counts as a failure (WaitBeforeRetry after a few), anything else does not.
   */
  private async withPassphrase<T>(typed: string, operation: (passphrase: string) => Promise<T>): Promise<T> {
    const wait = this.limiter.waitMs();
    if (wait > 0) throw new WaitBeforeRetry(wait);
    const passphrase = await (await passphraseModule()).canonicalPassphrase(typed);
    let result: T;
    try {
      result = await operation(passphrase);
    } catch (err) {
      if (err instanceof Error && err.name === "WrongPassphrase") this.limiter.recordFailure();
      throw err;
    }
    this.limiter.recordSuccess();
    return result;
  }

  async enrol(typed: string, name: string): Promise<void> {
    const document = this.account?.account;
    if (document === null || document === undefined) throw new Error("E2EE is off");
    await this.withPassphrase(typed, async (passphrase) => {
      const created = await accountOps().enrolWithPassphrase(document, passphrase);
      const stored = toStored(created, name, Date.now());
      await this.keystore.save(stored);
      const account = await this.api.accountUpdate("enrol", created.document, name);
      this.setAccount(account, stored);
      await this.remember(created.document, created.endpoint);
      // A v1 account stays v1 here: the upgrade prompt (or the next revoke or pairing) migrates it.
    });
  }

  /** Section 17 with a passphrase already checked: account/migrate, then hold the new set. */
  private async migrateWith(passphrase: string): Promise<void> {
    const endpoint = this.enrolled;
    const document = this.account?.account;
    if (endpoint === null || document === null || document === undefined) throw new Error("not enrolled");
    await this.acceptSet(document, endpoint);
    const updated = await accountOps().migrateAccount(document, endpoint, passphrase);
    const account = await this.api.accountUpdate("migrate", updated);
    this.setAccount(account, await this.keystore.load());
    await this.remember(updated, endpoint);
  }

  /** The upgrade prompt: migrate this v1 account to v2 with the owner's passphrase. */
  async upgrade(typed: string): Promise<void> {
    if (this.accountVersion !== 1) return;
    await this.withPassphrase(typed, (passphrase) => this.migrateWith(passphrase));
  }

  /**
   * Revoke a browser. Signing the next set needs the passphrase (section 11.2), so a stolen
   * browser cannot re-admit itself; a v2 revoke also rotates the data key, a v1 account is
   * migrated without the revoked browser.
   */
  async revoke(keyId: string, typed: string): Promise<void> {
    const endpoint = this.enrolled;
    const document = this.account?.account;
    if (endpoint === null || document === null || document === undefined) throw new Error("not enrolled");
    // The next set derives from this one: it must not be older than what this browser has seen.
    await this.acceptSet(document, endpoint);
    const updated = await this.withPassphrase(typed, (passphrase) => accountOps().revokeInstance(document, endpoint, keyId, passphrase));
    const account = await this.api.accountUpdate(updated.change, updated.document);
    // Persisted only once the store holds it, so a refused update cannot strand this browser
    // above the store's set; the own key is not in the new set, so there is nothing to keep.
    if (keyId === endpoint.instance.keyId) await this.keystore.clear();
    else await this.remember(updated.document, endpoint);
    this.setAccount(account, await this.keystore.load());
  }

  async turnOff(deleteClips: boolean): Promise<void> {
    const account = await this.api.disable(deleteClips);
    await this.keystore.clear();
    this.setAccount(account, null);
  }

  cameras(): Promise<CameraList> {
    return this.api.camerasList();
  }

  async pendingPairings(): Promise<PairingSession[]> {
    const { sessions } = await this.api.pairingList();
    return sessions.filter((s) => s.state === "pending");
  }

  /** Find the request the typed code belongs to, verify it, certify the device, send the grant. */
  async pair(typedCode: string, typedPassphrase: string): Promise<{ agentName: string; cameras: string[] }> {
    const ops = accountOps();
    const sessionId = await ops.pairingSessionId(typedCode);
    const session = (await this.pendingPairings()).find((s) => s.session_id === sessionId);
    if (session === undefined) throw new NoPendingRequest("no pending request for this code");
    return this.withPassphrase(typedPassphrase, async (passphrase) => {
      // A v1 account upgrades at this passphrase entry first (section 17): the camera is then
      // paired to the v2 set, and the cameras paired before follow it without re-pairing.
      if (this.accountVersion === 1) await this.migrateWith(passphrase);
      return this.grant(session, typedCode, passphrase);
    });
  }

  private async grant(session: PairingSession, typedCode: string, passphrase: string): Promise<{ agentName: string; cameras: string[] }> {
    const endpoint = this.enrolled;
    const document = this.account?.account;
    if (endpoint === null || document === null || document === undefined) throw new Error("not enrolled");
    const ops = accountOps();
    const sessionId = session.session_id;
    const now = Math.floor(Date.now() / 1000);
    // The grant hands the device this set: it must be no older than the highest this browser
    // verified (RolledBack), and must hold this browser (else it may be a set from before a
    // revocation, or one this browser was revoked from).
    const current = await this.acceptSet(document, endpoint);
    if (!current.members.some((m) => m.role === "instance" && m.keyId === endpoint.instance.keyId)) {
      throw new NotEnrolled("the set to grant does not include this browser");
    }
    const opened = await ops.openPairingRequest(session.request, typedCode, now);
    const grant = await ops.makePairingGrant(document, endpoint, session.request, typedCode, now, passphrase);
    await this.api.pairingGrant(sessionId, grant);
    // The names the device MACed with the code, now pinned: later screens show these, not HA's.
    await this.trust.pinCameras(
      endpoint.accountId,
      opened.cameras.map((c) => ({ deviceId: opened.deviceId, cameraId: c.cameraId, name: c.name, agentName: opened.agentName })),
    );
    this.pinned = null;
    return { agentName: opened.agentName, cameras: opened.cameras.map((c) => c.name || c.cameraId) };
  }
}
