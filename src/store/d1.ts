/** D1 adapter (Workers): migrations are applied by `wrangler d1 migrations apply`. */
import { drizzle } from "drizzle-orm/d1";
import { countMigrations, type Batchable, type Database, type Db } from "./db";
import * as schema from "./schema";

/** Wraps a D1 binding. */
export function openD1(binding: D1Database): Database {
  const db = drizzle(binding, { schema });
  return {
    kind: "d1",
    maxParams: 100,
    changes: (r) => Number((r as D1Result).meta?.changes ?? 0),
    db: db as unknown as Db,
    batch: (items: readonly Batchable[]) => db.batch(items as unknown as Parameters<typeof db.batch>[0]),
    appliedMigrations: () => countMigrations(db as unknown as Db, "d1_migrations"),
  };
}
