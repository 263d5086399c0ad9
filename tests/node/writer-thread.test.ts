/**
 * The write connection of a local libSQL file runs on its own thread (src/store/libsql-writer.ts, issue 11:
 * under ingestion the server spent most of its time inside write transactions on the event loop). A long write
 * no longer stops the event loop, and batches that queue up behind it commit together (group commit) while each
 * stays all-or-nothing on its own: a batch whose conditional write lost rolls back alone. (write_conflicts as in
 * migrations/0005.)
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { classify } from "../../src/store/conflicts";
import type { Batchable } from "../../src/store/db";
import { openLibsql, type LibsqlDatabase } from "../../src/store/libsql";

const opened: LibsqlDatabase[] = [];
afterAll(() => {
  for (const d of opened) d.close();
});

async function fresh(writerThread?: boolean): Promise<LibsqlDatabase> {
  const db = await openLibsql(`file:${join(mkdtempSync(join(tmpdir(), "pitwall-writer-")), "w.db")}`, undefined, {
    writerThread: writerThread ?? true,
  });
  opened.push(db);
  await db.client.executeMultiple(
    "create table t (id integer primary key, v text not null); create table write_conflicts (what text not null, constraint write_conflict check (0));",
  );
  return db;
}

const stmt = (db: LibsqlDatabase, q: ReturnType<typeof sql>) => db.db.run(q) as unknown as Batchable;
/** A write of 200k rows: long enough (tens of ms) to see whether the event loop keeps turning. */
const longWrite = (db: LibsqlDatabase, from: number) =>
  stmt(
    db,
    sql`insert into t (id, v) with recursive s(n) as (select ${from} union all select n + 1 from s where n < ${from + 199_999}) select n, printf('%.200c', 'x') from s`,
  );
const insert = (db: LibsqlDatabase, id: number, v: string | null) =>
  stmt(db, sql`insert into t (id, v) values (${id}, ${v})`);
/** The conditional-write guard of conflicts.ts. */
const guard = (db: LibsqlDatabase, n: number) =>
  stmt(db, sql`insert into write_conflicts (what) select 't' where changes() < ${n}`);

/** Longest gap between 2 ms timer ticks while `work` runs. */
async function loopStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 2);
  try {
    await work();
    return Math.max(worst, performance.now() - last);
  } finally {
    clearInterval(timer);
  }
}

const count = async (db: LibsqlDatabase, where = "1") =>
  Number((await db.client.execute(`select count(*) as n from t where ${where}`)).rows[0]!.n);

describe("the libSQL writer thread", () => {
  it("a long write transaction does not stop the event loop (it did on the main thread)", async () => {
    const inline = await fresh(false);
    const stalledInline = await loopStall(() => inline.batch([longWrite(inline, 0)]));
    const threaded = await fresh();
    await threaded.batch([longWrite(threaded, 0)]); // the thread and its statement are ready
    const stalledThreaded = await loopStall(() => threaded.batch([longWrite(threaded, 1_000_000)]));
    console.log(
      `[writer] event loop stalled ${stalledInline.toFixed(0)} ms by a write on the main thread, ${stalledThreaded.toFixed(0)} ms with the writer thread`,
    );
    expect(await count(threaded)).toBe(400_000);
    expect(stalledInline).toBeGreaterThan(40);
    expect(stalledThreaded).toBeLessThan(stalledInline / 3);
  });

  it("batches queued behind a write commit together, each all-or-nothing: a lost conditional write rolls back alone", async () => {
    const db = await fresh();
    await db.batch([insert(db, 1, "a")]);
    const results = await Promise.allSettled([
      db.batch([longWrite(db, 10)]), // runs alone; the next three arrive while it runs
      db.batch([insert(db, 2, "b")]),
      // A conditional update that finds its version gone: its insert and its update roll back, nothing else.
      db.batch([insert(db, 3, "c"), stmt(db, sql`update t set v = 'd' where id = 1 and v = 'zzz'`), guard(db, 1)]),
      db.batch([stmt(db, sql`update t set v = 'e' where id = 1 and v = 'a'`), guard(db, 1)]),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    expect(classify((results[2] as PromiseRejectedResult).reason)).toBe("conflict");
    expect(await count(db, "id = 2")).toBe(1);
    expect(await count(db, "id = 3")).toBe(0);
    expect((await db.client.execute("select v from t where id = 1")).rows[0]!.v).toBe("e");
    expect(await count(db, "id >= 10")).toBe(200_000);
  });

  it("a constraint error in one batch of a group fails that batch with SQLite's own error", async () => {
    const db = await fresh();
    const results = await Promise.allSettled([
      db.batch([longWrite(db, 10)]),
      db.batch([insert(db, 1, "a")]),
      db.batch([insert(db, 10, "dup")]),
      db.batch([insert(db, 2, null)]),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "rejected"]);
    expect(String((results[2] as PromiseRejectedResult).reason.message)).toMatch(/UNIQUE constraint failed/);
    expect(String((results[3] as PromiseRejectedResult).reason.message)).toMatch(/NOT NULL constraint failed/);
    expect(await count(db, "id < 10")).toBe(1);
    // The thread survives its callers' errors.
    await db.batch([insert(db, 3, "c")]);
    expect(await count(db, "id < 10")).toBe(2);
  });

  it("a single-statement write (no batch) made while the thread holds the lock waits its turn, not SQLITE_BUSY", async () => {
    // Found by the clean-clone CI run: such writes (creating a tenant, a dealer, a key) went through the read
    // connection, met the thread's lock after SQLite's 1 ms busy timeout, and failed. Now every statement that
    // writes goes to the write connection, in order behind the batch.
    const db = await fresh();
    await db.batch([insert(db, 1, "a")]);
    const long = db.batch([longWrite(db, 10), longWrite(db, 300_000), longWrite(db, 600_000)]);
    await new Promise((r) => setTimeout(r, 20)); // the thread has begun its transaction and holds the lock
    const single = await Promise.allSettled([
      db.db.run(sql`insert into t (id, v) values (2, 'b')`),
      db.client.execute({ sql: "update t set v = 'c' where id = 1", args: [] }),
      db.db.run(sql`with x(n) as (select 3) insert into t (id, v) select n, 'd' from x`),
    ]);
    await long;
    expect(single.map((r) => (r.status === "rejected" ? String(r.reason?.message ?? r.reason) : r.status))).toEqual([
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    expect(await count(db, "id in (2, 3)")).toBe(2);
    expect((await db.client.execute("select v from t where id = 1")).rows[0]!.v).toBe("c");
    // Reads still answer from the read connection while a write holds the lock.
    const longer = db.batch([longWrite(db, 1_000_000)]);
    expect(await count(db, "id = 1")).toBe(1);
    await longer;
  });
});
