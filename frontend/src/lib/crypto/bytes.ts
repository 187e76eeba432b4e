// Byte helpers shared by every crypto module: concatenation, comparison, hex and UTF-8.

export type Bytes = Uint8Array<ArrayBuffer>;

export function concat(...parts: readonly Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A fresh copy backed by its own ArrayBuffer (what WebCrypto's BufferSource typing wants). */
export function copy(data: Uint8Array): Bytes {
  return new Uint8Array(data);
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Compare without an early exit, so the time taken does not say how many bytes matched.
 * (JIT compilers make no promises, but this is the usual best effort for MAC comparisons.)
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export function toHex(data: Uint8Array): string {
  let out = "";
  for (const byte of data) out += byte.toString(16).padStart(2, "0");
  return out;
}

export function fromHex(text: string): Bytes {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw new Error("not hex");
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function utf8(text: string): Bytes {
  return new TextEncoder().encode(text);
}

export function ascii(text: string): Bytes {
  if (!/^[\x00-\x7f]*$/.test(text)) throw new Error("not ASCII");
  return utf8(text);
}

/** Big-endian unsigned integer of `length` bytes (up to 2^53 - 1). */
export function uintBE(value: number, length: number): Bytes {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return out;
}

export function readUintBE(data: Uint8Array, offset: number, length: number): number {
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + (data[offset + i] ?? 0);
  return value;
}
