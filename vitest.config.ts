import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { buildDocsAssets } from "./scripts/docs-assets.mjs";

// The Worker's static assets (/docs) must exist before workerd starts (wrangler.toml [assets]).
buildDocsAssets();
const migrations = await readD1Migrations(fileURLToPath(new URL("./migrations", import.meta.url).href));

// Four projects: pure unit tests (Node), route tests on Node + libSQL over real HTTP, browser tests in
// Chromium against real servers, and the same route tests inside workerd against D1 with the real migrations.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" } },
      {
        test: {
          name: "node",
          include: ["tests/node/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Real Chromium (Debian's, through playwright-core) against real servers: tests/browser/chromium.ts.
        test: {
          name: "browser",
          include: ["tests/browser/**/*.test.ts"],
          environment: "node",
          globalSetup: ["./tests/browser/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                TEST_MIGRATIONS: migrations,
                RATE_LIMIT_PER_MINUTE: "1000000",
                // The fuzzer's long run inside workerd (scripts/fuzz.ts): cases per operation and the seed.
                FUZZ_RUNS: process.env.FUZZ_RUNS ?? "",
                FUZZ_SEED: process.env.FUZZ_SEED ?? "",
                // Webhook retries within a test's time (tests/shared/webhooks.ts)
                WEBHOOK_BACKOFF_MS: "200",
                WEBHOOK_TIMEOUT_MS: "400",
                // The receiver listens on loopback (the default, deny, is tested on Node)
                WEBHOOK_PRIVATE_TARGETS: "allow",
              },
              // VPIC: vPIC data for VIN decoding, loaded per test file by tests/workers/vpic-setup.ts. DB_EU: a second
              // shard (D1_SHARDS, tests/workers/scale.test.ts), migrated like DB.
              d1Databases: ["DB", "VPIC", "DB_EU"],
              // The Workers Rate Limiting binding as miniflare runs it locally: RATE_LIMITER (wrangler.toml) with room
              // for the route suites, and a small one for the test that shows a limit holding across isolates.
              ratelimits: {
                RATE_LIMITER: { namespace_id: "8001", simple: { limit: 1_000_000, period: 60 } },
                RATE_LIMITER_TEST: { namespace_id: "8002", simple: { limit: 3, period: 60 } },
              },
              // Decision logs through the Queue as deployed, but delivered at once: wrangler.toml waits up to 1 s to
              // fill a batch, which every test that waits for its decision's log would pay.
              queueConsumers: {
                "pitwall-decision-log": { maxBatchSize: 100, maxBatchTimeout: 0, maxRetries: 10 },
                "pitwall-webhooks": { maxBatchSize: 10, maxBatchTimeout: 0, maxRetries: 10 },
              },
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["tests/workers/**/*.test.ts"],
          setupFiles: ["./tests/workers/apply-migrations.ts", "./tests/workers/vpic-setup.ts"],
          // A real webhook receiver on loopback, in Node, for the webhook suite inside workerd.
          globalSetup: ["./tests/workers/receiver-setup.ts"],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
