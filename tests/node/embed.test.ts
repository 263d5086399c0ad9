import { afterAll, beforeAll } from "vitest";
import { embedSuite } from "../shared/embed";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

embedSuite(() => h);
