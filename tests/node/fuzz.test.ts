import { afterAll, beforeAll } from "vitest";
import { DEFAULT_SEED, fuzzSuite } from "../shared/fuzz";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
beforeAll(async () => {
  h = await startNodeHarness();
});
afterAll(() => h.close());

fuzzSuite(() => h, {
  runs: Number(process.env.FUZZ_RUNS ?? 200),
  seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : DEFAULT_SEED,
});
