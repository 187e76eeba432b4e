// Suites that are not vector files but run in both environments (Node and Chromium).
import { type DataSource, type TestSuite } from "./harness";
import { encodingSuite } from "./encoding";
import { endpointSuites } from "./endpoint";
import { endpointV2Suites } from "./endpoint-v2";

export async function unitSuites(source: DataSource): Promise<TestSuite[]> {
  return [encodingSuite(), ...(await endpointSuites(source)), ...endpointV2Suites()];
}
