/**
 * A local libSQL connection that keeps its prepared statements (issue 11). @libsql/client's local client prepares
 * every statement on every call and asks for its columns twice — 11% of the server's CPU under load in the
 * profile. This is the part of @libsql/client's `Client` that Pitwall and Drizzle use (execute, batch, migrate,
 * executeMultiple, reconnect, close), over one `libsql` connection (the native package @libsql/client itself
 * uses locally) with a bounded cache of prepared statements. Same SQLite, same file, same transactions
 * (`batch` = BEGIN IMMEDIATE … COMMIT, rolled back on any error), same errors (SqliteError: code, message), so
 * the store's conflict and fault handling (conflicts.ts, libsql.ts) is unchanged. Remote URLs (Turso, sqld) keep
 * @libsql/client.
 */
import type { Client, InStatement, ResultSet, TransactionMode } from "@libsql/client";
import Database from "libsql";

/** Prepared statements kept per connection (Pitwall's fixed SQL is a few hundred at most). */
const MAX_STATEMENTS = 512;

type Native = InstanceType<typeof Database>;
type Stmt = ReturnType<Native["prepare"]>;

interface Cached {
  stmt: Stmt;
  reader: boolean;
  /** Builds a row: named, enumerable columns (what Drizzle's raw queries read) and indices, as @libsql/client. */
  row: ((values: unknown[]) => Record<string, unknown>) | null;
}

const VALUES = Symbol("values");

/** A row class per statement: own enumerable properties per column name, array-like access through the prototype. */
function rowMaker(columns: string[]): (values: unknown[]) => Record<string, unknown> {
  const names: string[] = [];
  const firstIndex: number[] = [];
  columns.forEach((c, i) => {
    if (!names.includes(c)) {
      names.push(c);
      firstIndex.push(i);
    }
  });
  const proto: Record<string | symbol, unknown> = {};
  Object.defineProperty(proto, "length", { value: columns.length });
  for (let i = 0; i < columns.length; i++)
    Object.defineProperty(proto, i, {
      get(this: { [VALUES]: unknown[] }) {
        return this[VALUES][i];
      },
    });
  return (values) => {
    const row = Object.create(proto) as Record<string | symbol, unknown>;
    row[VALUES] = values;
    for (let k = 0; k < names.length; k++) row[names[k]!] = values[firstIndex[k]!];
    return row as Record<string, unknown>;
  };
}

function toArg(v: unknown): unknown {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === undefined) throw new TypeError("undefined cannot be passed as argument to the database");
  if (v instanceof Date) return v.valueOf();
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  return v;
}

function result(rows: Record<string, unknown>[], columns: string[], rowsAffected: number): ResultSet {
  return {
    columns,
    columnTypes: [],
    rows: rows as unknown as ResultSet["rows"],
    rowsAffected,
    lastInsertRowid: undefined,
    toJSON: () => ({ columns, rows, rowsAffected }),
  };
}

const BEGIN: Record<TransactionMode, string> = {
  write: "BEGIN IMMEDIATE",
  read: "BEGIN TRANSACTION READONLY",
  deferred: "BEGIN DEFERRED",
};

/** Opens `path` (a file, or ":memory:") with SQLite's busy timeout in milliseconds. */
export function createNativeClient(path: string, timeoutMs: number): Client {
  let db: Native = new Database(path, { timeout: timeoutMs } as never);
  let cache = new Map<string, Cached>();
  let closed = false;

  const prepared = (sql: string): Cached => {
    let c = cache.get(sql);
    if (c) return c;
    const stmt = db.prepare(sql);
    let reader = true;
    try {
      stmt.raw(true);
    } catch {
      reader = false; // raw() refuses statements that return no data
    }
    const columns = reader ? (stmt.columns() as { name: string }[]).map((x) => x.name) : [];
    c = { stmt, reader, row: reader ? rowMaker(columns) : null };
    (c as Cached & { columns: string[] }).columns = columns;
    if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value!);
    cache.set(sql, c);
    return c;
  };

  const exec = (s: InStatement): ResultSet => {
    const sql = typeof s === "string" ? s : s.sql;
    const rawArgs = typeof s === "string" ? [] : (s.args ?? []);
    const args = Array.isArray(rawArgs) ? rawArgs.map(toArg) : rawArgs;
    const c = prepared(sql);
    const columns = (c as Cached & { columns: string[] }).columns;
    if (c.reader) {
      const values = c.stmt.all(args) as unknown[][];
      const rows = new Array<Record<string, unknown>>(values.length);
      for (let i = 0; i < values.length; i++) rows[i] = c.row!(values[i]!);
      return result(rows, columns, 0);
    }
    const info = c.stmt.run(args) as { changes: number };
    return result([], [], info.changes);
  };

  const check = () => {
    if (closed) throw Object.assign(new Error("The client is closed"), { code: "CLIENT_CLOSED" });
  };

  const inTx = <T>(begin: string, body: () => T): T => {
    exec(begin);
    try {
      const out = body();
      exec("COMMIT");
      return out;
    } finally {
      if (db.inTransaction) db.exec("ROLLBACK");
    }
  };

  const client = {
    protocol: "file",
    get closed() {
      return closed;
    },
    async execute(stmtOrSql: InStatement, args?: unknown[]) {
      check();
      return exec(typeof stmtOrSql === "string" && args ? { sql: stmtOrSql, args: args as never } : stmtOrSql);
    },
    async batch(stmts: InStatement[], mode: TransactionMode = "deferred") {
      check();
      return inTx(BEGIN[mode], () => stmts.map((s) => exec(s)));
    },
    async migrate(stmts: InStatement[]) {
      check();
      db.exec("PRAGMA foreign_keys=off");
      try {
        return inTx("BEGIN DEFERRED", () => stmts.map((s) => exec(s)));
      } finally {
        db.exec("PRAGMA foreign_keys=on");
      }
    },
    async executeMultiple(sql: string) {
      check();
      db.exec(sql);
    },
    async reconnect() {
      try {
        db.close();
      } catch {}
      db = new Database(path, { timeout: timeoutMs } as never);
      cache = new Map();
      closed = false;
    },
    close() {
      closed = true;
      cache = new Map();
      db.close();
    },
    async transaction() {
      throw new Error("interactive transactions are not used by Pitwall; use batch()");
    },
    async sync() {
      return undefined;
    },
  };
  return client as unknown as Client;
}
