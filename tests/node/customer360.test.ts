import { afterAll, beforeAll } from "vitest";
import { customer360Suite } from "../shared/customer360";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

customer360Suite(() => h);
