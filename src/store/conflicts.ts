/**
 * Conditional writes inside one atomic batch, on D1 and libSQL alike: a statement that may change fewer rows than
 * it should (an INSERT … ON CONFLICT DO NOTHING claiming an identifier, an UPDATE … WHERE version = expected) is
 * followed by a guard that inserts into `write_conflicts` when `changes()` fell short; the table's CHECK (0)
 * then fails and the whole batch rolls back. Nothing is half-written; the caller re-reads and tries again.
 */
import { sql } from "drizzle-orm";
import type { Batchable, Db } from "./db";

/** A statement that aborts its batch unless the statement before it changed at least `n` rows. */
export function expectChanged(db: Db, what: string, n: number): Batchable {
  return db.run(sql`insert into write_conflicts (what) select ${what} where changes() < ${n}`) as unknown as Batchable;
}

/** A concurrent writer won: re-read and try again. */
export class WriteConflict extends Error {
  constructor(readonly what: string) {
    super(`write conflict: ${what}`);
  }
}

/** The store failed in a way that may pass (locked, overloaded, connection lost): nothing was written, or the
 * batch's guards make a retry from a fresh read safe. */
export class StoreUnavailable extends Error {
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

/** Messages of an error and of its causes (Drizzle and the drivers wrap each other's errors). */
function messages(e: unknown): string {
  const out: string[] = [];
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur; i++) {
    const x = cur as { message?: unknown; code?: unknown; cause?: unknown };
    out.push(String(x.message ?? cur), String(x.code ?? ""));
    cur = x.cause;
  }
  return out.join(" | ");
}

const CONFLICT = /CHECK constraint failed: write_conflict/i;
const TRANSIENT =
  /SQLITE_BUSY|SQLITE_LOCKED|database is locked|database table is locked|Network connection lost|overloaded|storage caused object to be reset|object to be reset|timed out|timeout|INJECTED_FAULT|try again|D1_ERROR: Internal error/i;

/** What kind of failure a store error is: a lost conditional write, a passing fault, or a bug. */
export function classify(e: unknown): "conflict" | "unavailable" | "fatal" {
  if (e instanceof WriteConflict) return "conflict";
  if (e instanceof StoreUnavailable) return "unavailable";
  const m = messages(e);
  if (CONFLICT.test(m)) return "conflict";
  if (TRANSIENT.test(m)) return "unavailable";
  return "fatal";
}

/** A short description of a store fault for /health and logs (no SQL, no parameters). */
export function faultName(e: unknown): string {
  const m = messages(e);
  if (/SQLITE_BUSY|database is locked/i.test(m)) return "database is locked (SQLITE_BUSY)";
  if (/SQLITE_LOCKED|table is locked/i.test(m)) return "database table is locked (SQLITE_LOCKED)";
  if (CONFLICT.test(m)) return "write conflict";
  if (/Network connection lost|INJECTED_FAULT/i.test(m)) return "connection lost";
  if (/overloaded/i.test(m)) return "store overloaded";
  if (/timed out|timeout/i.test(m)) return "store timeout";
  return "store error";
}
