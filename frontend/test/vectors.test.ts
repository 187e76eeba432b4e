// Every shared vector file, run in Node through vitest.
import { describe, it } from "vitest";
import { nodeSource } from "./node-source";
import { VECTOR_FILES, vectorSuites } from "./vectors";

for (const suite of await vectorSuites(nodeSource, VECTOR_FILES)) {
  describe(suite.name, () => {
    for (const entry of suite.cases) it(entry.name, entry.run);
  });
}
