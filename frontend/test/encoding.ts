// Strict JSON (section 1.1), as tests/protocol/test_encoding.py checks the Python parser: the
// refusals a parser differential could exploit, the nesting bound and the version rule.

import { MAX_DEPTH, checkVersionAndType, loads } from "../src/lib/crypto/encoding";
import { concat, utf8 } from "../src/lib/crypto/bytes";
import { type TestSuite, assert } from "./harness";

function refusalOf(attempt: () => unknown): string {
  try {
    attempt();
    return "ok";
  } catch (err) {
    return err instanceof Error ? err.name : String(err);
  }
}

function nested(lists: number): Uint8Array {
  return utf8(`{"a":${"[".repeat(lists)}${"]".repeat(lists)}}`);
}

const REFUSED: [string, Uint8Array][] = [
  ["duplicate key", utf8('{"a":1,"a":2}')],
  ["fraction", utf8('{"a":1.5}')],
  ["NaN", utf8('{"a":NaN}')],
  ["Infinity", utf8('{"a":Infinity}')],
  ["2^53", utf8('{"a":9007199254740992}')],
  ["5000 digits", utf8(`{"a":${"9".repeat(5000)}}`)],
  ["invalid UTF-8", concat(utf8('{"a":"'), new Uint8Array([0xff]), utf8('"}'))],
  ["not an object", utf8("[1,2]")],
  ["unterminated", utf8('{"a":1')],
  ["nested 65 levels", nested(MAX_DEPTH)],
  ["scalar at level 65", utf8(`{"a":${"[".repeat(MAX_DEPTH - 1)}1${"]".repeat(MAX_DEPTH - 1)}}`)],
  ["nested 1000 levels", nested(1000)],
];

const VERSIONS: [string, Record<string, unknown>, string][] = [
  ["v true", { v: true, type: "x" }, "MalformedObject"],
  ['v "1"', { v: "1", type: "x" }, "MalformedObject"],
  ["v missing", { type: "x" }, "MalformedObject"],
  ["v 2", { v: 2, type: "x" }, "UnsupportedVersion"],
  ["v 0", { v: 0, type: "x" }, "UnsupportedVersion"],
  ["type y", { v: 1, type: "y" }, "MalformedObject"],
  ["type missing", { v: 1 }, "MalformedObject"],
  ["v 1 type x", { v: 1, type: "x" }, "ok"],
];

export function encodingSuite(): TestSuite {
  return {
    name: "encoding (section 1.1)",
    cases: [
      ...REFUSED.map(([name, raw]) => ({
        name: `refuses ${name}`,
        run: async () => {
          const outcome = refusalOf(() => loads(raw));
          assert(outcome === "MalformedObject", `${name}: ${outcome}`);
        },
      })),
      {
        name: "accepts nesting up to 64 levels",
        run: async () => {
          assert(refusalOf(() => loads(nested(MAX_DEPTH - 1))) === "ok", "63 lists in an object");
          const deepest = utf8(`{"a":${"[".repeat(MAX_DEPTH - 2)}1${"]".repeat(MAX_DEPTH - 2)}}`);
          assert(refusalOf(() => loads(deepest)) === "ok", "scalar at level 64");
        },
      },
      ...VERSIONS.map(([name, document, expected]) => ({
        name: `version rule: ${name} -> ${expected}`,
        run: async () => {
          const outcome = refusalOf(() => checkVersionAndType(loads(utf8(JSON.stringify(document))), "x"));
          assert(outcome === expected, `${name}: ${outcome}`);
        },
      })),
    ],
  };
}
