// The Wycheproof files against primitives.ts, in Node through vitest.
import { describe, it } from "vitest";
import { DATA_ROOTS, nodeSource, wycheproofAvailable } from "./node-source";
import { wycheproofSuites } from "./wycheproof";

if (wycheproofAvailable) {
  for (const suite of await wycheproofSuites(nodeSource)) {
    describe(suite.name, () => {
      for (const entry of suite.cases) it(entry.name, entry.run);
    });
  }
} else {
  it.skip(`Wycheproof files not found at ${DATA_ROOTS["wycheproof"]}: set E2EE_NVR_WYCHEPROOF`);
}
