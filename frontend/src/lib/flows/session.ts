// The panel's state and every multi-step operation, outside any component: load the account and
// this browser's enrolment, turn E2EE on or off, enrol, revoke, pair, rename, unpair.

import { E2eeApi, type HassTransport } from "../api/client";
import { type AccountInfo, type CameraList, type PairingSession } from "../api/schemas";
import { Keystore, type StoredEndpoint } from "../keystore/keystore";
import { type CreateStep, type CreatedAccount, type EnrolledEndpoint, accountOps } from "./account-ops";
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
  private opener: ClipOpener | null = null;
  private seenReported = false;

  constructor(
    hass: HassTransport,
    private readonly keystore: Keystore = new Keystore(),
    readonly limiter: AttemptLimiter = new AttemptLimiter(),
  ) {
    this.api = new E2eeApi(hass);
  }

  async refresh(): Promise<EndpointStatus> {
    const [account, stored] = await Promise.all([this.api.accountGet(), this.keystore.load()]);
    this.setAccount(account, stored);
    return this.status as EndpointStatus;
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
      this.opener = new ClipOpener(this.api, status.endpoint, async () => (await this.api.accountGet()).account);
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
  }

  async enrol(typed: string, name: string): Promise<void> {
    const wait = this.limiter.waitMs();
    if (wait > 0) throw new WaitBeforeRetry(wait);
    const document = this.account?.account;
    if (document === null || document === undefined) throw new Error("E2EE is off");
    const passphrase = await (await passphraseModule()).canonicalPassphrase(typed);
    let created: CreatedAccount;
    try {
      created = await accountOps().enrolWithPassphrase(document, passphrase);
    } catch (err) {
      if (err instanceof Error && err.name === "WrongPassphrase") this.limiter.recordFailure();
      throw err;
    }
    this.limiter.recordSuccess();
    const stored = toStored(created, name, Date.now());
    await this.keystore.save(stored);
    const account = await this.api.accountUpdate("enrol", created.document, name);
    this.setAccount(account, stored);
  }

  async revoke(keyId: string): Promise<void> {
    const endpoint = this.enrolled;
    const document = this.account?.account;
    if (endpoint === null || document === null || document === undefined) throw new Error("not enrolled");
    const updated = await accountOps().revokeInstance(document, endpoint, keyId);
    const account = await this.api.accountUpdate("revoke", updated);
    if (keyId === endpoint.instance.keyId) await this.keystore.clear();
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
  async pair(typedCode: string): Promise<{ agentName: string; cameras: string[] }> {
    const endpoint = this.enrolled;
    const document = this.account?.account;
    if (endpoint === null || document === null || document === undefined) throw new Error("not enrolled");
    const ops = accountOps();
    const sessionId = await ops.pairingSessionId(typedCode);
    const session = (await this.pendingPairings()).find((s) => s.session_id === sessionId);
    if (session === undefined) throw new NoPendingRequest("no pending request for this code");
    const now = Math.floor(Date.now() / 1000);
    const opened = await ops.openPairingRequest(session.request, typedCode, now);
    const grant = await ops.makePairingGrant(document, endpoint, session.request, typedCode, now);
    await this.api.pairingGrant(sessionId, grant);
    return { agentName: opened.agentName, cameras: opened.cameras.map((c) => c.name || c.cameraId) };
  }
}
