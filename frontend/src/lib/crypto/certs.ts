// X.509 certificates under the account root: profile verifier and issuer (protocol section 5).
//
// Parsing goes through @peculiar/asn1-x509; the bytes that are signed or compared (the signed
// part, the two signature algorithm fields, the signature BIT STRING) are cut from the received
// DER by der.ts, so nothing verified is ever a re-encoding.

import { AsnConvert } from "@peculiar/asn1-schema";
import * as asnX509 from "@peculiar/asn1-x509";
import { RSAPublicKey, RsaSaPssParams } from "@peculiar/asn1-rsa";
import { type Bytes, equal } from "./bytes";
import { DerError, children, content, readElement, whole } from "./der";
import { MalformedObject, UntrustedKey } from "./errors";
import { keyIdOfSpki } from "./identifiers";
import * as primitives from "./primitives";

export type Role = "root" | "recovery" | "data" | "instance" | "device";
export const ORGANIZATION = "E2EE NVR";
export const MAX_CERT_BYTES = 8192;

const OID_O = "2.5.4.10";
const OID_OU = "2.5.4.11";
const OID_CN = "2.5.4.3";
const OID_RSA = "1.2.840.113549.1.1.1";
const OID_PSS = "1.2.840.113549.1.1.10";
const OID_MGF1 = "1.2.840.113549.1.1.8";
const OID_SHA256 = "2.16.840.1.101.3.4.2.1";
const OID_EC = "1.2.840.10045.2.1";
// namedCurve prime256v1 (1.2.840.10045.3.1.7), DER-encoded as the SPKI parameters.
const P256_PARAMETERS = new Uint8Array([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);
const OID_BASIC_CONSTRAINTS = "2.5.29.19";
const OID_KEY_USAGE = "2.5.29.15";
export const OID_SKI = "2.5.29.14";
const OID_AKI = "2.5.29.35";

// KeyUsage bits (RFC 5280 4.2.1.3) as asn1-x509's flags. One purpose per key: a certificate
// whose usage set differs from its row is refused.
const KU = asnX509.KeyUsageFlags;
export const KEY_USAGE: Record<Role, number> = {
  root: KU.keyCertSign | KU.cRLSign | KU.digitalSignature,
  recovery: KU.keyEncipherment,
  data: KU.keyEncipherment,
  instance: KU.keyAgreement,
  device: KU.digitalSignature,
};
const ROOT_EXTENSIONS = [OID_BASIC_CONSTRAINTS, OID_KEY_USAGE, OID_SKI];
const END_ENTITY_EXTENSIONS = [...ROOT_EXTENSIONS, OID_AKI];

/** A certified public key: its kind, WebCrypto handle (for its role's use) and key_id. */
export type CertifiedKey =
  | { kind: "rsa"; keyId: string; spki: Bytes; bits: number; exponent: bigint }
  | { kind: "p256"; keyId: string; spki: Bytes; publicKey: CryptoKey }
  | { kind: "other"; keyId: null; spki: Bytes };

/** A parsed certificate with the raw slices the verifier compares byte for byte. */
export interface Cert {
  der: Bytes;
  asn: asnX509.Certificate;
  tbs: Bytes;
  tbsAlgorithm: Bytes;
  signatureAlgorithm: Bytes;
  signature: Bytes;
  signatureUnusedBits: number;
  key: CertifiedKey;
  extensions: Map<string, asnX509.Extension>;
}

function bigintOf(raw: ArrayBuffer): bigint {
  let value = 0n;
  for (const byte of new Uint8Array(raw)) value = (value << 8n) | BigInt(byte);
  return value;
}

export async function readKey(spkiDer: Bytes, spki: asnX509.SubjectPublicKeyInfo): Promise<CertifiedKey> {
  const algorithm = spki.algorithm.algorithm;
  if (algorithm === OID_RSA) {
    const rsa = AsnConvert.parse(spki.subjectPublicKey, RSAPublicKey);
    const modulus = bigintOf(rsa.modulus);
    const exponent = bigintOf(rsa.publicExponent);
    const bits = modulus.toString(2).length;
    // key_id hashes the SPKI as a library re-encodes it (Python's public_bytes), so a cert
    // spelling the same key differently still names it by one id.
    let canonical = spkiDer;
    if (exponent === 65537n && bits >= 2048 && bits <= 4096) {
      canonical = await primitives.exportSpki(await primitives.rsaPublicFromSpki(spkiDer, "pss"));
    }
    return { kind: "rsa", keyId: await keyIdOfSpki(canonical), spki: canonical, bits, exponent };
  }
  if (algorithm === OID_EC && spki.algorithm.parameters) {
    if (equal(new Uint8Array(spki.algorithm.parameters), P256_PARAMETERS)) {
      const publicKey = await primitives.p256PublicFromSpki(spkiDer);
      const canonical = await primitives.exportSpki(publicKey);
      return { kind: "p256", keyId: await keyIdOfSpki(canonical), spki: canonical, publicKey };
    }
  }
  return { kind: "other", keyId: null, spki: spkiDer };
}

/** Parse one DER certificate; refuse junk, oversize input and non-canonical encodings. */
export async function loadCert(der: Uint8Array): Promise<Cert> {
  if (der.length > MAX_CERT_BYTES) throw new MalformedObject(`certificate larger than ${MAX_CERT_BYTES} bytes`);
  const bytes = new Uint8Array(der);
  try {
    const asn = AsnConvert.parse(bytes, asnX509.Certificate);
    // One certificate, one encoding: key_ids and pinned roots are compared by these bytes.
    const fresh = new asnX509.Certificate({
      tbsCertificate: asn.tbsCertificate,
      signatureAlgorithm: asn.signatureAlgorithm,
      signatureValue: asn.signatureValue,
    });
    if (!equal(new Uint8Array(AsnConvert.serialize(fresh)), bytes)) {
      throw new MalformedObject("certificate is not in canonical DER");
    }
    const outer = readElement(bytes, 0);
    if (outer.end !== bytes.length) throw new DerError("trailing bytes");
    const [tbsEl, algEl, sigEl] = children(bytes, outer);
    if (tbsEl === undefined || algEl === undefined || sigEl === undefined || sigEl.tag !== 0x03) {
      throw new DerError("not a certificate");
    }
    const tbs = whole(bytes, tbsEl);
    const tbsChildren = children(bytes, tbsEl);
    const tbsAlgorithm = tbsChildren[0]?.tag === 0xa0 ? tbsChildren[2] : undefined;
    const spkiEl = tbsChildren[0]?.tag === 0xa0 ? tbsChildren[6] : tbsChildren[5];
    if (spkiEl === undefined) throw new DerError("short tbsCertificate");
    const extensions = new Map<string, asnX509.Extension>();
    for (const extension of asn.tbsCertificate.extensions ?? []) {
      if (extensions.has(extension.extnID)) {
        throw new MalformedObject(`duplicate extension ${extension.extnID}`);
      }
      parseKnownExtension(extension);
      extensions.set(extension.extnID, extension);
    }
    const signatureBits = content(bytes, sigEl);
    return {
      der: bytes,
      asn,
      tbs: new Uint8Array(tbs),
      tbsAlgorithm: tbsAlgorithm === undefined ? new Uint8Array() : new Uint8Array(whole(bytes, tbsAlgorithm)),
      signatureAlgorithm: new Uint8Array(whole(bytes, algEl)),
      signature: new Uint8Array(signatureBits.subarray(1)),
      signatureUnusedBits: signatureBits[0] ?? -1,
      key: await readKey(new Uint8Array(whole(bytes, spkiEl)), asn.tbsCertificate.subjectPublicKeyInfo),
      extensions,
    };
  } catch (err) {
    if (err instanceof MalformedObject) throw err;
    throw new MalformedObject(`not a DER certificate: ${String(err)}`);
  }
}

/** Parse the value of an extension the profile knows, refusing damage and non-DER values. */
function parseKnownExtension(extension: asnX509.Extension): unknown {
  const types: Record<string, new () => object> = {
    [OID_BASIC_CONSTRAINTS]: asnX509.BasicConstraints,
    [OID_KEY_USAGE]: asnX509.KeyUsage,
    [OID_SKI]: asnX509.SubjectKeyIdentifier,
    [OID_AKI]: asnX509.AuthorityKeyIdentifier,
  };
  const type = types[extension.extnID];
  if (type === undefined) return null;
  const raw = new Uint8Array(extension.extnValue.buffer);
  const value = AsnConvert.parse(raw, type);
  if (!equal(new Uint8Array(AsnConvert.serialize(value)), raw)) {
    throw new MalformedObject(`extension ${extension.extnID} is not in canonical DER`);
  }
  return value;
}

export function extensionValue<T extends object>(cert: Cert, oid: string, type: new () => T): T | null {
  const extension = cert.extensions.get(oid);
  return extension === undefined ? null : AsnConvert.parse(extension.extnValue.buffer, type);
}

function nameParts(name: asnX509.Name): [string, string][] | null {
  const parts: [string, string][] = [];
  for (const rdn of name) {
    if (rdn.length !== 1) return null;
    const [attribute] = rdn;
    if (attribute === undefined) return null;
    parts.push([attribute.type, attribute.value.toString()]);
  }
  return parts;
}

function namesEqual(a: asnX509.Name, b: asnX509.Name): boolean {
  const left = nameParts(a);
  const right = nameParts(b);
  return left !== null && right !== null && JSON.stringify(left) === JSON.stringify(right);
}

function isSubject(name: asnX509.Name, role: Role, subjectKeyId: string): boolean {
  const parts = nameParts(name);
  return (
    parts !== null &&
    JSON.stringify(parts) ===
      JSON.stringify([
        [OID_O, ORGANIZATION],
        [OID_OU, role],
        [OID_CN, subjectKeyId],
      ])
  );
}

/** The key type of the role's row (section 2): P-256 for instances, suite-1 RSA otherwise. */
export function checkRoleKey(key: CertifiedKey, role: Role): CertifiedKey & { keyId: string } {
  if (role === "instance") {
    if (key.kind !== "p256") throw new UntrustedKey(`${role}: expected a P-256 key`);
    return key;
  }
  if (key.kind !== "rsa") throw new UntrustedKey(`${role}: expected an RSA key`);
  if (key.exponent !== 65537n || key.bits < primitives.RSA_MIN_BITS || key.bits > primitives.RSA_MAX_BITS) {
    throw new UntrustedKey(`${role}: RSA key outside suite 1 (2048-4096 bits, e=65537)`);
  }
  return key;
}

function checkProfile(cert: Cert, role: Role): CertifiedKey & { keyId: string } {
  if (cert.asn.tbsCertificate.version !== 2) throw new UntrustedKey(`${role}: not an X.509 v3 certificate`);
  const key = checkRoleKey(cert.key, role);
  if (!isSubject(cert.asn.tbsCertificate.subject, role, key.keyId)) {
    throw new UntrustedKey(`${role}: subject is not O=${ORGANIZATION}, OU=role, CN=key_id`);
  }
  return key;
}

function checkExtensions(cert: Cert, role: Role, expected: readonly string[]): void {
  const present = [...cert.extensions.keys()];
  if (present.length !== expected.length || !expected.every((oid) => cert.extensions.has(oid))) {
    throw new UntrustedKey(`${role}: extensions differ from the profile`);
  }
  const constraints = cert.extensions.get(OID_BASIC_CONSTRAINTS);
  const value = extensionValue(cert, OID_BASIC_CONSTRAINTS, asnX509.BasicConstraints);
  const isRoot = role === "root";
  const pathLen = value?.pathLenConstraint;
  if (
    constraints?.critical !== true ||
    value === null ||
    value.cA !== isRoot ||
    (isRoot ? pathLen !== 0 : pathLen !== undefined)
  ) {
    throw new UntrustedKey(`${role}: basicConstraints not critical and exactly the role's`);
  }
  const usage = cert.extensions.get(OID_KEY_USAGE);
  const usageValue = extensionValue(cert, OID_KEY_USAGE, asnX509.KeyUsage);
  if (usage?.critical !== true || usageValue === null || usageValue.toNumber() !== KEY_USAGE[role]) {
    throw new UntrustedKey(`${role}: keyUsage not critical and exactly the role's`);
  }
  for (const [oid, extension] of cert.extensions) {
    if (oid !== OID_BASIC_CONSTRAINTS && oid !== OID_KEY_USAGE && extension.critical) {
      throw new UntrustedKey(`${role}: ${oid} must not be critical`);
    }
  }
}

function algorithmIs(identifier: asnX509.AlgorithmIdentifier, oid: string): boolean {
  if (identifier.algorithm !== oid) return false;
  const params = identifier.parameters;
  // SHA-256 appears with NULL parameters or none; both spell the same algorithm.
  return params === undefined || params === null || equal(new Uint8Array(params), new Uint8Array([5, 0]));
}

/**
 * Verify an rsa-pss-sha256 signature over `signed` and the declared parameters: SHA-256,
 * MGF1-SHA-256, salt 32. PKCS#1 v1.5 is not accepted in any form, and the signature BIT STRING
 * must declare 0 unused bits (the only encoding of a whole-byte signature).
 */
export async function checkPss(
  declared: asnX509.AlgorithmIdentifier,
  signed: Uint8Array,
  signature: Uint8Array,
  unusedBits: number,
  signer: CertifiedKey,
  what: string,
): Promise<void> {
  if (declared.algorithm !== OID_PSS || !declared.parameters) {
    throw new UntrustedKey(`${what}: not signed with rsa-pss-sha256`);
  }
  let params: RsaSaPssParams;
  let mgfHash: asnX509.AlgorithmIdentifier;
  try {
    params = AsnConvert.parse(declared.parameters, RsaSaPssParams);
    mgfHash = AsnConvert.parse(params.maskGenAlgorithm.parameters ?? new ArrayBuffer(0), asnX509.AlgorithmIdentifier);
  } catch {
    throw new UntrustedKey(`${what}: unsupported PSS parameters`);
  }
  if (
    !algorithmIs(params.hashAlgorithm, OID_SHA256) ||
    params.maskGenAlgorithm.algorithm !== OID_MGF1 ||
    !algorithmIs(mgfHash, OID_SHA256) ||
    params.saltLength !== primitives.PSS_SALT_BYTES ||
    params.trailerField !== 1
  ) {
    throw new UntrustedKey(`${what}: PSS parameters other than SHA-256, MGF1-SHA-256, salt 32`);
  }
  if (unusedBits !== 0) throw new UntrustedKey(`${what}: malformed signature encoding`);
  if (signer.kind !== "rsa") throw new UntrustedKey(`${what}: signer is not an RSA key`);
  try {
    const key = await primitives.rsaPublicFromSpki(signer.spki, "pss");
    await primitives.rsaPssVerify(key, signed, signature);
  } catch {
    throw new UntrustedKey(`${what}: signature does not verify`);
  }
}

async function checkSignature(cert: Cert, issuerKey: CertifiedKey, what: string): Promise<void> {
  await checkPss(cert.asn.signatureAlgorithm, cert.tbs, cert.signature, cert.signatureUnusedBits, issuerKey, what);
  // RFC 5280 4.1.1.2: the unsigned signatureAlgorithm must equal the signed one.
  if (!equal(cert.tbsAlgorithm, cert.signatureAlgorithm)) {
    throw new UntrustedKey(`${what}: signed and declared signature algorithms differ`);
  }
}

/** Accept a root (self-signed under rsa-pss-sha256, CA:TRUE, CN = its key_id); its key_id is the account_id. */
export async function verifyRoot(cert: Cert): Promise<CertifiedKey & { keyId: string }> {
  const key = checkProfile(cert, "root");
  if (!namesEqual(cert.asn.tbsCertificate.issuer, cert.asn.tbsCertificate.subject)) {
    throw new UntrustedKey("root: issuer differs from subject (not self-signed)");
  }
  checkExtensions(cert, "root", ROOT_EXTENSIONS);
  await checkSignature(cert, key, "root");
  return key;
}

/** Check an end-entity certificate for role against the pinned root; return its key. */
export async function verifyIssued(cert: Cert, root: Cert, role: Exclude<Role, "root">) {
  const rootKey = await verifyRoot(root);
  const key = checkProfile(cert, role);
  if (!namesEqual(cert.asn.tbsCertificate.issuer, root.asn.tbsCertificate.subject)) {
    throw new UntrustedKey(`${role}: issuer is not the pinned root`);
  }
  checkExtensions(cert, role, END_ENTITY_EXTENSIONS);
  const rootSki = extensionValue(root, OID_SKI, asnX509.SubjectKeyIdentifier);
  const authority = extensionValue(cert, OID_AKI, asnX509.AuthorityKeyIdentifier);
  const authorityId = authority?.keyIdentifier;
  if (
    rootSki === null ||
    authorityId === undefined ||
    !equal(new Uint8Array(authorityId.buffer), new Uint8Array(rootSki.buffer))
  ) {
    throw new UntrustedKey(`${role}: authorityKeyIdentifier does not name the root`);
  }
  await checkSignature(cert, rootKey, role);
  return key;
}

