// Reading a clip through the data key of the generation it was wrapped to (section 11.3), the
// way the clip opener asks for it, on the v2 account of the shared account_v2.json vectors.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type Json, b64decode } from "../crypto/encoding";
import { importPkcs8 } from "../crypto/keys";
import { wiredAccountOps } from "./wired-ops";

interface Case {
  name: string;
  input: Record<string, Json>;
  output: Record<string, string>;
}
const cases = (JSON.parse(readFileSync(new URL("../../../../tests/vectors/account_v2.json", import.meta.url), "utf-8")) as { cases: Case[] }).cases;

async function enrolledFrom(entry: Case) {
  const account = entry.input["account"] as Record<string, Json>;
  const instance = await importPkcs8(b64decode(entry.input["instance_pkcs8"], "instance_pkcs8"));
  if (instance.kind !== "p256") throw new Error("not an instance key");
  return { account, endpoint: { accountId: String(account["account_id"]), rootCertDer: b64decode(account["root_cert"], "root_cert"), instance } };
}

describe("v2 data-key generations in the clip opener's path", () => {
  it("opens the generation a clip names, and only through this instance's own wraps", async () => {
    for (const name of ["read-generation-1", "read-generation-2"]) {
      const entry = cases.find((c) => c.name === name);
      if (entry === undefined) throw new Error(`account_v2.json lost ${name}`);
      const { account, endpoint } = await enrolledFrom(entry);
      const wanted = entry.output["data_key_id"] ?? "";
      const key = await wiredAccountOps.openDataKey(account, endpoint, ["f".repeat(32), wanted]);
      expect(key.keyId).toBe(wanted);
      await expect(wiredAccountOps.openDataKey(account, endpoint, ["f".repeat(32)])).rejects.toMatchObject({ name: "NoRecipientKey" });
      const otherRoot = { ...endpoint, rootCertDer: new Uint8Array(endpoint.rootCertDer.length) };
      await expect(wiredAccountOps.openDataKey(account, otherRoot, [wanted])).rejects.toMatchObject({ name: "UntrustedKey" });
    }
  }, 60_000);
});
