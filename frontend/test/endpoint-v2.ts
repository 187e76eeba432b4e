// Version-2 endpoint operations in both environments (section 11.3): create, enrol, and revoke
// with rotation, played as issue 10's check: a revoked browser that copied out everything it
// could (its instance key, the RDK its wrap gave it, the data key that RDK opens) cannot open a
// clip made after the revocation.

import { createAccountV2, enrolSelfV2, migrateV1, revokeV2 } from "../src/lib/crypto/account-build-v2";
import * as endpointV1 from "../src/lib/crypto/endpoint";
import * as recipients from "../src/lib/crypto/recipients";
import { accountV2FromJson, accountV2ToJson } from "../src/lib/crypto/account-v2";
import { dumps, loads } from "../src/lib/crypto/encoding";
import { unlockV2 } from "../src/lib/crypto/endpoint-v2";
import { openClipKeyBytes } from "../src/lib/crypto/clip";
import { openDataKeyV2, readDataKeyV2 } from "../src/lib/crypto/endpoint-v2";
import * as kdf from "../src/lib/crypto/kdf";
import { type ClipManifest } from "../src/lib/crypto/manifest";
import * as certs from "../src/lib/crypto/certs";
import * as primitives from "../src/lib/crypto/primitives";
import { dataRdkContext, unwrapBytes, wrapContext, wrapToP256, wrapToRsa } from "../src/lib/crypto/wrap";
import { toHex, equal } from "../src/lib/crypto/bytes";
import { type TestSuite, assert, outcomeOf } from "./harness";

const PASSPHRASE = "absolute corny elective ibuprofen pardon remorse shiftless stargazer unfailing unsworn";

export function endpointV2Suites(): TestSuite[] {
  return [
    {
      name: "endpoint v2 (section 11.3)",
      cases: [
        {
          name: "revoke rotates the data key: a revoked browser's copied keys open no new clip",
          run: async () => {
            const owner = await createAccountV2(PASSPHRASE, kdf.newDefaultParams(15, 10_000));
            // Every document goes through the store as JSON, as it would.
            const viaStore = (document: typeof owner.document) => accountV2FromJson(loads(dumps(accountV2ToJson(document))));
            const second = await enrolSelfV2(viaStore(owner.document), PASSPHRASE);
            // The second browser copies out everything it can reach: RDK_1 and data key 1.
            const entry = second.document.instances.find((i) => i.keyId === second.instance.keyId);
            const firstWrap = entry?.rdkWrapped[0];
            assert(entry !== undefined && entry.rdkWrapped.length === 1 && firstWrap !== undefined, "enrolled entry");
            const stolenRdk = await unwrapBytes(second.instance, firstWrap, dataRdkContext(owner.document.accountId, 1), "data-rdk");
            const gen1 = second.document.dataKeys[0];
            assert(gen1 !== undefined, "generation 1");
            const stolenDataKey = await openDataKeyV2(second.document, gen1, stolenRdk);
            const revoked = await revokeV2(viaStore(second.document), second.verified, owner.instance.keyId, PASSPHRASE, [second.instance.keyId]);
            const reopened = await unlockV2(viaStore(revoked.document), PASSPHRASE);
            assert(reopened.rdks.length === 2, "the passphrase opens both generations");
            for (const rdk of reopened.rdks) rdk.fill(0);
            const set = revoked.verified.recipientSet;
            assert(set.version === 2 && set.epoch === 3 && (set.revoked ?? []).includes(second.instance.keyId), "revoked list");
            assert((set.revoked ?? []).includes(stolenDataKey.keyId), "the old data key is retired");
            assert(!revoked.document.instances.some((i) => i.keyId === second.instance.keyId), "entry dropped");
            // A clip recorded after the revocation: wrapped to the new set's recipients only.
            const clipId = primitives.randomBytes(16);
            const clipKey = primitives.randomBytes(16);
            const context = wrapContext("clip-key", clipId);
            const wrappedKeys = [];
            for (const recipient of set.recipients) {
              const key = (await certs.loadCert(recipient.certDer)).key;
              wrappedKeys.push(
                key.kind === "p256"
                  ? await wrapToP256(await primitives.p256PublicFromSpki(key.spki), clipKey, context)
                  : await wrapToRsa(await primitives.rsaPublicFromSpki(key.spki, "oaep"), clipKey, context),
              );
            }
            const manifest = { clipId: toHex(clipId), wrappedKeys } as unknown as ClipManifest;
            const thief = await outcomeOf(() => openClipKeyBytes(manifest, [second.instance, stolenDataKey]));
            assert(thief === "NoRecipientKey", `the revoked browser's keys: ${thief}`);
            assert(equal(await openClipKeyBytes(manifest, [owner.instance]), clipKey), "the owner opens it");
            // Nor does the stolen RDK open generation 2, and the revoked browser has no wrap of it.
            const gen2 = revoked.document.dataKeys[1];
            assert(gen2 !== undefined, "generation 2");
            const withOld = await outcomeOf(() => openDataKeyV2(revoked.document, gen2, stolenRdk));
            assert(withOld === "BackupMismatch", `RDK_1 on generation 2: ${withOld}`);
            const noWrap = await outcomeOf(() => readDataKeyV2(revoked.document, second.instance, 2));
            assert(noWrap === "NoRecipientKey", `revoked browser reading generation 2: ${noWrap}`);
            // The owner still reads old clips (generation 1) and new ones (generation 2).
            assert((await readDataKeyV2(revoked.document, owner.instance, 1)).keyId === stolenDataKey.keyId, "old generation");
            assert((await readDataKeyV2(revoked.document, owner.instance, 2)).keyId === set.recipients.find((r) => r.role === "data")?.keyId, "new generation");
            stolenRdk.fill(0);
          },
        },
        {
          name: "migration: a v1 account made by this endpoint upgrades in place; old clips stay readable",
          run: async () => {
            const cheap = kdf.newDefaultParams(15, 10_000);
            const v1 = await endpointV1.createAccount(PASSPHRASE, { pdk: cheap, rdk: cheap });
            const enrolled = await endpointV1.enrolWithPassphrase(v1.document, PASSPHRASE);
            const held = await endpointV1.verifyCurrentSet(enrolled.document, v1.endpoint);
            const v1Keys = await endpointV1.unlockWithPassphrase(enrolled.document, PASSPHRASE);
            const v1DataKey = await endpointV1.openDataKey(enrolled.document, v1Keys.rdk);
            const reused = await outcomeOf(() => migrateV1(enrolled.document, held, v1.endpoint.instanceKey.keyId, PASSPHRASE, [], cheap));
            assert(reused === "Error", `migrating under the v1 salts: ${reused}`);
            const migrated = await migrateV1(enrolled.document, held, v1.endpoint.instanceKey.keyId, PASSPHRASE, [], kdf.newDefaultParams(15, 10_000));
            const set = migrated.verified;
            assert(set.recipientSet.version === 2 && set.epoch === 3, `v2 set at epoch ${set.epoch}`);
            // Agents holding the v1 set accept it: it chains to C and keeps every member.
            assert((await recipients.checkSetSuccession(set, await recipients.heldSetOf(held))) === true, "succession");
            assert(equal(set.recipientSet.prevSha256 ?? new Uint8Array(), await primitives.sha256(held.payload)), "prev_sha256 chains to the v1 set");
            assert((set.recipientSet.revoked ?? []).includes(v1DataKey.keyId), "the v1 data key is retired for new clips");
            const unlocked = await unlockV2(accountV2FromJson(loads(dumps(accountV2ToJson(migrated.document)))), PASSPHRASE);
            assert(unlocked.signing.keyId === v1.document.accountId, "same root key: no re-pairing");
            for (const rdk of unlocked.rdks) rdk.fill(0);
            // Old clips: generation 1 is the v1 data key, readable by both enrolled browsers.
            for (const instance of [v1.endpoint.instanceKey, enrolled.endpoint.instanceKey]) {
              assert((await readDataKeyV2(migrated.document, instance, 1)).keyId === v1DataKey.keyId, "generation 1 = v1 data key");
            }
            // The v1 PDK (which every v1 browser could unwrap) opens nothing in the v2 document.
            const pdk1 = await endpointV1.derivePdk(enrolled.document, PASSPHRASE);
            const stale = await outcomeOf(() => kdf.verifyPassphraseCheck(pdk1, migrated.document.accountId, migrated.document.passphrase.check));
            assert(stale === "WrongPassphrase", `the v1 PDK against the v2 check: ${stale}`);
            pdk1.fill(0);
            v1Keys.rdk.fill(0);
          },
        },
      ],
    },
  ];
}
