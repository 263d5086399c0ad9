import { afterAll, beforeAll } from "vitest";
import { sweepRetention } from "../../src/services/retention";
import { retentionSuite } from "../shared/retention";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

// The Node job (src/node.ts) runs sweepRetention hourly.
retentionSuite(
  () => h,
  async (x, now) => {
    await sweepRetention(x.store, now);
  },
);
