import { afterAll, beforeAll } from "vitest";
import { decisioningSuite } from "../shared/decisioning";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

decisioningSuite(() => h);
