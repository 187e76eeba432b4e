// Every suite both environments run: the shared vectors, the Wycheproof files, the unit suites.
import { type DataSource, type TestSuite } from "./harness";
import { VECTOR_FILES, vectorSuites } from "./vectors";
import { unitSuites } from "./unit";
import { wycheproofSuites } from "./wycheproof";

/** `withWycheproof` is false only in a bare clone without Wycheproof's files (not in CI). */
export async function allSuites(source: DataSource, withWycheproof = true): Promise<TestSuite[]> {
  return [
    ...(await vectorSuites(source, VECTOR_FILES)),
    ...(withWycheproof ? await wycheproofSuites(source) : []),
    ...(await unitSuites(source)),
  ];
}
