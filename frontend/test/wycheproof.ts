// Project Wycheproof files run against primitives.ts: exactly the calls the protocol makes,
// with its parameters (96-bit GCM nonces and 128-bit tags, full-length HMAC tags, P-256, OAEP
// and PSS with SHA-256/MGF1-SHA-256, PSS salt 32). Every valid case must pass and every
// invalid one be refused; "acceptable" cases may go either way. Groups outside those
// parameters are not the protocol's calls and are left out by the filters named below.

import { concat, equal, fromHex } from "../src/lib/crypto/bytes";
import { b64decode } from "../src/lib/crypto/encoding";
import * as primitives from "../src/lib/crypto/primitives";
import { type DataSource, type TestCase, type TestSuite, AssertionFailed, assert } from "./harness";

interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: "valid" | "invalid" | "acceptable";
  [field: string]: unknown;
}
interface WycheproofGroup {
  tests: WycheproofTest[];
  [field: string]: unknown;
}
interface WycheproofFile {
  testGroups: WycheproofGroup[];
}

const hex = (value: unknown): Uint8Array<ArrayBuffer> => fromHex(String(value));

/** Valid: `attempt` returns true. Invalid: it returns false or throws. Acceptable: anything. */
function caseFor(test: WycheproofTest, attempt: () => Promise<boolean>): TestCase {
  return {
    name: `tcId ${test.tcId} ${test.result} ${test.comment}`.trim(),
    run: async () => {
      let ok = false;
      let error: unknown = null;
      try {
        ok = await attempt();
      } catch (err) {
        error = err;
      }
      if (test.result === "valid") {
        assert(ok, `valid case refused${error === null ? "" : `: ${String(error)}`}`);
      } else if (test.result === "invalid") {
        assert(!ok, "invalid case accepted");
      }
    },
  };
}

async function suite(
  source: DataSource,
  file: string,
  select: (group: WycheproofGroup) => boolean,
  attempt: (group: WycheproofGroup, test: WycheproofTest) => Promise<boolean>,
): Promise<TestSuite> {
  const data = (await source.json(`wycheproof/${file}`)) as WycheproofFile;
  const cases: TestCase[] = [];
  for (const group of data.testGroups.filter(select)) {
    for (const test of group.tests) cases.push(caseFor(test, () => attempt(group, test)));
  }
  if (cases.length === 0) throw new AssertionFailed(`wycheproof/${file}: no case selected`);
  return { name: `wycheproof/${file}`, cases };
}

async function aesGcm(group: WycheproofGroup, test: WycheproofTest): Promise<boolean> {
  const key = hex(test["key"]);
  const iv = hex(test["iv"]);
  const aad = hex(test["aad"]);
  const sealed = concat(hex(test["ct"]), hex(test["tag"]));
  const opened = await primitives.aesGcmDecrypt(key, iv, sealed, aad);
  if (!equal(opened, hex(test["msg"]))) return false;
  // Encryption must give the same bytes back (same key, nonce and data).
  return equal(await primitives.aesGcmEncrypt(key, iv, opened, aad), sealed) && group["ivSize"] === 96;
}

async function ecdhWebcrypto(_group: WycheproofGroup, test: WycheproofTest): Promise<boolean> {
  const publicJwk = test["public"] as JsonWebKey;
  if (publicJwk.kty !== "EC" || publicJwk.crv !== "P-256") return false;
  // The protocol receives raw uncompressed points (section 7.1), so the JWK becomes one.
  const point = concat(new Uint8Array([4]), b64decode(publicJwk.x, "x", 32), b64decode(publicJwk.y, "y", 32));
  const publicKey = await primitives.p256PublicFromBytes(point);
  const privateKey = await primitives.importJwk(
    test["private"] as JsonWebKey,
    { name: "ECDH", namedCurve: "P-256" },
    ["deriveBits"],
  );
  return equal(await primitives.ecdhP256(privateKey, publicKey), hex(test["shared"]));
}

async function hkdf(_group: WycheproofGroup, test: WycheproofTest): Promise<boolean> {
  const okm = await primitives.hkdfSha256(hex(test["ikm"]), hex(test["salt"]), hex(test["info"]), Number(test["size"]));
  return equal(okm, hex(test["okm"]));
}

async function hmac(_group: WycheproofGroup, test: WycheproofTest): Promise<boolean> {
  const key = hex(test["key"]);
  const msg = hex(test["msg"]);
  const tag = hex(test["tag"]);
  const verified = await primitives.hmacSha256Verify(key, msg, tag);
  const computed = equal(await primitives.hmacSha256(key, msg), tag);
  if (verified !== computed) throw new AssertionFailed("verify and sign disagree");
  return verified;
}

async function pbkdf2(_group: WycheproofGroup, test: WycheproofTest): Promise<boolean> {
  const dk = await primitives.pbkdf2Sha256(
    hex(test["password"]),
    hex(test["salt"]),
    Number(test["iterationCount"]),
    Number(test["dkLen"]),
  );
  return equal(dk, hex(test["dk"]));
}

async function rsaOaep(group: WycheproofGroup, test: WycheproofTest): Promise<boolean> {
  const key = await primitives.rsaPrivateFromPkcs8(hex(group["privateKeyPkcs8"]), "oaep");
  const opened = await primitives.rsaOaepDecrypt(key, hex(test["ct"]), hex(test["label"]));
  return equal(opened, hex(test["msg"]));
}

async function rsaPss(group: WycheproofGroup, test: WycheproofTest): Promise<boolean> {
  const key = primitives.rsaCheckPublic(await primitives.rsaPublicFromSpki(hex(group["publicKeyDer"]), "pss"));
  await primitives.rsaPssVerify(key, hex(test["msg"]), hex(test["sig"]));
  return true;
}

export async function wycheproofSuites(source: DataSource): Promise<TestSuite[]> {
  return Promise.all([
    // Suite 1 uses AES-128 (content) and AES-256 (ECIES) with 96-bit nonces and full tags.
    suite(
      source,
      "aes_gcm_test.json",
      (g) => g["ivSize"] === 96 && g["tagSize"] === 128 && (g["keySize"] === 128 || g["keySize"] === 256),
      aesGcm,
    ),
    suite(source, "ecdh_secp256r1_webcrypto_test.json", () => true, ecdhWebcrypto),
    suite(source, "hkdf_sha256_test.json", () => true, hkdf),
    // Only full 256-bit tags: the protocol never truncates a MAC.
    suite(source, "hmac_sha256_test.json", (g) => g["tagSize"] === 256, hmac),
    suite(source, "pbkdf2_hmacsha256_test.json", () => true, pbkdf2),
    suite(source, "rsa_oaep_2048_sha256_mgf1sha256_test.json", () => true, rsaOaep),
    suite(source, "rsa_pss_2048_sha256_mgf1_32_test.json", (g) => g["sLen"] === 32, rsaPss),
  ]);
}
