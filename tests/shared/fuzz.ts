/**
 * The fuzzer as a route suite (both runtimes): every operation of openapi/openapi.json gets `runs` generated cases
 * (200 in `npm test`) against a fresh tenant of its own; every answer must be documented and match its schema,
 * never a 5xx. The long run is `npm run fuzz -- --runs N` (scripts/fuzz.ts).
 */
import { afterAll, describe, expect, it } from "vitest";
import { operations } from "../../src/routes";
import { makeTenant } from "./fixtures";
import { emptyStats, fuzzOperation, mergeStats } from "./fuzz/fuzzer";
import { specOperations } from "./fuzz/spec";
import type { Harness } from "./harness";

/** The seed of the bounded run: fixed, so that `npm test` is repeatable (FUZZ_SEED explores others). */
export const DEFAULT_SEED = 20_261_208;

export function fuzzSuite(getHarness: () => Harness, opts: { runs: number; seed: number }) {
  const total = emptyStats();
  describe(`fuzzer over openapi/openapi.json (${opts.runs} cases per operation, seed ${opts.seed})`, () => {
    it("covers every operation of the route table", () => {
      expect(
        specOperations()
          .map((o) => o.id)
          .sort(),
      ).toEqual(operations.map((o) => o.schema.operationId as string).sort());
    });
    for (const op of specOperations()) {
      it(`${op.method} ${op.path} (${op.id})`, { timeout: 300_000 }, async () => {
        const h = getHarness();
        const a = await makeTenant(h);
        const stats = await fuzzOperation(op, { h, a }, opts);
        mergeStats(total, stats);
        if (stats.failures.length) console.log("FAILURES", stats.failures.slice(0, 3).join("\n"));
        if (stats.error) throw new Error(stats.error);
        expect(stats.requests).toBeGreaterThanOrEqual(opts.runs);
        expect(stats.serverErrors).toBe(0);
      });
    }
    afterAll(() => {
      const statuses = Object.entries(total.statuses)
        .map(([s, n]) => `${s}×${n}`)
        .join(" ");
      console.log(
        `FUZZ ${JSON.stringify({ requests: total.requests, serverErrors: total.serverErrors, ms: total.ms, statuses: total.statuses })}`,
      );
      console.log(`fuzzer: ${total.requests} requests, ${total.serverErrors} 5xx, ${statuses}`);
    });
  });
}
