import { afterAll, beforeAll } from "vitest";
import { concurrencySuite } from "../shared/concurrency";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

concurrencySuite(() => h);
