// Byte and JSON encodings shared by every protocol object (protocol section 1, encoding.py).
//
// Signed and MACed objects travel as their exact bytes beside the signature, so a verifier never
// re-serialises. Parsing is strict and mirrors the Python parser exactly: JSON.parse keeps the
// last of two duplicate keys and turns 2^53 + 1 into 2^53, and two parsers that disagree on one
// document are a parser differential, so this module carries its own small parser.

import { type Bytes } from "./bytes";
import { MalformedObject, UnsupportedVersion } from "./errors";

/** Integers a JSON number may carry: the range JavaScript represents exactly. */
export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;
export const MAX_DOCUMENT_BYTES = 1 << 20;
// Nesting depth both implementations accept (section 1.1): the top-level object is level 1 and
// every value inside a container one level deeper, scalars included, as encoding.py counts.
// v1 documents need fewer than 10 levels; the bound keeps a hostile document off the stack.
export const MAX_DEPTH = 64;

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64URL_VALUES = new Map([...B64URL].map((char, index) => [char, index]));

export function b64encode(raw: Uint8Array): string {
  let out = "";
  for (let i = 0; i < raw.length; i += 3) {
    const a = raw[i] ?? 0;
    const b = raw[i + 1] ?? 0;
    const c = raw[i + 2] ?? 0;
    const triple = (a << 16) | (b << 8) | c;
    const chars = i + 1 >= raw.length ? 2 : i + 2 >= raw.length ? 3 : 4;
    for (let j = 0; j < chars; j++) out += B64URL[(triple >> (18 - 6 * j)) & 63];
  }
  return out;
}

/** Canonical unpadded base64url; refuse padding, other alphabets and non-zero slack bits. */
export function b64decode(text: unknown, field = "value", length?: number): Bytes {
  if (typeof text !== "string" || text.length % 4 === 1) {
    throw new MalformedObject(`${field}: not unpadded base64url`);
  }
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let buffer = 0;
  let position = 0;
  for (const char of text) {
    const value = B64URL_VALUES.get(char);
    if (value === undefined) throw new MalformedObject(`${field}: not unpadded base64url`);
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[position++] = (buffer >> bits) & 0xff;
    }
  }
  // Non-zero slack bits would give one value two spellings.
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    throw new MalformedObject(`${field}: non-canonical base64url`);
  }
  if (length !== undefined && out.length !== length) {
    throw new MalformedObject(`${field}: expected ${length} bytes, got ${out.length}`);
  }
  return out;
}

/** A lowercase hex identifier of exactly lengthBytes bytes. */
export function hexId(text: unknown, field: string, lengthBytes: number): string {
  if (typeof text !== "string" || text.length !== 2 * lengthBytes || !/^[0-9a-f]*$/.test(text)) {
    throw new MalformedObject(`${field}: expected ${2 * lengthBytes} lowercase hex digits`);
  }
  return text;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const diff = (left[i]?.codePointAt(0) ?? 0) - (right[i]?.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
  return left.length - right.length;
}

function serialise(value: Json): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") {
    return JSON.stringify(value);
  }
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new Error("the protocol serialises integers only");
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(serialise).join(",")}]`;
  const keys = Object.keys(value).sort(compareCodePoints);
  return `{${keys.map((key) => `${JSON.stringify(key)}:${serialise(value[key] as Json)}`).join(",")}}`;
}

/** Sorted keys, no insignificant white space, UTF-8: the form every producer writes. */
export function dumps(document: JsonObject): Bytes {
  return new TextEncoder().encode(serialise(document));
}

class Parser {
  private position = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new MalformedObject(`not a JSON document: ${message} at ${this.position}`);
  }

  skipSpace(): void {
    // JSON white space only (RFC 8259): space, tab, LF, CR.
    while (/^[ \t\n\r]$/.test(this.text[this.position] ?? "")) this.position++;
  }

  document(): Json {
    this.skipSpace();
    const value = this.value(1);
    this.skipSpace();
    if (this.position !== this.text.length) this.fail("extra data");
    return value;
  }

  value(depth: number): Json {
    if (depth > MAX_DEPTH) throw new MalformedObject(`JSON nested deeper than ${MAX_DEPTH} levels`);
    const char = this.text[this.position];
    if (char === "{") return this.object(depth);
    if (char === "[") return this.array(depth);
    if (char === '"') return this.string();
    if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) return this.number();
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.text.startsWith(word, this.position)) {
        this.position += word.length;
        return value;
      }
    }
    if (/^(NaN|Infinity|-Infinity)/.test(this.text.slice(this.position))) {
      this.fail("non-finite number");
    }
    return this.fail("unexpected character");
  }

  object(depth: number): JsonObject {
    // A null-prototype object: a key "__proto__" is data, never a prototype change.
    const result = Object.create(null) as JsonObject;
    const seen = new Set<string>();
    this.members("}", () => {
      if (this.text[this.position] !== '"') this.fail("expected a key");
      const key = this.string();
      if (seen.has(key)) throw new MalformedObject(`duplicate key ${JSON.stringify(key)}`);
      seen.add(key);
      this.skipSpace();
      if (this.text[this.position] !== ":") this.fail("expected ':'");
      this.position++;
      this.skipSpace();
      result[key] = this.value(depth + 1);
    });
    return result;
  }

  array(depth: number): Json[] {
    const result: Json[] = [];
    this.members("]", () => {
      result.push(this.value(depth + 1));
    });
    return result;
  }

  /** From the opening bracket to `close`: `member` parses each comma-separated member. */
  private members(close: "}" | "]", member: () => void): void {
    this.position++;
    this.skipSpace();
    if (this.text[this.position] === close) {
      this.position++;
      return;
    }
    for (;;) {
      this.skipSpace();
      member();
      this.skipSpace();
      const next = this.text[this.position++];
      if (next === close) return;
      if (next !== ",") this.fail(`expected ',' or '${close}'`);
    }
  }

  string(): string {
    this.position++;
    let out = "";
    for (;;) {
      const char = this.text[this.position++];
      if (char === undefined) this.fail("unterminated string");
      if (char === '"') return out;
      if (char < " ") this.fail("control character in string");
      if (char !== "\\") {
        out += char;
        continue;
      }
      const escape = this.text[this.position++];
      const simple: Record<string, string> = {
        '"': '"',
        "\\": "\\",
        "/": "/",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
      };
      if (escape !== undefined && escape in simple) {
        out += simple[escape];
      } else if (escape === "u") {
        const digits = this.text.slice(this.position, this.position + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail("bad \\u escape");
        this.position += 4;
        // Lone surrogates stay as they are, as in Python's json module.
        out += String.fromCharCode(Number.parseInt(digits, 16));
      } else {
        this.fail("bad escape");
      }
    }
  }

  number(): number {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(
      this.text.slice(this.position, this.position + 400),
    );
    if (match === null) return this.fail("bad number");
    if (match[2] !== undefined || match[3] !== undefined) {
      throw new MalformedObject("fractional number (the protocol uses integers only)");
    }
    const text = match[0];
    this.position += text.length;
    // Compare as digit strings: a Number would already have rounded 2^53 + 1.
    const digits = text.replace(/^-/, "");
    const limit = String(MAX_SAFE_INTEGER);
    if (digits.length > limit.length || (digits.length === limit.length && digits > limit)) {
      throw new MalformedObject("integer outside the exactly representable range");
    }
    const value = Number(text);
    return value === 0 ? 0 : value; // -0 is 0, as Python's int("-0")
  }
}

/** Parse one JSON object strictly: UTF-8, no duplicate keys, integers only, bounded size. */
export function loads(raw: Uint8Array, maxBytes = MAX_DOCUMENT_BYTES): JsonObject {
  if (raw.length > maxBytes) throw new MalformedObject(`document larger than ${maxBytes} bytes`);
  let text: string;
  try {
    // ignoreBOM keeps a leading U+FEFF in the text, so the parser refuses it as Python does.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(raw);
  } catch {
    throw new MalformedObject("not a JSON document: invalid UTF-8");
  }
  const value = new Parser(text).document();
  if (!isObject(value)) throw new MalformedObject("expected a JSON object");
  return value;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Unicode code points, which is how the protocol (and Python's len) counts characters. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

export interface StrOptions {
  maxLen?: number;
  pattern?: RegExp;
}

/**
 * `v` must be the JSON integer `version` (a boolean or string is MalformedObject, another
 * integer UnsupportedVersion) and `type` must be `objectType` (else MalformedObject). Python
 * compares with ==, for which true == 1, so the type is checked explicitly on both sides.
 */
export function checkVersionAndType(document: JsonObject, objectType: string, version = 1): void {
  const found = document["v"];
  if (typeof found !== "number" || !Number.isSafeInteger(found)) {
    throw new MalformedObject(`${objectType}: v is not an integer`);
  }
  if (found !== version) throw new UnsupportedVersion(`${objectType}: unsupported version ${found}`);
  if (document["type"] !== objectType) {
    throw new MalformedObject(`expected a ${objectType}, got ${JSON.stringify(document["type"] ?? null)}`);
  }
}

/**
 * Typed, exhaustive access to one parsed JSON object (encoding.py's Fields).
 *
 * Every field is read through a typed getter, and done() refuses any field nobody read: v1
 * objects carry no unknown fields, so a verifier never ignores something a signer meant.
 * Patterns are matched against the whole value (give them without ^ and $).
 */
export class Fields {
  private readonly document: JsonObject;
  private readonly read = new Set<string>();

  constructor(
    document: unknown,
    private readonly where: string,
  ) {
    if (!isObject(document)) throw new MalformedObject(`${where}: expected an object`);
    this.document = document;
  }

  private get(name: string): Json {
    if (!Object.prototype.hasOwnProperty.call(this.document, name)) {
      throw new MalformedObject(`${this.where}: missing field '${name}'`);
    }
    this.read.add(name);
    return this.document[name] as Json;
  }

  /** Read `v` and `type` (checkVersionAndType); both count as read for done(). */
  versionAndType(objectType: string, version = 1): void {
    this.get("v");
    this.get("type");
    checkVersionAndType(this.document, objectType, version);
  }

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.document, name);
  }

  str(name: string, options: StrOptions = {}): string {
    const maxLen = options.maxLen ?? 256;
    const value = this.get(name);
    if (typeof value !== "string" || codePointLength(value) > maxLen) {
      throw new MalformedObject(`${this.where}.${name}: expected a string of <= ${maxLen}`);
    }
    if (options.pattern !== undefined && !fullMatch(options.pattern, value)) {
      throw new MalformedObject(`${this.where}.${name}: malformed`);
    }
    return value;
  }

  int(name: string, minimum = 0, maximum = MAX_SAFE_INTEGER): number {
    const value = this.get(name);
    if (typeof value !== "number" || !Number.isSafeInteger(value)) {
      throw new MalformedObject(`${this.where}.${name}: expected an integer`);
    }
    if (value < minimum || value > maximum) {
      throw new MalformedObject(`${this.where}.${name}: ${value} outside [${minimum}, ${maximum}]`);
    }
    return value;
  }

  bytes(name: string, options: { length?: number; maxLen?: number } = {}): Bytes {
    const raw = b64decode(this.get(name), `${this.where}.${name}`, options.length);
    const maxLen = options.maxLen ?? 1 << 20;
    if (raw.length > maxLen) {
      throw new MalformedObject(`${this.where}.${name}: longer than ${maxLen} bytes`);
    }
    return raw;
  }

  hex(name: string, lengthBytes: number): string {
    return hexId(this.get(name), `${this.where}.${name}`, lengthBytes);
  }

  obj(name: string): Fields {
    return new Fields(this.get(name), `${this.where}.${name}`);
  }

  optionalObj(name: string): Fields | null {
    const value = this.get(name);
    return value === null ? null : new Fields(value, `${this.where}.${name}`);
  }

  list(name: string, maxItems = 256): Json[] {
    const value = this.get(name);
    if (!Array.isArray(value) || value.length > maxItems) {
      throw new MalformedObject(`${this.where}.${name}: expected a list of <= ${maxItems}`);
    }
    return value;
  }

  raw(name: string): Json {
    return this.get(name);
  }

  done(): void {
    const unknown = Object.keys(this.document).filter((key) => !this.read.has(key));
    if (unknown.length > 0) {
      throw new MalformedObject(`${this.where}: unknown fields ${unknown.sort().join(", ")}`);
    }
  }
}

/** Python's re.fullmatch for the simple patterns used here. */
export function fullMatch(pattern: RegExp, value: string): boolean {
  const anchored = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ""));
  return anchored.test(value);
}
