// Every suite both environments run: the shared vectors and the Wycheproof files.
import { type DataSource, type TestSuite } from "./harness";
import { VECTOR_FILES, vectorSuites } from "./vectors";
import { wycheproofSuites } from "./wycheproof";

export async function allSuites(source: DataSource): Promise<TestSuite[]> {
  return [...(await vectorSuites(source, VECTOR_FILES)), ...(await wycheproofSuites(source))];
}
