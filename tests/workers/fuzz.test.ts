import { env } from "cloudflare:test";
import { DEFAULT_SEED, fuzzSuite } from "../shared/fuzz";
import { workersHarness } from "./harness";

// FUZZ_RUNS and FUZZ_SEED reach workerd as bindings (vitest.config.ts), set by `npm run fuzz -- --runtime workers`.
const vars = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };
const h = workersHarness();
fuzzSuite(() => h, {
  runs: Number(vars.FUZZ_RUNS || 200),
  seed: vars.FUZZ_SEED ? Number(vars.FUZZ_SEED) : DEFAULT_SEED,
});
