// Every suite both environments run: the shared vectors, the Wycheproof files, the unit suites.
import { type DataSource, type TestSuite } from "./harness";
import { VECTOR_FILES, vectorSuites } from "./vectors";
import { unitSuites } from "./unit";
import { wycheproofSuites } from "./wycheproof";

export async function allSuites(source: DataSource): Promise<TestSuite[]> {
  return [
    ...(await vectorSuites(source, VECTOR_FILES)),
    ...(await wycheproofSuites(source)),
    ...(await unitSuites(source)),
  ];
}
