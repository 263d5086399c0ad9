/**
 * A store that behaves like a remote one: every round trip to the database costs latency (half on the way in,
 * half on the way out, so requests interleave as they do against D1 or Turso), and writes can be made to fail
 * before they reach the database or after they committed (the ambiguous case a client cannot tell apart).
 * Wraps the driver under Drizzle: a libSQL `Client` (Node) or a `D1Database` binding (workerd).
 */
import type { Client, InStatement } from "@libsql/client";

export interface FaultPlan {
  /** Milliseconds added to each round trip. */
  latencyMs: number;
  /** Probability that a write round trip fails (0..1). */
  writeFailureRate: number;
  /** Where an injected failure happens: before the write reaches the database, after it committed, or either. */
  failWhere: "before" | "after" | "either";
  /** Called on every round trip before it runs (statements' SQL, whether it writes); may await to interleave. */
  onRoundTrip?: ((rt: { sql: string[]; write: boolean }) => Promise<void> | void) | undefined;
}

const WRITE = /^\s*(insert|update|delete|replace|create|drop|alter)\b/i;

/** Deterministic pseudo-random numbers (mulberry32), so a failing schedule can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The knobs and counters of one wrapped store; change `plan` at any time. */
export class Faults {
  plan: FaultPlan = { latencyMs: 0, writeFailureRate: 0, failWhere: "either" };
  roundTrips = 0;
  writes = 0;
  injected = 0;
  private rng = mulberry32(1);

  set(plan: Partial<FaultPlan>, seed?: number): this {
    this.plan = { ...this.plan, ...plan };
    if (seed !== undefined) this.rng = mulberry32(seed);
    return this;
  }

  reset(): this {
    this.plan = { latencyMs: 0, writeFailureRate: 0, failWhere: "either" };
    return this;
  }

  /** Runs one round trip with the plan's latency and failures. */
  async around<T>(sqls: string[], run: () => Promise<T>): Promise<T> {
    const write = sqls.some((s) => WRITE.test(s));
    this.roundTrips++;
    if (write) this.writes++;
    const { latencyMs, writeFailureRate, failWhere, onRoundTrip } = this.plan;
    if (onRoundTrip) await onRoundTrip({ sql: sqls, write });
    const fail = write && writeFailureRate > 0 && this.rng() < writeFailureRate;
    const where = failWhere === "either" ? (this.rng() < 0.5 ? "before" : "after") : failWhere;
    if (latencyMs > 0) await sleep(latencyMs / 2);
    if (fail && where === "before") {
      this.injected++;
      throw injectedError("before");
    }
    const out = await run();
    if (latencyMs > 0) await sleep(latencyMs / 2);
    if (fail && where === "after") {
      this.injected++;
      throw injectedError("after");
    }
    return out;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** What an injected failure looks like: a lost connection (the client cannot know whether the write committed). */
function injectedError(where: "before" | "after"): Error {
  const e = new Error(`injected fault (${where} the write): Network connection lost`);
  (e as Error & { code?: string }).code = "INJECTED_FAULT";
  return e;
}

const sqlOf = (s: InStatement): string => (typeof s === "string" ? s : s.sql);

/** A libSQL client whose execute and batch go through `faults`. */
export function faultyLibsql(client: Client, faults: Faults): Client {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === "execute")
        return (stmt: InStatement, args?: unknown) =>
          faults.around([sqlOf(stmt)], () =>
            (target.execute as (s: unknown, a?: unknown) => Promise<unknown>)(stmt, args),
          );
      if (prop === "batch")
        return (stmts: InStatement[], mode?: unknown) =>
          faults.around(stmts.map(sqlOf), () =>
            (target.batch as (s: unknown, m?: unknown) => Promise<unknown>)(stmts, mode),
          );
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

const REAL = Symbol("real statement");
type Wrapped = D1PreparedStatement & { [REAL]: D1PreparedStatement; sql: string };

/** A D1 binding whose statements and batches go through `faults`. */
export function faultyD1(binding: D1Database, faults: Faults): D1Database {
  const wrap = (real: D1PreparedStatement, sql: string): Wrapped => {
    const w = {
      [REAL]: real,
      sql,
      bind: (...values: unknown[]) => wrap(real.bind(...values), sql),
      first: (col?: string) => faults.around([sql], () => (col ? real.first(col) : real.first())),
      run: () => faults.around([sql], () => real.run()),
      all: () => faults.around([sql], () => real.all()),
      raw: (opts?: { columnNames?: boolean }) =>
        faults.around([sql], () => (real.raw as (o?: unknown) => Promise<unknown>)(opts)),
    };
    return w as unknown as Wrapped;
  };
  return {
    prepare: (sql: string) => wrap(binding.prepare(sql), sql),
    batch: (stmts: Wrapped[]) =>
      faults.around(
        stmts.map((s) => s.sql),
        () => binding.batch(stmts.map((s) => s[REAL])),
      ),
    exec: (sql: string) => faults.around([sql], () => binding.exec(sql)),
    dump: () => binding.dump(),
    withSession: (c?: string) => binding.withSession(c),
  } as unknown as D1Database;
}
