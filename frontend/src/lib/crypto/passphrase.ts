// The account passphrase: word list, generation and canonical form (protocol section 3).

import denylistText from "../../../../custom_components/e2ee_nvr/protocol/wordlists/eff_large_denylist.txt";
import wordlistText from "../../../../custom_components/e2ee_nvr/protocol/wordlists/eff_large_wordlist.txt";
import { ascii, toHex } from "./bytes";
import { codePointLength } from "./encoding";
import { InvalidPassphrase } from "./errors";
import { sha256 } from "./primitives";

export const SECURITY_BITS = 128;
// The filtered list is part of the protocol: a passphrase made from it must canonicalise the
// same way in every implementation and release, so its digest (words joined by LF) is pinned.
export const FILTERED_WORDLIST_SHA256 = "b10d5c5ddf9df1b31057b9d08c1e5a1302b2f3384e1894be909ff81f076b9703";
export const MAX_TYPED_CHARS = 1024;

// Python's str.splitlines on these ASCII files: split on line ends, no trailing empty line.
function lines(text: string): string[] {
  const parts = text.split(/\r\n|\r|\n/);
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

let loaded: Promise<{ words: readonly string[]; set: ReadonlySet<string> }> | null = null;

/** The passphrase alphabet: the EFF large list minus the denylist, in EFF order, checked. */
export function filteredWordlist(): Promise<{ words: readonly string[]; set: ReadonlySet<string> }> {
  loaded ??= (async () => {
    const denied = new Set(lines(denylistText));
    const words = lines(wordlistText).filter((word) => !denied.has(word));
    const digest = toHex(await sha256(ascii(words.join("\n"))));
    if (digest !== FILTERED_WORDLIST_SHA256) {
      throw new Error("the shipped passphrase word lists were altered or damaged");
    }
    return { words, set: new Set(words) };
  })();
  return loaded;
}

/** W = ceil(128 / log2(N)): enough words for at least 128 bits. */
export function wordCount(listSize: number): number {
  return Math.ceil(SECURITY_BITS / Math.log2(listSize));
}

/** A uniform index in [0, n) from crypto.getRandomValues by rejection sampling (no modulo bias). */
export function randomBelow(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError("n out of range");
  // The largest multiple of n that fits in 32 bits: draws at or above it are redrawn, so every
  // index has exactly the same number of accepted draws.
  const limit = 2 ** 32 - (2 ** 32 % n);
  const draw = new Uint32Array(1);
  for (;;) {
    globalThis.crypto.getRandomValues(draw);
    const value = draw[0] ?? 0;
    if (value < limit) return value % n;
  }
}

/** W words drawn independently and uniformly from the filtered list, joined by spaces. */
export async function generatePassphrase(): Promise<string> {
  const { words } = await filteredWordlist();
  const count = wordCount(words.length);
  return Array.from({ length: count }, () => words[randomBelow(words.length)]).join(" ");
}

// Unicode casefold differs from toLowerCase, in what survives as a-z, only for these
// characters (checked over every code point after NFKC with Python's unicodedata): ß and ẞ
// fold to "ss", and a few letters fold to a base letter plus a combining mark.
const CASEFOLD_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ["\u00df", "ss"],
  ["\u1e9e", "ss"],
  ["\u01f0", "j\u030c"],
  ["\u1e96", "h\u0331"],
  ["\u1e97", "t\u0308"],
  ["\u1e98", "w\u030a"],
  ["\u1e99", "y\u030a"],
]);

function casefold(text: string): string {
  let out = "";
  for (const char of text) out += CASEFOLD_EXCEPTIONS.get(char) ?? char.toLowerCase();
  return out;
}

/**
 * Normalise typed text to the KDF input form, or throw InvalidPassphrase. The message names
 * the 1-based positions of unknown words; it MUST NOT be logged (a suggestion is likely a word
 * of the passphrase).
 */
export async function canonicalPassphrase(typed: string): Promise<string> {
  const { words, set } = await filteredWordlist();
  const count = wordCount(words.length);
  if (codePointLength(typed) > MAX_TYPED_CHARS) {
    throw new InvalidPassphrase(`expected ${count} words, got a text far too long`);
  }
  const canonical = casefold(typed.normalize("NFKC")).replace(/[^a-z]+/g, " ").trim();
  const parts = canonical === "" ? [] : canonical.split(" ");
  if (parts.length !== count) throw new InvalidPassphrase(`expected ${count} words, got ${parts.length}`);
  const unknown = parts.flatMap((word, index) => (set.has(word) ? [] : [index + 1]));
  if (unknown.length > 0) {
    const noun = unknown.length === 1 ? "Word is" : "Words are";
    throw new InvalidPassphrase(`${noun} not in the list: ${unknown.map((p) => `word ${p}`).join(", ")}`);
  }
  return canonical;
}
