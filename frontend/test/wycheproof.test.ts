// The Wycheproof files against primitives.ts, in Node through vitest.
import { describe, it } from "vitest";
import { nodeSource } from "./node-source";
import { wycheproofSuites } from "./wycheproof";

for (const suite of await wycheproofSuites(nodeSource)) {
  describe(suite.name, () => {
    for (const entry of suite.cases) it(entry.name, entry.run);
  });
}
