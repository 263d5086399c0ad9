import { afterAll, beforeAll } from "vitest";
import { ownershipSuite } from "../shared/ownership";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

ownershipSuite(() => h);
