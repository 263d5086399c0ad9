import { afterAll, beforeAll } from "vitest";
import { securityMatrixSuite } from "../shared/security-matrix";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

securityMatrixSuite(() => h);
