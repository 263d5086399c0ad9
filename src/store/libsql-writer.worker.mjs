/**
 * The write connection of a local libSQL file, on its own thread (libsql-writer.ts). SQLite runs synchronously on
 * the thread that calls it: on the main thread, a write transaction (its statements, its COMMIT, and every
 * ~1,000 pages a checkpoint with its fsync) stops the event loop for its whole length — under ingestion, most of
 * the server's time. Here it runs beside the event loop, which meanwhile parses, validates and reads.
 *
 * Plain JavaScript (no TypeScript loader in a worker started from vitest or tsx alike). Same semantics as the
 * native client (libsql-native.ts): one connection, statements prepared once, `batch` = BEGIN … COMMIT rolled back
 * on any error, SQLite's errors passed back with their message and code.
 */
import { parentPort, Worker, workerData } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import Database from "libsql";

const MAX_STATEMENTS = 512;
/** Pages in the WAL past which the writer checkpoints itself: only when the checkpointer falls behind. */
const BACKSTOP_PAGES = 20_000;
/** How often the checkpointer copies committed pages from the WAL into the database file. */
const CHECKPOINT_EVERY_MS = 100;
const { path, timeoutMs } = workerData;

/**
 * Checkpoints (copying the WAL into the database file, with its fsyncs) on a thread of their own: with SQLite's
 * automatic checkpoint, every ~1,000 pages one COMMIT stopped for the copy and its fsyncs — most of the writer's
 * time under ingestion. A PASSIVE checkpoint never blocks the writer or readers. A checkpoint asked for by name
 * (`PRAGMA wal_checkpoint(TRUNCATE)` after an erasure) runs on that thread too, so two never compete.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.libsql);
const db = new Database(workerData.path, { timeout: workerData.timeoutMs });
const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const timer = setInterval(() => { try { passive.all(); } catch {} }, workerData.every);
parentPort.on("message", (m) => {
  if (m.op === "close") { clearInterval(timer); db.close(); parentPort.close(); return; }
  try {
    const st = db.prepare(m.sql);
    parentPort.postMessage({ id: m.id, result: { columns: st.columns().map((c) => c.name), rows: st.raw(true).all(), changes: 0 } });
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: { name: e?.name ?? "Error", message: String(e?.message ?? e), code: e?.code, rawCode: e?.rawCode } });
  }
});
`;
const checkpointer = new Worker(CHECKPOINTER, {
  eval: true,
  workerData: {
    path,
    timeoutMs,
    every: CHECKPOINT_EVERY_MS,
    libsql: fileURLToPath(import.meta.resolve("libsql")),
  },
});
checkpointer.unref();
checkpointer.on("message", (m) => parentPort.postMessage(m)); // a named checkpoint's answer, to the caller
const isCheckpoint = (m) => m.op === "execute" && /^\s*PRAGMA\s+wal_checkpoint/i.test(m.stmt.sql);

const open = () => {
  const d = new Database(path, { timeout: timeoutMs });
  d.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  return d;
};
let db = open();
let cache = new Map();

function prepared(sql) {
  let c = cache.get(sql);
  if (c) return c;
  const stmt = db.prepare(sql);
  let reader = true;
  try {
    stmt.raw(true);
  } catch {
    reader = false; // raw() refuses statements that return no data
  }
  c = { stmt, reader, columns: reader ? stmt.columns().map((x) => x.name) : [] };
  if (cache.size >= MAX_STATEMENTS) cache.delete(cache.keys().next().value);
  cache.set(sql, c);
  return c;
}

const toArg = (v) => (ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);

/** One statement: its rows as arrays (readers) or its change count. */
function exec(s) {
  const c = prepared(s.sql);
  const args = Array.isArray(s.args) ? s.args.map(toArg) : s.args;
  if (c.reader) return { columns: c.columns, rows: c.stmt.all(args), changes: 0 };
  return { columns: [], rows: [], changes: c.stmt.run(args).changes };
}

function inTx(begin, stmts) {
  db.exec(begin);
  try {
    const out = stmts.map(exec);
    db.exec("COMMIT");
    return out;
  } finally {
    if (db.inTransaction) db.exec("ROLLBACK");
  }
}

function handle(m) {
  switch (m.op) {
    case "batch":
      return inTx(m.begin, m.stmts);
    case "execute":
      return exec(m.stmt);
    case "executeMultiple":
      db.exec(m.sql);
      return null;
    case "reconnect":
      try {
        db.close();
      } catch {}
      db = open();
      cache = new Map();
      return null;
    case "close":
      cache = new Map();
      db.close();
      return null;
    default:
      throw new Error(`unknown operation ${m.op}`);
  }
}

const reply = (id, result) => parentPort.postMessage({ id, result });
const replyError = (id, e) =>
  parentPort.postMessage({
    id,
    error: { name: e?.name ?? "Error", message: String(e?.message ?? e), code: e?.code, rawCode: e?.rawCode },
  });

/**
 * Group commit: the write batches that arrived while the previous transaction ran go into one transaction, each in
 * its own SAVEPOINT — a batch that fails (a lost conditional write, a constraint) rolls back only its own
 * statements and gets its own error, as it would alone; the others commit together, one COMMIT (and one set of
 * WAL frames for the pages they share) instead of one each. Each batch answers only after that COMMIT. If SQLite
 * abandons the whole transaction (or the COMMIT fails), every batch of the group gets the error and nothing of any
 * of them was written, so each caller's retry from a fresh read is safe.
 */
function groupCommit(group) {
  if (group.length === 1) {
    const m = group[0];
    try {
      reply(m.id, inTx(m.begin, m.stmts));
    } catch (e) {
      replyError(m.id, e);
    }
    return;
  }
  const done = [];
  try {
    db.exec("BEGIN IMMEDIATE");
    for (const m of group) {
      db.exec("SAVEPOINT b");
      try {
        const out = m.stmts.map(exec);
        db.exec("RELEASE b");
        done.push([m.id, out, null]);
      } catch (e) {
        if (!db.inTransaction) throw e; // SQLite rolled the whole transaction back: the group fails
        db.exec("ROLLBACK TO b");
        db.exec("RELEASE b");
        done.push([m.id, null, e]);
      }
    }
    db.exec("COMMIT");
  } catch (e) {
    if (db.inTransaction) db.exec("ROLLBACK");
    for (const m of group) replyError(m.id, e);
    return;
  }
  for (const [id, out, e] of done) e ? replyError(id, e) : reply(id, out);
}

let queue = [];
let scheduled = false;
function drain() {
  scheduled = false;
  const q = queue;
  queue = [];
  let group = [];
  const flush = () => {
    if (group.length) groupCommit(group);
    group = [];
  };
  // Reads first, outside any transaction: they see what is committed, and the batches of this drain (not yet
  // acknowledged to anyone) stay one group commit instead of being split around each read.
  const rest = [];
  for (const m of q) {
    if (m.op !== "execute" || !m.read) {
      rest.push(m);
      continue;
    }
    try {
      reply(m.id, exec(m.stmt));
    } catch (e) {
      replyError(m.id, e);
    }
  }
  for (const m of rest) {
    if (m.op === "batch" && m.begin === "BEGIN IMMEDIATE") {
      group.push(m);
      continue;
    }
    flush(); // other operations keep their place in the order
    if (isCheckpoint(m)) {
      checkpointer.postMessage({ id: m.id, sql: m.stmt.sql });
      continue;
    }
    try {
      reply(m.id, handle(m));
    } catch (e) {
      replyError(m.id, e);
    }
    if (m.op === "close") {
      // Threads holding libsql's handles end by themselves (terminating one aborts the process in libsql's
      // finalizers): the checkpointer first, then this thread, once nothing is left on its event loop.
      checkpointer.once("exit", () => parentPort.close());
      checkpointer.postMessage({ op: "close" });
      return;
    }
  }
  flush();
}

// Messages that arrive while a transaction runs are delivered together afterwards; the drain runs after them.
parentPort.on("message", (m) => {
  queue.push(m);
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
});
