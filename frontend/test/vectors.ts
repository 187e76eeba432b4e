// The shared vector files (tests/vectors/*.json, protocol section 14) run against the
// TypeScript endpoint. One runner per file with the contract of tests/vectors/runners.py: a
// case's `input` gives the `output` the case expects, or throws the error its `expect` names.

import { b64decode, b64encode, type Json } from "../src/lib/crypto/encoding";
import { fromHex, toHex } from "../src/lib/crypto/bytes";
import { importPkcs8 } from "../src/lib/crypto/keys";
import * as certs from "../src/lib/crypto/certs";
import * as recipients from "../src/lib/crypto/recipients";
import * as manifest from "../src/lib/crypto/manifest";
import * as clip from "../src/lib/crypto/clip";
import { decodePaddedEvents } from "../src/lib/crypto/event-padding";
import * as envelope from "../src/lib/crypto/envelope";
import * as passphrase from "../src/lib/crypto/passphrase";
import * as kdf from "../src/lib/crypto/kdf";
import * as wrap from "../src/lib/crypto/wrap";
import * as pairing from "../src/lib/crypto/pairing";
import * as backup from "../src/lib/crypto/backup";
import * as account from "../src/lib/crypto/account";
import * as endpoint from "../src/lib/crypto/endpoint";
import * as primitives from "../src/lib/crypto/primitives";
import * as streamFormat from "../src/lib/crypto/stream-format";
import { StreamDecryptor, StreamEncryptor, decryptAll } from "../src/lib/crypto/stream";
import { concat, equal } from "../src/lib/crypto/bytes";
import { type DataSource, type TestSuite, AssertionFailed, expectOutcome } from "./harness";
import { V2_RUNNERS } from "./vectors-v2";
import { runLive } from "./vectors-live";

type Input = Record<string, Json>;
type Runner = (input: Input) => Promise<unknown>;

const SMALL_PIECE = 7;

function b64(value: Json | undefined): Uint8Array<ArrayBuffer> {
  return b64decode(value, "vector");
}

function str(value: Json | undefined): string {
  if (typeof value !== "string") throw new AssertionFailed("vector field is not a string");
  return value;
}

function num(value: Json | undefined): number {
  if (typeof value !== "number") throw new AssertionFailed("vector field is not a number");
  return value;
}

// --- section 7 -----------------------------------------------------------------------------------

async function runWrap(input: Input): Promise<unknown> {
  const purpose = str(input["purpose"]) as wrap.WrapPurpose;
  const context = wrap.wrapContext(purpose, b64(input["subject"]));
  let key: Uint8Array;
  if ("wrapped" in input) {
    const held = await importPkcs8(b64(input["private_key"]));
    key = await wrap.unwrapBytes(held, wrap.wrappedFromJson(input["wrapped"]), context, purpose);
  } else {
    const held = await Promise.all(
      (input["private_keys"] as Json[]).map((text) => importPkcs8(b64(text))),
    );
    const wrappedKeys = (input["wrapped_keys"] as Json[]).map((w) => wrap.wrappedFromJson(w));
    key = await wrap.unwrapAny(held, wrappedKeys, (h, w) => wrap.unwrapBytes(h, w, context, purpose));
  }
  return { context: b64encode(context), key: b64encode(key) };
}

// --- section 9 -----------------------------------------------------------------------------------

async function decryptTwice(
  clipKey: Uint8Array,
  clipId: Uint8Array,
  kind: streamFormat.ContentKind,
  ciphertext: Uint8Array,
): Promise<Uint8Array> {
  const plaintext = await decryptAll(new StreamDecryptor(clipKey, clipId, kind), ciphertext);
  const pieces = new StreamDecryptor(clipKey, clipId, kind);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < ciphertext.length; i += SMALL_PIECE) {
    parts.push(await pieces.update(ciphertext.subarray(i, i + SMALL_PIECE)));
  }
  parts.push(await pieces.finalize());
  if (!equal(concat(...parts), plaintext)) {
    throw new AssertionFailed("piecewise decryption differs from whole decryption");
  }
  return plaintext;
}

async function runStream(input: Input): Promise<unknown> {
  const clipKey = b64(input["clip_key"]);
  const clipId = fromHex(str(input["clip_id"]));
  const kind = str(input["kind"]) as streamFormat.ContentKind;
  const contentKey = b64encode(await streamFormat.contentKeyBytes(clipKey, clipId, kind));
  if (input["op"] === "chunk") {
    const headerBytes = b64(input["header"]);
    const header = streamFormat.parseHeader(headerBytes);
    const range = streamFormat.chunkRange(
      num(input["index"]),
      header.chunkSize,
      num(input["chunk_count"]),
      num(input["ciphertext_size"]),
    );
    const plaintext = await streamFormat.decryptChunk(
      clipKey,
      headerBytes,
      num(input["index"]),
      b64(input["chunk"]),
      num(input["chunk_count"]),
      clipId,
      kind,
    );
    return { content_key: contentKey, range, plaintext: b64encode(plaintext) };
  }
  const ciphertext = b64(input["ciphertext"]);
  const plaintext = await decryptTwice(clipKey, clipId, kind, ciphertext);
  const encryptor = new StreamEncryptor(clipKey, clipId, kind, num(input["chunk_size"]));
  const again = concat(await encryptor.update(plaintext), await encryptor.finalize());
  if (!equal(again, ciphertext)) {
    throw new AssertionFailed("re-encrypting the plaintext does not give the vector's ciphertext");
  }
  return { content_key: contentKey, plaintext: b64encode(plaintext) };
}

// --- section 5 -----------------------------------------------------------------------------------

async function cert(text: Json | undefined): Promise<certs.Cert> {
  return certs.loadCert(b64(text));
}

async function runCerts(input: Input): Promise<unknown> {
  const role = str(input["role"]) as certs.Role;
  const subject = await cert(input["cert"]);
  if (role === "root") return { key_id: (await certs.verifyRoot(subject)).keyId };
  return { key_id: (await certs.verifyIssued(subject, await cert(input["root_cert"]), role)).keyId };
}

// --- section 6 -----------------------------------------------------------------------------------

async function runRecipientSet(input: Input): Promise<unknown> {
  const stored = input["highest_payload"];
  const verified = await recipients.verifyRecipientSet(
    envelope.signedFromJson(input["envelope"]),
    await cert(input["root_cert"]),
    input["pinned_data_key_id"] === null ? null : str(input["pinned_data_key_id"]),
  );
  const highest = input["highest_epoch"];
  const advances = recipients.checkEpoch(
    verified,
    highest === null || highest === undefined ? null : num(highest),
    stored === null || stored === undefined ? null : b64(stored),
  );
  return {
    epoch: verified.epoch,
    advances,
    data_key_id: verified.dataKeyId,
    key_ids: verified.keys.map((k) => k.keyId),
  };
}

// --- section 10 ----------------------------------------------------------------------------------

function manifestSummary(parsed: manifest.ClipManifest): unknown {
  const blob = (value: manifest.BlobRef | null) => (value === null ? null : manifest.blobToJson(value));
  return {
    clip_id: parsed.clipId,
    account_id: parsed.accountId,
    device_id: parsed.deviceId,
    camera_id: parsed.cameraId,
    start_ms: parsed.startMs,
    end_ms: parsed.endMs,
    recipient_epoch: parsed.recipientEpoch,
    visible_events: parsed.visibleEvents,
    video: blob(parsed.video),
    thumbnail: blob(parsed.thumbnail),
    events: blob(parsed.events),
    wrapped_key_ids: parsed.wrappedKeys.map((w) => w.keyId),
  };
}

async function runManifest(input: Input): Promise<unknown> {
  const parsed = await clip.verifyClipManifest(
    envelope.signedFromJson(input["envelope"]),
    await cert(input["device_cert"]),
    await cert(input["root_cert"]),
  );
  return manifestSummary(parsed);
}

// --- sections 9-11: a whole clip -----------------------------------------------------------------

async function runClip(input: Input): Promise<unknown> {
  const parsed = await clip.verifyClipManifest(
    envelope.signedFromJson(input["manifest"]),
    await cert(input["device_cert"]),
    await cert(input["root_cert"]),
  );
  const held = await Promise.all((input["private_keys"] as Json[]).map((k) => importPkcs8(b64(k))));
  // Both key paths: the bytes (compared with the vector) and the non-extractable handle (used).
  const clipKeyBytes = await clip.openClipKeyBytes(parsed, held);
  const clipKey = await clip.openClipKey(parsed, held);
  const output: Record<string, unknown> = { clip_id: parsed.clipId, clip_key: b64encode(clipKeyBytes) };
  for (const kind of streamFormat.CONTENT_KINDS) {
    const ciphertext = input[kind];
    if (ciphertext === null || ciphertext === undefined) {
      output[kind] = null;
      continue;
    }
    output[kind] = b64encode(await clip.decryptBlob(parsed, clipKey, kind, b64(ciphertext)));
  }
  if (output["events"] !== null) {
    // As the clip opener reads them: padded (v2 agents) or a v1 agent's bare JSON, as Python's
    // clip.decode_events does.
    const events = decodePaddedEvents(b64(output["events"] as string));
    output["events_parsed"] = events.map(clip.eventToJson);
  }
  return output;
}

// --- sections 3 and 4 ----------------------------------------------------------------------------

async function runPassphrase(input: Input): Promise<unknown> {
  return { canonical: await passphrase.canonicalPassphrase(str(input["typed"])) };
}

async function runKdf(input: Input): Promise<unknown> {
  const params = kdf.paramsFromJson(input["params"]);
  const key = await kdf.deriveKey(b64(input["secret"]), params);
  const accountId = str(input["account_id"]);
  if ("check" in input) await kdf.verifyKeyCheck(key, accountId, b64(input["check"]));
  return {
    key: toHex(key),
    password: kdf.passwordFor(key),
    check: b64encode(await kdf.keyCheck(key, accountId)),
  };
}

// --- section 11: one backup ----------------------------------------------------------------------

async function runBackup(input: Input): Promise<unknown> {
  const opened = await backup.openBackup(
    backup.backupFromJson(input["backup"]),
    fromHex(str(input["derived_key"])),
    str(input["account_id"]),
    await cert(input["expected_cert"]),
  );
  if (opened.privateKey.extractable) throw new AssertionFailed("an opened backup key is extractable");
  return { public_key: b64encode(await primitives.exportSpki(opened.publicKey)) };
}

// --- section 11: a whole account -----------------------------------------------------------------

async function runAccount(input: Input): Promise<unknown> {
  const document = account.accountFromJson(input["account"]);
  const keys = await endpoint.unlockWithPassphrase(document, str(input["passphrase"]));
  const dataKey = await endpoint.openDataKey(document, keys.rdk);
  for (const key of [keys.signing, keys.recovery, dataKey]) {
    if (key.privateKey.extractable) throw new AssertionFailed("an account private key is extractable");
  }
  return {
    account_id: document.accountId,
    signing_public_key: b64encode(await primitives.exportSpki(keys.signing.publicKey)),
    recovery_public_key: b64encode(await primitives.exportSpki(keys.recovery.publicKey)),
    data_public_key: b64encode(await primitives.exportSpki(dataKey.publicKey)),
    rdk: b64encode(keys.rdk),
  };
}

// --- section 8 -----------------------------------------------------------------------------------

async function runPairing(input: Input): Promise<unknown> {
  const op = str(input["op"]);
  if (op === "normalise") return { code: pairing.normaliseCode(str(input["typed"])) };
  if (op === "derive") {
    const keys = await pairing.derivePairingKeys(str(input["typed"]));
    return {
      session_id: keys.sessionId,
      request_mac_key: b64encode(keys.requestMacKey),
      grant_mac_key: b64encode(keys.grantMacKey),
    };
  }
  if (op === "open_request") {
    const request = await pairing.openPairingRequest(
      envelope.macedFromJson(input["request"]),
      str(input["typed_code"]),
      num(input["now"]),
    );
    return {
      session_id: request.sessionId,
      device_key_id: request.deviceKey.keyId,
      agent_name: request.agentName,
      cameras: request.cameras.map((c) => ({ camera_id: c.cameraId, name: c.name })),
      expires_at: request.expiresAt,
    };
  }
  if (op === "accept_grant") {
    // The device's own key: only its key_id is compared with the certificate's.
    const deviceKeyId = (await importPkcs8(b64(input["device_private_key"]))).keyId;
    const accepted = await pairing.acceptPairingGrant(envelope.macedFromJson(input["grant"]), {
      code: str(input["code"]),
      requestPayload: b64(input["request_payload"]),
      deviceKeyId,
      expiresAt: num(input["expires_at"]),
      now: num(input["now"]),
      alreadyUsed: input["already_used"] === true,
    });
    return {
      account_id: accepted.accountId,
      data_key_id: accepted.dataKeyId,
      device_id: accepted.deviceId,
      epoch: accepted.recipientSet.epoch,
    };
  }
  throw new AssertionFailed(`unknown pairing op ${op}`);
}

export const RUNNERS: Record<string, Runner> = {
  passphrase: runPassphrase,
  kdf: runKdf,
  recipient_set: runRecipientSet,
  manifest: runManifest,
  clip: runClip,
  certs: runCerts,
  wrap: runWrap,
  stream: runStream,
  pairing: runPairing,
  backup: runBackup,
  account: runAccount,
  ...V2_RUNNERS,
  live: runLive,
};

interface VectorFile {
  description: string;
  cases: { name: string; input: Input; expect: string; output?: unknown }[];
}

/** One suite per vector file; a file without a runner here, or missing, fails. */
export async function vectorSuites(source: DataSource, names: readonly string[]): Promise<TestSuite[]> {
  return Promise.all(
    names.map(async (name) => {
      const runner = RUNNERS[name];
      if (runner === undefined) throw new Error(`no TypeScript runner for vectors/${name}.json`);
      const file = (await source.json(`vectors/${name}.json`)) as VectorFile;
      return {
        name: `vectors/${name}.json`,
        cases: file.cases.map((entry) => ({
          name: `${entry.name} (${entry.expect})`,
          run: () => expectOutcome(() => runner(entry.input), entry.expect, entry.output),
        })),
      };
    }),
  );
}

export const VECTOR_FILES = Object.keys(RUNNERS);
