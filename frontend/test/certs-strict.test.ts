// Non-canonical encodings of a valid certificate are refused (MalformedObject), not re-read.
import { describe, expect, it } from "vitest";
import { loadCert, verifyRoot } from "../src/lib/crypto/certs";
import { b64decode } from "../src/lib/crypto/encoding";
import { concat } from "../src/lib/crypto/bytes";
import { nodeSource } from "./node-source";

const file = (await nodeSource.json("vectors/certs.json")) as {
  cases: { name: string; input: { cert: string } }[];
};
const root = b64decode(file.cases.find((c) => c.name === "root")?.input.cert, "root");

async function refusal(der: Uint8Array): Promise<string> {
  try {
    await loadCert(der);
    return "accepted";
  } catch (err) {
    return err instanceof Error ? err.name : String(err);
  }
}

describe("certificate DER strictness", () => {
  it("accepts the vector root", async () => {
    expect((await verifyRoot(await loadCert(root))).keyId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("refuses a non-minimal outer length", async () => {
    expect(root[1]).toBe(0x82);
    const longer = concat(new Uint8Array([0x30, 0x83, 0x00]), root.subarray(2));
    expect(await refusal(longer)).toBe("MalformedObject");
  });

  it("refuses a critical flag encoded as 0x01 rather than 0xff", async () => {
    const index = root.findIndex((_, i) => root[i] === 0x01 && root[i + 1] === 0x01 && root[i + 2] === 0xff);
    expect(index).toBeGreaterThan(0);
    const bent = new Uint8Array(root);
    bent[index + 2] = 0x01;
    expect(await refusal(bent)).toBe("MalformedObject");
  });

  it("refuses trailing bytes", async () => {
    expect(await refusal(concat(root, new Uint8Array([0])))).toBe("MalformedObject");
  });
});
