/** D1 adapter (Workers): migrations are applied by `wrangler d1 migrations apply`. */
import { drizzle } from "drizzle-orm/d1";
import { classify, faultName, StoreUnavailable } from "./conflicts";
import { countMigrations, type Batchable, type Database, type Db } from "./db";
import { StoreHealth } from "./health";
import * as schema from "./schema";

/** What a batch item (a query builder or `db.run(sql)`) executes: its SQL and bound parameters. */
type Preparable = {
  _prepare(): { getQuery?: () => { sql: string; params: unknown[] }; getSQL?: () => unknown };
};

/**
 * Wraps a D1 binding. Batches are sent to D1 directly (Drizzle's D1 batch cannot bind the parameters of a raw
 * `db.run(sql…)` statement, which the guarded writes are). A failed batch is not retried here: a lost
 * connection may hide a commit, so the services retry from a fresh read instead (their conditional writes make
 * that safe).
 */
export function openD1(binding: D1Database): Database {
  const db = drizzle(binding, { schema });
  const dialect = (db as unknown as { dialect: { sqlToQuery(s: unknown): { sql: string; params: unknown[] } } })
    .dialect;
  const statement = (item: Batchable): D1PreparedStatement => {
    const p = (item as unknown as Preparable)._prepare();
    const q = p.getQuery ? p.getQuery() : dialect.sqlToQuery(p.getSQL!());
    return binding.prepare(q.sql).bind(...q.params);
  };
  const health = new StoreHealth();
  return {
    kind: "d1",
    maxParams: 100,
    changes: (r) => Number((r as D1Result).meta?.changes ?? 0),
    db: db as unknown as Db,
    health,
    async batch(items: readonly Batchable[]) {
      try {
        const out = items.length ? await binding.batch(items.map(statement)) : [];
        health.writeSucceeded();
        return out;
      } catch (e) {
        const kind = classify(e);
        if (kind !== "conflict") health.writeFailed(e, Date.now());
        if (kind === "unavailable") throw new StoreUnavailable(faultName(e), e);
        throw e;
      }
    },
    // D1 serializes writes inside its Durable Object; there is no lock a Worker could find taken.
    probeWrite: async () => null,
    // D1 has no secure_delete and keeps 30 days of Time Travel: erased rows are gone from queries at once and
    // from restorable history after 30 days (README, "State under concurrency and faults").
    afterErasure: async () => {},
    appliedMigrations: () => countMigrations(db as unknown as Db, "d1_migrations"),
  };
}
