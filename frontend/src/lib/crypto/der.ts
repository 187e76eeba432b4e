// A minimal DER reader for the few raw slices the protocol checks byte for byte (section 5):
// the signed part of a certificate, its two signature algorithm fields, the signature BIT
// STRING, and the algorithm of a PKCS#8 key. Structure parsing is left to @peculiar/asn1-*.

import { concat, equal } from "./bytes";

export class DerError extends Error {
  override name = "DerError";
}

export interface DerElement {
  tag: number;
  /** Offset of the tag byte. */
  offset: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset after the last content byte. */
  end: number;
}

/** The element at offset: one-byte tags and definite, minimally encoded lengths only. */
export function readElement(der: Uint8Array, offset: number): DerElement {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) {
    throw new DerError("truncated DER or multi-byte tag");
  }
  let length = first;
  let start = offset + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count < 1 || count > 3 || start + count > der.length) {
      throw new DerError("unsupported DER length");
    }
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] ?? 0);
    // DER: the shortest form, so no leading zero byte and no long form under 128.
    if (der[start] === 0 || length < 128) throw new DerError("non-minimal DER length");
    start += count;
  }
  if (start + length > der.length) throw new DerError("truncated DER");
  return { tag, offset, start, end: start + length };
}

/** The elements directly inside a constructed element. */
export function children(der: Uint8Array, parent: DerElement): DerElement[] {
  const out: DerElement[] = [];
  let position = parent.start;
  while (position < parent.end) {
    const element = readElement(der, position);
    if (element.end > parent.end) throw new DerError("child overruns its parent");
    out.push(element);
    position = element.end;
  }
  return out;
}

export function whole(der: Uint8Array, element: DerElement): Uint8Array {
  return der.subarray(element.offset, element.end);
}

export function content(der: Uint8Array, element: DerElement): Uint8Array {
  return der.subarray(element.start, element.end);
}

// OID content bytes.
const OID_RSA_ENCRYPTION = new Uint8Array([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
const OID_EC_PUBLIC_KEY = new Uint8Array([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]);

/** Which suite-1 key a PKCS#8 PrivateKeyInfo holds (RSA or EC; the curve is WebCrypto's check). */
export function readPkcs8Algorithm(pkcs8: Uint8Array): "rsa" | "p256" {
  const info = readElement(pkcs8, 0);
  const [, algorithm] = children(pkcs8, info);
  if (algorithm === undefined) throw new DerError("not a PKCS#8 key");
  const [oid] = children(pkcs8, algorithm);
  if (oid === undefined || oid.tag !== 0x06) throw new DerError("not a PKCS#8 key");
  const value = content(pkcs8, oid);
  if (equal(value, OID_RSA_ENCRYPTION)) return "rsa";
  if (equal(value, OID_EC_PUBLIC_KEY)) return "p256";
  throw new DerError("PKCS#8 key is neither RSA nor EC");
}

// ----------------------------------------------------------------------------- writing
// Certificates and requests issued here are written byte by byte: every field has exactly one
// DER encoding, so what a verifier (ours, pyca's, OpenSSL's) re-encodes is what was signed.

function lengthBytes(length: number): Uint8Array {
  if (length < 0x80) return new Uint8Array([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

/** One tag-length-value element from its content bytes. */
export function tlv(tag: number, ...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const body = concat(...parts);
  const head = lengthBytes(body.length);
  const out = new Uint8Array(1 + head.length + body.length);
  out[0] = tag;
  out.set(head, 1);
  out.set(body, 1 + head.length);
  return out;
}

export const sequence = (...parts: readonly Uint8Array[]) => tlv(0x30, ...parts);

/** A non-negative INTEGER from big-endian magnitude bytes, minimally encoded. */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array<ArrayBuffer> {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  // A set top bit would read as negative: prefix one zero byte.
  const needsZero = trimmed.length === 0 || (trimmed[0] ?? 0) >= 0x80;
  return tlv(0x02, needsZero ? new Uint8Array([0]) : new Uint8Array(), trimmed);
}

export function utf8String(text: string): Uint8Array<ArrayBuffer> {
  return tlv(0x0c, new TextEncoder().encode(text));
}

/** UTCTime (years 1950-2049) or GeneralizedTime (later), seconds precision, as RFC 5280 4.1.2.5. */
export function x509Time(date: Date): Uint8Array<ArrayBuffer> {
  const two = (value: number) => String(value).padStart(2, "0");
  const year = date.getUTCFullYear();
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(0x17, new TextEncoder().encode(`${two(year % 100)}${rest}`));
  return tlv(0x18, new TextEncoder().encode(`${String(year).padStart(4, "0")}${rest}`));
}
