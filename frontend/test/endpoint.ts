// Endpoint round trips in both environments (section 11 and 8.4): create an account, open its
// backups, enrol a second browser, unlock with the instance key, certify a device from a
// vector request and check the grant as a device does, then revoke.

import * as account from "../src/lib/crypto/account";
import * as backup from "../src/lib/crypto/backup";
import * as certs from "../src/lib/crypto/certs";
import { type Json } from "../src/lib/crypto/encoding";
import * as endpoint from "../src/lib/crypto/endpoint";
import * as envelope from "../src/lib/crypto/envelope";
import * as kdf from "../src/lib/crypto/kdf";
import * as pairing from "../src/lib/crypto/pairing";
import { dumps, loads } from "../src/lib/crypto/encoding";
import { type DataSource, type TestSuite, assert, outcomeOf } from "./harness";

export const PASSPHRASE = "absolute corny elective ibuprofen pardon remorse shiftless stargazer unfailing unsworn";

/** The cheapest parameters section 4 allows: tests only. */
export function cheapParams(): { pdk: kdf.KdfParams; rdk: kdf.KdfParams } {
  return { pdk: kdf.newDefaultParams(15, 10_000), rdk: kdf.newDefaultParams(15, 10_000) };
}

interface PairingCase {
  name: string;
  input: { typed_code: string; now: number; request: Json };
  output: { device_key_id: string; expires_at: number };
}

export async function endpointSuites(source: DataSource): Promise<TestSuite[]> {
  const vectors = (await source.json("vectors/pairing.json")) as { cases: PairingCase[] };
  const openCase = vectors.cases.find((c) => c.name === "open-request");
  if (openCase === undefined) throw new Error("pairing.json lost its open-request case");
  let created: Awaited<ReturnType<typeof endpoint.createAccount>> | null = null;
  const made = async () => (created ??= await endpoint.createAccount(PASSPHRASE, cheapParams()));

  return [
    {
      name: "endpoint (section 11, 8.4)",
      cases: [
        {
          name: "create: document round-trips through JSON and unlocks with the passphrase",
          run: async () => {
            const { document, endpoint: self } = await made();
            assert(!self.instanceKey.privateKey.extractable, "instance key is extractable");
            const reparsed = account.accountFromJson(loads(dumps(account.accountToJson(document))));
            const keys = await endpoint.unlockWithPassphrase(reparsed, PASSPHRASE.toUpperCase());
            const data = await endpoint.openDataKey(reparsed, keys.rdk);
            for (const key of [keys.signing, keys.recovery, data]) assert(!key.privateKey.extractable, "extractable");
            assert(data.keyId === (await endpoint.verifyCurrentSet(reparsed, self)).dataKeyId, "data key id");
          },
        },
        {
          name: "create: a wrong passphrase is WrongPassphrase, a typo InvalidPassphrase",
          run: async () => {
            const { document } = await made();
            const other = PASSPHRASE.split(" ").reverse().join(" ");
            assert((await outcomeOf(() => endpoint.unlockWithPassphrase(document, other))) === "WrongPassphrase", "wrong");
            const typo = PASSPHRASE.replace("corny", "cornyy");
            assert((await outcomeOf(() => endpoint.unlockWithPassphrase(document, typo))) === "InvalidPassphrase", "typo");
          },
        },
        {
          name: "backup: a backup opens only as the key its role's certificate names",
          run: async () => {
            const { document } = await made();
            const keys = await endpoint.unlockWithInstance(document, (await made()).endpoint);
            const recoveryCert = await certs.loadCert(document.recoveryCertDer);
            const outcome = await outcomeOf(async () => {
              const pdk = await endpoint.derivePdk(document, PASSPHRASE);
              await backup.openBackup(document.backups.signing, pdk, document.accountId, recoveryCert);
            });
            assert(outcome === "BackupMismatch", outcome);
            keys.rdk.fill(0);
          },
        },
        {
          name: "backup: a swapped signing backup is BackupMismatch, not WrongPassphrase (issue 11)",
          run: async () => {
            const { document } = await made();
            const other = await endpoint.createAccount(PASSPHRASE.split(" ").reverse().join(" "), cheapParams());
            // The store keeps the parameters and swaps the rest (check and PKCS#12) for another account's.
            const foreign = { ...other.document.backups.signing, accountId: document.accountId, kdf: document.backups.signing.kdf };
            const swapped = { ...document, backups: { ...document.backups, signing: foreign } };
            const outcome = await outcomeOf(() => endpoint.unlockWithPassphrase(swapped, PASSPHRASE));
            assert(outcome === "BackupMismatch", outcome);
            const wrong = await outcomeOf(() => endpoint.unlockWithPassphrase(document, PASSPHRASE.split(" ").reverse().join(" ")));
            assert(wrong === "WrongPassphrase", wrong);
          },
        },
        {
          name: "enrol, unlock with the instance key, pair a device, revoke",
          run: async () => {
            const first = await made();
            const second = await endpoint.enrolWithPassphrase(first.document, PASSPHRASE, first.document.accountId);
            const set = await endpoint.verifyCurrentSet(second.document, second.endpoint);
            assert(set.epoch === 2 && set.keys.length === 3, `epoch ${set.epoch}, ${set.keys.length} keys`);
            const keys = await endpoint.unlockWithInstance(second.document, second.endpoint);
            const request = envelope.macedFromJson(openCase.input.request);
            const { grant } = await pairing.makePairingGrant({
              request,
              typedCode: openCase.input.typed_code,
              now: openCase.input.now,
              root: second.endpoint.root,
              signingKey: keys.signing.privateKey,
              recipientSet: second.document.recipientSet,
              dataKeyId: set.dataKeyId,
            });
            const accepted = await pairing.acceptPairingGrant(grant, {
              code: openCase.input.typed_code,
              requestPayload: request.payload,
              deviceKeyId: openCase.output.device_key_id,
              expiresAt: openCase.output.expires_at,
              now: openCase.input.now,
              alreadyUsed: false,
            });
            assert(accepted.accountId === first.document.accountId && accepted.recipientSet.epoch === 2, "grant");
            const revoked = await endpoint.revokeInstance(second.document, second.endpoint, first.endpoint.instanceKey.keyId);
            const after = await endpoint.verifyCurrentSet(revoked, second.endpoint);
            assert(after.epoch === 3 && after.keys.length === 2, "revoked set");
            const gone = await outcomeOf(() => endpoint.unlockWithInstance(revoked, first.endpoint));
            assert(gone === "UntrustedKey", gone);
            keys.rdk.fill(0);
          },
        },
        {
          name: "attack: a revoked instance put back into the store's `instances` is not signed back in",
          run: async () => {
            const first = await made();
            const second = await endpoint.enrolWithPassphrase(first.document, PASSPHRASE);
            const revokedId = second.endpoint.instanceKey.keyId;
            const revoked = await endpoint.revokeInstance(second.document, first.endpoint, revokedId);
            const smuggled = second.document.instances.find((i) => i.keyId === revokedId);
            assert(smuggled !== undefined, "no entry to smuggle");
            const tampered = { ...revoked, instances: [...revoked.instances, smuggled] };
            const third = await endpoint.enrolWithPassphrase(tampered, PASSPHRASE);
            const members = (await endpoint.verifyCurrentSet(third.document, first.endpoint)).keys.map((k) => k.keyId);
            assert(!members.includes(revokedId), "enrol signed the revoked instance back in");
            assert(!third.document.instances.some((i) => i.keyId === revokedId), "enrol kept its entry");
            const thirdId = third.endpoint.instanceKey.keyId;
            const again = await endpoint.revokeInstance({ ...third.document, instances: [...third.document.instances, smuggled] }, first.endpoint, thirdId);
            const after = (await endpoint.verifyCurrentSet(again, first.endpoint)).keys.map((k) => k.keyId);
            assert(!after.includes(revokedId) && !after.includes(thirdId), "revoke signed the revoked instance back in");
          },
        },
      ],
    },
  ];
}
