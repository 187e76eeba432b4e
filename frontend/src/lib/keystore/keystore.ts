// This browser's enrolment, kept in IndexedDB: the instance key (its private half a
// non-extractable CryptoKey, which IndexedDB stores by structured clone without ever exposing
// its bytes), the pinned root certificate and the account id.
//
// Nothing here is secret in the sense of being readable: script on this origin can *use* the
// private key while the page is open, but no one can copy it off the device.

const DB_NAME = "e2ee-nvr";
const DB_VERSION = 1;
const STORE = "endpoint";
const RECORD_KEY = "self";

export interface StoredInstanceKey {
  keyId: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicPoint: Uint8Array;
}

export interface StoredEndpoint {
  accountId: string;
  /** The root certificate (DER) pinned when this browser was enrolled. */
  rootCertDer: Uint8Array;
  instance: StoredInstanceKey;
  name: string;
  enrolledAt: number;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

function openDb(factory: IDBFactory): Promise<IDBDatabase> {
  const req = factory.open(DB_NAME, DB_VERSION);
  req.onupgradeneeded = () => {
    if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
  };
  return request(req);
}

function isStoredEndpoint(value: unknown): value is StoredEndpoint {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Partial<StoredEndpoint>;
  const instance = record.instance;
  return (
    typeof record.accountId === "string" &&
    record.rootCertDer instanceof Uint8Array &&
    typeof record.name === "string" &&
    typeof record.enrolledAt === "number" &&
    typeof instance === "object" &&
    instance !== null &&
    typeof instance.keyId === "string" &&
    instance.privateKey instanceof CryptoKey &&
    instance.publicKey instanceof CryptoKey &&
    instance.publicPoint instanceof Uint8Array
  );
}

/** Records kept beside the enrolment (trust-store.ts): any structured-clone value by key. */
export interface RecordStore {
  getRecord(key: string): Promise<unknown>;
  putRecord(key: string, value: unknown): Promise<void>;
}

export class Keystore implements RecordStore {
  private db: Promise<IDBDatabase> | null = null;

  constructor(private readonly factory: IDBFactory = globalThis.indexedDB) {}

  private database(): Promise<IDBDatabase> {
    this.db ??= openDb(this.factory);
    return this.db;
  }

  private async run<T>(mode: IDBTransactionMode, body: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.database();
    const tx = db.transaction(STORE, mode);
    const result = request(body(tx.objectStore(STORE)));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
      tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
    });
    return result;
  }

  /** This browser's enrolment, or null. A record of the wrong shape counts as none. */
  async load(): Promise<StoredEndpoint | null> {
    const value: unknown = await this.run("readonly", (store) => store.get(RECORD_KEY));
    return isStoredEndpoint(value) ? value : null;
  }

  /**
   * Keep the enrolment. Refuses an extractable private key: the instance key must never be
   * able to leave this browser.
   */
  async save(endpoint: StoredEndpoint): Promise<void> {
    if (endpoint.instance.privateKey.extractable) {
      throw new Error("refusing to store an extractable instance private key");
    }
    await this.run("readwrite", (store) => store.put(endpoint, RECORD_KEY));
  }

  async getRecord(key: string): Promise<unknown> {
    if (key === RECORD_KEY) throw new Error("the enrolment record is read through load()");
    return this.run("readonly", (store) => store.get(key));
  }

  async putRecord(key: string, value: unknown): Promise<void> {
    if (key === RECORD_KEY) throw new Error("the enrolment record is written through save()");
    await this.run("readwrite", (store) => store.put(value, key));
  }

  /** Forget the enrolment (after turning E2EE off, or when this browser was revoked). */
  async clear(): Promise<void> {
    await this.run("readwrite", (store) => store.delete(RECORD_KEY));
  }

  close(): void {
    void this.db?.then((db) => db.close());
    this.db = null;
  }
}
