/**
 * The database seam: one Drizzle schema over D1 (Workers) or libSQL (Node, Turso).
 * Both are async SQLite drivers with atomic batches, which is all the repositories rely on.
 */
import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import journal from "../../migrations/meta/_journal.json";
import type { StoreHealth } from "./health";
import type * as schema from "./schema";

export type Schema = typeof schema;
export type Db = BaseSQLiteDatabase<"async", unknown, Schema>;
export type Batchable = BatchItem<"sqlite">;

export interface BatchOptions {
  /** How long a batch may wait for a locked database (libSQL retries SQLITE_BUSY asynchronously until then). */
  budgetMs?: number;
}

export interface Database {
  readonly kind: "d1" | "libsql";
  readonly db: Db;
  /**
   * Runs statements atomically (D1 batch / libSQL batch in one transaction) in one round trip. A failed guard
   * (conflicts.ts) rejects with an error that `classify` calls "conflict"; nothing of the batch is written.
   */
  batch(items: readonly Batchable[], opts?: BatchOptions): Promise<readonly unknown[]>;
  /** Faults seen on this store, for /health. */
  readonly health: StoreHealth;
  /** Whether a write could start now (libSQL: takes and releases the write lock); null when the runtime cannot tell. */
  probeWrite(): Promise<{ ok: boolean; error?: unknown } | null>;
  /** After an erasure: make erased bytes leave the write-ahead log (libSQL checkpoint); no-op where not possible. */
  afterErasure(): Promise<void>;
  /** Bound parameters one statement may carry (D1: 100). */
  readonly maxParams: number;
  /** Rows changed by one statement's result in a batch. */
  changes(result: unknown): number;
  /** How many migrations the database has applied. */
  appliedMigrations(): Promise<number>;
  /**
   * Rows of one fixed SQL statement, without the query builder: the hot reads (decide, lookup) use it, and the
   * driver keeps the statement prepared (libSQL) — see `raw` for writes. `hot`: the decision's one read, which a
   * local libSQL file answers from the write connection's thread, whose page cache its own commits keep warm (the
   * read connection's cache is dropped by every commit of the other connection), off the event loop.
   */
  query<T = Record<string, unknown>>(sql: string, params: readonly unknown[], opts?: { hot?: boolean }): Promise<T[]>;
}

/** What `batch` executes of a Drizzle query or a raw statement: its SQL and bound parameters. */
type Preparable = {
  _prepare(): { getQuery?: () => { sql: string; params: unknown[] }; getSQL?: () => unknown };
};

/** A statement of fixed SQL (no query builder) that `batch` takes like a Drizzle query: for the hot writes. */
class RawStatement {
  constructor(
    private readonly sql: string,
    private readonly params: readonly unknown[],
  ) {}
  _prepare() {
    return { getQuery: () => ({ sql: this.sql, params: this.params as unknown[] }) };
  }
}

/** A fixed SQL statement for `batch` (the hot writes: the decision's contact, the decision log). */
export function raw(sql: string, params: readonly unknown[]): Batchable {
  return new RawStatement(sql, params) as unknown as Batchable;
}

/** The SQL and parameters of a batch item (a Drizzle query, `db.run(sql…)`, or `raw`). */
export function queryOf(db: Db, item: Batchable): { sql: string; params: unknown[] } {
  const p = (item as unknown as Preparable)._prepare();
  if (p.getQuery) return p.getQuery();
  const dialect = (db as unknown as { dialect: { sqlToQuery(s: unknown): { sql: string; params: unknown[] } } })
    .dialect;
  return dialect.sqlToQuery(p.getSQL!());
}

/** Migration tags in the order drizzle-kit generated them (bundled, so /health can name the latest). */
export const MIGRATION_TAGS: readonly string[] = journal.entries.map((e) => e.tag);

/** Rows in a migrator's bookkeeping table (`d1_migrations` for wrangler, `__drizzle_migrations` for Drizzle); 0 before the first. */
export async function countMigrations(db: Db, table: "d1_migrations" | "__drizzle_migrations"): Promise<number> {
  const [exists] = await db.all<{ n: number }>(
    sql`select count(*) as n from sqlite_master where type = 'table' and name = ${table}`,
  );
  if (!exists?.n) return 0;
  const [row] = await db.all<{ n: number }>(sql.raw(`select count(*) as n from ${table}`));
  return Number(row?.n ?? 0);
}

/** Splits rows so that each statement stays under the database's bound-parameter limit. */
export function chunk<T>(rows: readonly T[], paramsPerRow: number, maxParams: number): T[][] {
  const size = Math.max(1, Math.floor((maxParams - 2) / paramsPerRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}
