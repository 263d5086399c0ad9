import { afterAll, beforeAll } from "vitest";
import { holdoutSuite } from "../shared/holdout";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

holdoutSuite(() => h);
