// Issuing certificates in the endpoint: the account root, and end-entity certificates for the
// recovery, data, instance and device keys, exactly to the section 5 profile (certs.py's twin).
//
// The DER is written field by field (der.ts) so each certificate has the one encoding pyca and
// OpenSSL would give it, and every certificate made here is run through the verifier before it
// is returned: the endpoint never hands out a certificate a device or Python would refuse.

import { AsnConvert } from "@peculiar/asn1-schema";
import * as asnX509 from "@peculiar/asn1-x509";
import { type Bytes, fromHex } from "./bytes";
import * as certs from "./certs";
import { children, content, readElement, sequence, tlv, unsignedInteger, utf8String, x509Time } from "./der";
import { MalformedObject } from "./errors";
import * as primitives from "./primitives";

const BACKDATE_MS = 5 * 60 * 1000;
// RFC 5280 4.1.2.5: "no well-defined expiration date". Keys leave service through the signed
// recipient set, never through clocks that a camera may not have.
const NOT_AFTER = new Date(Date.UTC(9999, 11, 31, 23, 59, 59));
const SERIAL_BYTES = 16;

// rsa-pss-sha256 as pyca writes it: SHA-256 and MGF1-SHA-256 with NULL parameters, salt 32,
// trailer field left at its default. The same bytes go in the tbsCertificate and outside it.
const PSS_ALGORITHM = fromHex(
  "304106092a864886f70d01010a3034a00f300d06096086480165030402010500" +
    "a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120",
);
const OID = {
  O: fromHex("060355040a"),
  OU: fromHex("060355040b"),
  CN: fromHex("0603550403"),
  basicConstraints: fromHex("0603551d13"),
  keyUsage: fromHex("0603551d0f"),
  subjectKeyIdentifier: fromHex("0603551d0e"),
  authorityKeyIdentifier: fromHex("0603551d23"),
};
// KeyUsage bit numbers (RFC 5280 4.2.1.3).
const KEY_USAGE_BITS: Record<certs.Role, number[]> = {
  root: [0, 5, 6], // digitalSignature, keyCertSign, cRLSign
  recovery: [2], // keyEncipherment
  data: [2],
  instance: [4], // keyAgreement
  device: [0],
};

/** O=E2EE NVR, OU=<role>, CN=<key_id>: three single-attribute RDNs of UTF8String values. */
function subjectName(role: certs.Role, keyId: string): Bytes {
  const rdn = (oid: Uint8Array, value: string) => tlv(0x31, sequence(oid, utf8String(value)));
  return sequence(rdn(OID.O, certs.ORGANIZATION), rdn(OID.OU, role), rdn(OID.CN, keyId));
}

/** A named-bit-list BIT STRING in DER: trailing zero bits dropped and counted as unused. */
function keyUsageValue(role: certs.Role): Bytes {
  const bits = KEY_USAGE_BITS[role];
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  return tlv(0x03, new Uint8Array([7 - (highest & 7)]), bytes);
}

function extension(oid: Uint8Array, critical: boolean, value: Uint8Array): Bytes {
  const flag = critical ? [tlv(0x01, new Uint8Array([0xff]))] : [];
  return sequence(oid, ...flag, tlv(0x04, value));
}

/** A random positive serial of at most 127 bits: never zero, never negative, fits 16 bytes. */
function serialNumber(): Bytes {
  const raw = primitives.randomBytes(SERIAL_BYTES);
  raw[0] = (raw[0] ?? 0) & 0x7f;
  if (raw.every((byte) => byte === 0)) raw[SERIAL_BYTES - 1] = 1;
  return unsignedInteger(raw);
}

/** The subject key in canonical SPKI form, checked against the role's row (section 2). */
async function subjectKey(spki: Uint8Array, role: certs.Role) {
  let parsed: asnX509.SubjectPublicKeyInfo;
  try {
    parsed = AsnConvert.parse(new Uint8Array(spki), asnX509.SubjectPublicKeyInfo);
  } catch {
    throw new MalformedObject("not a SubjectPublicKeyInfo");
  }
  const key = certs.checkRoleKey(await certs.readKey(new Uint8Array(spki), parsed), role);
  const spkiElement = readElement(key.spki, 0);
  const bitString = children(key.spki, spkiElement)[1];
  if (bitString === undefined) throw new MalformedObject("SubjectPublicKeyInfo without a key");
  // RFC 5280 4.2.1.2 method 1: SHA-1 over the subjectPublicKey bits (without the unused-bits byte).
  const ski = await primitives.sha1KeyIdentifier(content(key.spki, bitString).subarray(1));
  return { key, ski };
}

async function signCertificate(tbs: Uint8Array, signingKey: CryptoKey): Promise<Bytes> {
  const signature = await primitives.rsaPssSign(signingKey, tbs);
  return sequence(tbs, PSS_ALGORITHM, tlv(0x03, new Uint8Array([0]), signature));
}

function tbsCertificate(parts: {
  issuer: Uint8Array;
  subject: Uint8Array;
  spki: Uint8Array;
  now: Date;
  extensions: Uint8Array[];
}): Bytes {
  return sequence(
    tlv(0xa0, unsignedInteger(new Uint8Array([2]))), // v3
    serialNumber(),
    PSS_ALGORITHM,
    parts.issuer,
    sequence(x509Time(new Date(Math.floor(parts.now.getTime() / 1000) * 1000 - BACKDATE_MS)), x509Time(NOT_AFTER)),
    parts.subject,
    parts.spki,
    tlv(0xa3, sequence(...parts.extensions)),
  );
}

/**
 * The self-signed account root for an RSA-PSS key pair; its CN (and the account_id) is the
 * key's key_id. `publicSpki` is the pair's public key; the result is verified as a root.
 */
export async function makeRoot(signingKey: CryptoKey, publicSpki: Uint8Array, now = new Date()): Promise<certs.Cert> {
  const { key, ski } = await subjectKey(publicSpki, "root");
  const name = subjectName("root", key.keyId);
  const tbs = tbsCertificate({
    issuer: name,
    subject: name,
    spki: key.spki,
    now,
    // pyca's order: subjectKeyIdentifier (added by the common builder), then the rest.
    extensions: [
      extension(OID.subjectKeyIdentifier, false, tlv(0x04, ski)),
      extension(OID.basicConstraints, true, sequence(tlv(0x01, new Uint8Array([0xff])), unsignedInteger(new Uint8Array([0])))),
      extension(OID.keyUsage, true, keyUsageValue("root")),
    ],
  });
  const cert = await certs.loadCert(await signCertificate(tbs, signingKey));
  // A signing key that is not publicSpki's private half fails here, before anything uses it.
  await certs.verifyRoot(cert);
  return cert;
}

/**
 * Issue an end-entity certificate for `role` from a public key alone (nothing else is copied,
 * whatever the key came with), signed by the root's key, and verified as Python will verify it.
 */
export async function issueCertificate(
  root: certs.Cert,
  signingKey: CryptoKey,
  subjectSpki: Uint8Array,
  role: Exclude<certs.Role, "root">,
  now = new Date(),
): Promise<certs.Cert> {
  await certs.verifyRoot(root);
  const rootSki = certs.extensionValue(root, certs.OID_SKI, asnX509.SubjectKeyIdentifier);
  if (rootSki === null) throw new MalformedObject("root without a subjectKeyIdentifier");
  const { key, ski } = await subjectKey(subjectSpki, role);
  const rootTbs = readElement(root.tbs, 0);
  const rootFields = children(root.tbs, rootTbs);
  const rootSubject = rootFields[5]; // [0] version, serial, signature, issuer, validity, subject
  if (rootSubject === undefined) throw new MalformedObject("short root tbsCertificate");
  const tbs = tbsCertificate({
    // The root's subject exactly as the root encodes it: the issuer must equal it.
    issuer: root.tbs.subarray(rootSubject.offset, rootSubject.end),
    subject: subjectName(role, key.keyId),
    spki: key.spki,
    now,
    extensions: [
      extension(OID.subjectKeyIdentifier, false, tlv(0x04, ski)),
      extension(OID.basicConstraints, true, sequence()),
      extension(OID.keyUsage, true, keyUsageValue(role)),
      extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, new Uint8Array(rootSki.buffer)))),
    ],
  });
  const cert = await certs.loadCert(await signCertificate(tbs, signingKey));
  // A signing key other than the root's fails here: the certificate would not chain.
  await certs.verifyIssued(cert, root, role);
  return cert;
}
