import { afterAll, beforeAll } from "vitest";
import { erasureSuite } from "../shared/erasure";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

erasureSuite(() => h);
