// The non-vector suites (encoding, backups, issuance, pairing, accounts), run in Node by vitest;
// the same suites run in Chromium through test/suites.ts.
import { describe, it } from "vitest";
import { nodeSource } from "./node-source";
import { unitSuites } from "./unit";

for (const suite of await unitSuites(nodeSource)) {
  describe(suite.name, () => {
    for (const entry of suite.cases) it(entry.name, entry.run);
  });
}
