/**
 * libSQL (Node, Turso) adapter: `file:` for the embedded default, `libsql://` + token for Turso.
 *
 * The local client runs SQLite synchronously on the calling thread, so a statement that waits for a lock blocks
 * the whole event loop for as long as SQLite's busy timeout. Three things keep a lock held elsewhere (the CLI,
 * another process) from stalling the server or breaking it:
 * - one connection per client (`concurrency: 1`, so the pragmas below hold for every statement: the client's
 *   pool would otherwise open more connections, without them): one for reads, one for the atomic batches that
 *   write, so a write waiting for the lock never holds up a read and the two never contend with each other;
 * - a busy timeout of a few milliseconds, and the wait done asynchronously instead: a batch that finds the
 *   database locked is retried with backoff (timers, not a blocked thread) until its budget runs out, then fails
 *   as "unavailable" — decide degrades, writes answer 503 with Retry-After, nothing is half-written;
 * - a connection that met SQLITE_BUSY is replaced (libsql leaves the failed statement in progress, after which
 *   no transaction on that connection can commit), and the new one gets the pragmas again.
 */
import { createClient, type Client, type InArgs, type InStatement, type TransactionMode } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { classify, faultName, StoreUnavailable } from "./conflicts";
import { countMigrations, queryOf, type Batchable, type BatchOptions, type Database, type Db } from "./db";
import { createNativeClient } from "./libsql-native";
import { createWriterClient, isReadOnly } from "./libsql-writer";
import { StoreHealth } from "./health";
import * as schema from "./schema";

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../migrations");

/** How long one statement may block the thread waiting for a lock before SQLite gives up with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 1;
/** How long a batch keeps retrying a locked database (asynchronously) unless the caller gives a budget; the
 * services retry whole attempts on top of it, up to about a second (services/retry.ts). */
export const DEFAULT_BATCH_BUDGET_MS = 250;

const PRAGMAS = [
  `PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`,
  "PRAGMA synchronous = NORMAL",
  "PRAGMA foreign_keys = ON",
  // Deleted content is overwritten with zeros, so an erased person's bytes do not linger in free pages.
  "PRAGMA secure_delete = ON",
];

/**
 * One `Client` over the two connections: statements that only read go to the read connection, every write (a
 * single statement, a batch, a migration) to the write connection — so a write never waits for the lock on the
 * read connection, where SQLite's wait would stop the event loop, and with the writer on its own thread every
 * write leaves the event loop.
 */
function routed(reader: Client, writer: Client): Client {
  const sqlOf = (s: InStatement) => (typeof s === "string" ? s : s.sql);
  return new Proxy(reader, {
    get(target, prop, receiver) {
      switch (prop) {
        case "execute":
          return (s: InStatement, args?: InArgs) =>
            (isReadOnly(sqlOf(s)) ? reader : writer).execute(s as never, args as never);
        case "batch":
          return (stmts: InStatement[], mode?: TransactionMode) =>
            (mode === "read" ? reader : writer).batch(stmts, mode);
        case "migrate":
        case "executeMultiple":
        case "transaction":
          return (writer[prop] as (...a: unknown[]) => unknown).bind(writer);
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

export interface LibsqlDatabase extends Database {
  /** Both connections as one client: reads to the read connection, writes to the write connection. */
  readonly client: Client;
  close(): void;
  /** Settles once a closed database's writer thread has ended (await it before process.exit). */
  closed(): Promise<void>;
}

/** The writer thread's end, through the wrappers (healing, test fault injection) around its client. */
const endedOf = (c: Client): Promise<void> =>
  typeof (c as { ended?: unknown }).ended === "function"
    ? (c as unknown as { ended(): Promise<void> }).ended()
    : Promise.resolve();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isBusy = (e: unknown) => classify(e) === "unavailable" && /locked|BUSY/i.test(faultName(e));

/** A local client that replaces its connection (and sets the pragmas on the new one) after SQLITE_BUSY. */
function healing(client: Client): Client {
  let reconnecting: Promise<void> | null = null;
  const heal = async (e: unknown) => {
    if (!isBusy(e)) return;
    reconnecting ??= (async () => {
      await client.reconnect();
      await client.executeMultiple(`${PRAGMAS.join(";\n")};`);
    })().finally(() => {
      reconnecting = null;
    });
    await reconnecting;
  };
  const guarded =
    (f: (...a: unknown[]) => Promise<unknown>) =>
    async (...a: unknown[]): Promise<unknown> => {
      if (reconnecting) await reconnecting;
      try {
        return await f(...a);
      } catch (e) {
        await heal(e).catch(() => {});
        throw e;
      }
    };
  return new Proxy(client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop === "execute" || prop === "batch" || prop === "executeMultiple")
        return guarded((v as (...a: unknown[]) => Promise<unknown>).bind(target));
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/**
 * Opens a libSQL database; for `file:` URLs the folder is created, WAL mode switched on, and a read and a write
 * connection opened with their pragmas.
 */
export async function openLibsql(
  url: string,
  authToken?: string,
  opts: {
    wrap?: (client: Client) => Client;
    /**
     * The write connection of a local file on a worker thread (NodeConfig LIBSQL_WRITER_THREAD, on by default in
     * the server). Every statement that writes goes to it (see routed), so none meets the thread's lock.
     */
    writerThread?: boolean;
  } = {},
): Promise<LibsqlDatabase> {
  const local = url.startsWith("file:");
  if (local) {
    const path = url.slice("file:".length);
    if (path && path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  }
  const open = async (thread = false): Promise<Client> => {
    // Local files: one native connection that keeps its statements prepared (libsql-native.ts); the write
    // connection on its own thread (libsql-writer.ts), so that write transactions do not stop the event loop.
    const path = url.slice("file:".length) || ":memory:";
    const raw = !local
      ? createClient({ url, ...(authToken ? { authToken } : {}) })
      : thread
        ? createWriterClient(path, BUSY_TIMEOUT_MS)
        : createNativeClient(path, BUSY_TIMEOUT_MS);
    const c = opts.wrap ? opts.wrap(raw) : raw;
    if (!local) return c;
    await c.execute("PRAGMA journal_mode = WAL");
    await c.executeMultiple(`${PRAGMAS.join(";\n")};`);
    return healing(c);
  };
  const client = await open();
  // In memory, a second connection would be a second database; a remote client has no local lock to wait for.
  const threaded = local && !url.includes(":memory:") && (opts.writerThread ?? false);
  const writer = local && !url.includes(":memory:") ? await open(threaded) : client;
  const both = writer === client ? client : routed(client, writer);
  const db = drizzle(both, { schema });
  const health = new StoreHealth();

  async function batch(items: readonly Batchable[], o: BatchOptions = {}): Promise<readonly unknown[]> {
    const budget = o.budgetMs ?? DEFAULT_BATCH_BUDGET_MS;
    const t0 = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        // Straight to the driver (not Drizzle's batch, which maps every result): callers read only change counts.
        const out = await writer.batch(
          items.map((it) => {
            const q = queryOf(db as unknown as Db, it);
            return { sql: q.sql, args: q.params as InArgs };
          }),
          "write",
        );
        health.writeSucceeded();
        return out;
      } catch (e) {
        if (classify(e) !== "conflict") health.writeFailed(e, Date.now());
        const wait = Math.min(100, 2 ** attempt * 2) * (0.5 + Math.random());
        if (!isBusy(e) || performance.now() - t0 + wait > budget) {
          if (classify(e) === "unavailable") throw new StoreUnavailable(faultName(e), e);
          throw e;
        }
        await sleep(wait);
      }
    }
  }

  return {
    kind: "libsql",
    maxParams: 32_000,
    changes: (r) => Number((r as { rowsAffected?: number }).rowsAffected ?? 0),
    client: both,
    db: db as unknown as Db,
    health,
    batch,
    async probeWrite() {
      if (!local) return null;
      try {
        // BEGIN IMMEDIATE + COMMIT of nothing: takes the write lock (or finds it taken) and writes no frame.
        await writer.batch([], "write");
        health.writeSucceeded();
        return { ok: true };
      } catch (error) {
        health.writeFailed(error, Date.now());
        return { ok: false, error };
      }
    },
    async afterErasure() {
      if (!local) return;
      try {
        // Copy the log into the file (where secure_delete zeroed the erased cells) and truncate it.
        await writer.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch (e) {
        console.error(JSON.stringify({ level: "warn", msg: "checkpoint after erasure failed", error: faultName(e) }));
      }
    },
    appliedMigrations: () => countMigrations(db as unknown as Db, "__drizzle_migrations"),
    async query<T>(sqlText: string, params: readonly unknown[], o?: { hot?: boolean }) {
      const rs = await (o?.hot && threaded && isReadOnly(sqlText) ? writer : both).execute({
        sql: sqlText,
        args: params as InArgs,
      });
      return rs.rows as unknown as T[];
    },
    close: () => {
      client.close();
      if (writer !== client) writer.close();
    },
    closed: () => endedOf(writer),
  };
}

/** Applies migrations/ with Drizzle's migrator (the same SQL files wrangler applies to D1). */
export async function migrateLibsql(database: LibsqlDatabase): Promise<void> {
  await migrate(database.db as never, { migrationsFolder: MIGRATIONS_DIR });
}
