import { afterAll, beforeAll } from "vitest";
import { channelsSuite } from "../shared/channels";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

channelsSuite(() => h);
