declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** A Workers Rate Limiting binding with a limit of 3 a minute (vitest.config.ts). */
    RATE_LIMITER_TEST: RateLimit;
    /** A second D1 database, a shard (D1_SHARDS, tests/workers/scale.test.ts). */
    DB_EU: D1Database;
  }
}
