// Private keys an endpoint holds, with the public facts every protocol step needs beside them.
//
// WebCrypto cannot derive a public key from a non-extractable private one, so each held key
// carries its key_id (and, for P-256, its public point) from the moment it is made or imported.

import { type Bytes } from "./bytes";
import { keyId, keyIdOfSpki } from "./identifiers";
import * as primitives from "./primitives";
import { readPkcs8Algorithm } from "./der";
import { b64decode } from "./encoding";

/** An instance key: P-256 ECDH, its private half normally non-extractable. */
export interface HeldP256Key {
  kind: "p256";
  keyId: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicPoint: Bytes;
}

/** The account data or recovery key: RSA-OAEP. */
export interface HeldRsaKey {
  kind: "rsa";
  keyId: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export type HeldKey = HeldP256Key | HeldRsaKey;

export async function heldP256(pair: CryptoKeyPair): Promise<HeldP256Key> {
  return {
    kind: "p256",
    keyId: await keyId(pair.publicKey),
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    publicPoint: await primitives.p256PublicBytes(pair.publicKey),
  };
}

/** A fresh instance key whose private half can never be exported. */
export async function newInstanceKey(): Promise<HeldP256Key> {
  return heldP256(await primitives.p256Generate(false));
}

/**
 * Import a PKCS#8 private key (RSA for OAEP, or P-256 for ECDH), non-extractable. The public
 * half comes from a transient extractable import's JWK, which is then dropped.
 */
export async function importPkcs8(pkcs8: Uint8Array): Promise<HeldKey> {
  const algorithm = readPkcs8Algorithm(pkcs8);
  if (algorithm === "p256") {
    const jwk = await primitives.exportJwk(await primitives.p256PrivateFromPkcs8(pkcs8, true));
    const x = b64decode(jwk.x, "jwk.x", 32);
    const y = b64decode(jwk.y, "jwk.y", 32);
    const point = new Uint8Array(65);
    point[0] = 4;
    point.set(x, 1);
    point.set(y, 33);
    const publicKey = await primitives.p256PublicFromBytes(point);
    return {
      kind: "p256",
      keyId: await keyId(publicKey),
      privateKey: await primitives.p256PrivateFromPkcs8(pkcs8, false),
      publicKey,
      publicPoint: point,
    };
  }
  const { keyId: rsaKeyId, publicKey } = await rsaPublicOfPkcs8(pkcs8);
  return {
    kind: "rsa",
    keyId: rsaKeyId,
    privateKey: await primitives.rsaPrivateFromPkcs8(pkcs8, "oaep", false),
    publicKey,
  };
}

/**
 * The public half (as an RSA-OAEP encryption key) and key_id of an RSA PKCS#8 key, read
 * through a transient extractable import whose handle is dropped at once.
 */
export async function rsaPublicOfPkcs8(pkcs8: Uint8Array): Promise<{ keyId: string; publicKey: CryptoKey }> {
  const jwk = await primitives.exportJwk(await primitives.rsaPrivateFromPkcs8(pkcs8, "oaep", true));
  const publicKey = await primitives.importJwk(
    { kty: "RSA", n: jwk.n ?? "", e: jwk.e ?? "", alg: "RSA-OAEP-256", ext: true },
    { name: "RSA-OAEP", hash: "SHA-256" },
    ["encrypt"],
  );
  return { keyId: await keyIdOfSpki(await primitives.exportSpki(publicKey)), publicKey };
}
