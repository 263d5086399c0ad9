import { applyD1Migrations, env } from "cloudflare:test";

// Storage is isolated per test file: each file starts from an empty D1 with the real migrations applied.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
// A second shard (D1_SHARDS): the same schema.
await applyD1Migrations(env.DB_EU, env.TEST_MIGRATIONS);
