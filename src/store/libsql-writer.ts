/**
 * The write connection of a local libSQL file as a `Client` whose work runs on a worker thread
 * (libsql-writer.worker.mjs): the atomic batches (and their COMMITs and checkpoints) no longer stop the event loop,
 * so on a machine with a second core, reads, validation and projection of the next requests go on while SQLite
 * writes (issue 11: ingestion was ~80% write transaction on the main thread). One thread, one connection, the
 * operations in the order they were sent: the same single writer as before, the same transactions, the same
 * errors (message and code; conflicts.ts classifies by message). Arguments are converted on this side
 * (booleans, dates) as the native client converts them.
 */
import type { Client, InStatement, ResultSet, TransactionMode } from "@libsql/client";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const BEGIN: Record<TransactionMode, string> = {
  write: "BEGIN IMMEDIATE",
  read: "BEGIN TRANSACTION READONLY",
  deferred: "BEGIN DEFERRED",
};

interface Reply {
  id: number;
  result?:
    | { columns: string[]; rows: unknown[][]; changes: number }
    | { columns: string[]; rows: unknown[][]; changes: number }[]
    | null;
  error?: { name: string; message: string; code?: string; rawCode?: number };
}

/** A statement that only reads: the read connection answers it, and on the writer thread it goes ahead of the
 * queued write batches; anything else is a write. */
const READ_ONLY = /^\s*(select|explain)\b/i;
const WRITES = /\b(insert|update|delete|replace|create|drop|alter)\b/i;
export function isReadOnly(sqlText: string): boolean {
  return READ_ONLY.test(sqlText) || (/^\s*with\b/i.test(sqlText) && !WRITES.test(sqlText));
}

function toArg(v: unknown): unknown {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === undefined) throw new TypeError("undefined cannot be passed as argument to the database");
  if (v instanceof Date) return v.valueOf();
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  return v;
}

function statement(s: InStatement): { sql: string; args: unknown } {
  if (typeof s === "string") return { sql: s, args: [] };
  const a = s.args ?? [];
  return {
    sql: s.sql,
    args: Array.isArray(a) ? a.map(toArg) : Object.fromEntries(Object.entries(a).map(([k, v]) => [k, toArg(v)])),
  };
}

function resultSet(r: { columns: string[]; rows: unknown[][]; changes: number }): ResultSet {
  const rows = r.rows.map((values) => {
    const row: Record<string | number, unknown> = {};
    r.columns.forEach((c, i) => {
      row[i] = values[i];
      if (!(c in row)) row[c] = values[i];
    });
    Object.defineProperty(row, "length", { value: r.columns.length });
    return row;
  });
  return {
    columns: r.columns,
    columnTypes: [],
    rows: rows as unknown as ResultSet["rows"],
    rowsAffected: r.changes,
    lastInsertRowid: undefined,
    toJSON: () => ({ columns: r.columns, rows, rowsAffected: r.changes }),
  };
}

/** Opens `path` on a writer thread with SQLite's busy timeout in milliseconds. */
export function createWriterClient(path: string, timeoutMs: number): Client & { ended(): Promise<void> } {
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let next = 0;
  let closed = false;
  let worker: Worker | null = null;
  let ended: Promise<void> = Promise.resolve();

  const fail = (e: unknown) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const start = (): Worker => {
    const w = new Worker(join(dirname(fileURLToPath(import.meta.url)), "libsql-writer.worker.mjs"), {
      workerData: { path, timeoutMs },
    });
    w.unref(); // referenced only while an operation is in flight (below)
    w.on("message", (m: Reply) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (!pending.size && !closed) w.unref();
      if (m.error) p.reject(Object.assign(new Error(m.error.message), m.error));
      else p.resolve(m.result);
    });
    w.on("error", (e) => {
      // A thread that died loses no committed write; what was in flight did not commit (or did, and its guards
      // make the caller's retry from a fresh read safe). The next operation starts a new thread.
      if (worker === w) worker = null;
      fail(Object.assign(new Error(`database writer thread failed, try again: ${e.message}`), { cause: e }));
    });
    w.on("exit", () => {
      if (worker === w) worker = null;
      fail(new Error("database writer thread exited, try again"));
    });
    return w;
  };
  const call = <T>(msg: Record<string, unknown>): Promise<T> => {
    if (closed) return Promise.reject(Object.assign(new Error("The client is closed"), { code: "CLIENT_CLOSED" }));
    worker ??= start();
    const id = next++;
    const w = worker;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.ref();
      w.postMessage({ id, ...msg });
    });
  };

  const client = {
    protocol: "file",
    get closed() {
      return closed;
    },
    async execute(stmtOrSql: InStatement, args?: unknown[]) {
      const s = typeof stmtOrSql === "string" && args ? { sql: stmtOrSql, args: args as never } : stmtOrSql;
      const st = statement(s);
      // A read is answered ahead of the write batches queued with it (they are not acknowledged yet, so no caller
      // expects to see them), leaving those batches one group commit.
      return resultSet(await call({ op: "execute", stmt: st, read: isReadOnly(st.sql) }));
    },
    async batch(stmts: InStatement[], mode: TransactionMode = "deferred") {
      const out = await call<{ columns: string[]; rows: unknown[][]; changes: number }[]>({
        op: "batch",
        begin: BEGIN[mode],
        stmts: stmts.map(statement),
      });
      return out.map(resultSet);
    },
    async migrate(stmts: InStatement[]) {
      await call({ op: "executeMultiple", sql: "PRAGMA foreign_keys=off" });
      try {
        return (
          await call<{ columns: string[]; rows: unknown[][]; changes: number }[]>({
            op: "batch",
            begin: BEGIN.deferred,
            stmts: stmts.map(statement),
          })
        ).map(resultSet);
      } finally {
        await call({ op: "executeMultiple", sql: "PRAGMA foreign_keys=on" });
      }
    },
    async executeMultiple(sql: string) {
      await call({ op: "executeMultiple", sql });
    },
    async reconnect() {
      closed = false;
      await call({ op: "reconnect" });
    },
    close() {
      if (closed) return;
      // The thread closes its connection and ends by itself (terminating it, or exiting the process under it,
      // can abort the process in libsql's finalizers): it keeps the process alive until then, and `ended`
      // tells when (await it before process.exit).
      if (worker) {
        const w = worker;
        ended = new Promise<void>((r) => w.once("exit", () => r()));
        call({ op: "close" }).catch(() => {});
        w.ref();
      }
      closed = true;
    },
    /** Settles once the thread has closed its connection and ended (after close()). */
    ended: () => ended,
    async transaction() {
      throw new Error("interactive transactions are not used by Pitwall; use batch()");
    },
    async sync() {
      return undefined;
    },
  };
  return client as unknown as Client & { ended(): Promise<void> };
}
