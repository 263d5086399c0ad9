/** D1 adapter (Workers): migrations are applied by `wrangler d1 migrations apply`. */
import { drizzle } from "drizzle-orm/d1";
import { classify, faultName, StoreUnavailable } from "./conflicts";
import { countMigrations, queryOf, type Batchable, type Database, type Db } from "./db";
import { StoreHealth } from "./health";
import * as schema from "./schema";

/**
 * Wraps a D1 binding. Batches are sent to D1 directly (Drizzle's D1 batch cannot bind the parameters of a raw
 * `db.run(sql…)` statement, which the guarded writes are). A failed batch is not retried here: a lost
 * connection may hide a commit, so the services retry from a fresh read instead (their conditional writes make
 * that safe).
 */
export function openD1(binding: D1Database): Database {
  const db = drizzle(binding, { schema });
  // Prepared statements kept per SQL text: a D1 statement is a handle that `bind` copies, reusable across requests.
  const prepared = new Map<string, D1PreparedStatement>();
  const prepare = (sqlText: string): D1PreparedStatement => {
    let s = prepared.get(sqlText);
    if (!s) {
      if (prepared.size >= 512) prepared.delete(prepared.keys().next().value!);
      prepared.set(sqlText, (s = binding.prepare(sqlText)));
    }
    return s;
  };
  const statement = (item: Batchable): D1PreparedStatement => {
    const q = queryOf(db as unknown as Db, item);
    return prepare(q.sql).bind(...q.params);
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
    async query<T>(sqlText: string, params: readonly unknown[]) {
      const r = await prepare(sqlText)
        .bind(...params)
        .all<T>();
      return r.results;
    },
  };
}
