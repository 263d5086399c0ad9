/**
 * Retrying a read-decide-write attempt. Every write of this service is conditional (conflicts.ts), so when a
 * concurrent writer wins, or the store fails in a way that may pass, the whole attempt runs again from a fresh
 * read — never a blind resend of the same statements. When the attempts or the time run out the caller gets
 * 503 with Retry-After and nothing was written.
 *
 * First attempts race; retries of one isolate (or Node process) queue behind each other per lane (a tenant),
 * so writers that lost a race do not keep losing to each other. Across isolates the guards still decide.
 */
import { Problem } from "../http/problems";
import { classify, faultName } from "../store/conflicts";
import type { Database } from "../store/db";

export interface RetryPolicy {
  attempts: number;
  /** Give up on a store fault (a lock, a lost connection) once this much time has passed: answer 503 soon. */
  faultBudgetMs: number;
  /** Give up on conflicts once this much time has passed: contention makes progress, so wait longer. */
  conflictBudgetMs: number;
  /** The caller retries itself (a booking re-reads its slot): giving up is neither logged nor counted by /health. */
  callerRetries?: boolean;
}

export const WRITE_RETRIES: RetryPolicy = { attempts: 10, faultBudgetMs: 1000, conflictBudgetMs: 3000 };
/** Seconds a client should wait before trying again after a 503. */
export const RETRY_AFTER_SECONDS = 1;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const lanes = new WeakMap<object, Map<string, Promise<unknown>>>();

/** Runs `f` after everything queued before it in `lane` (per store) has settled. */
function inLane<T>(owner: object, lane: string, f: () => Promise<T>): Promise<T> {
  let m = lanes.get(owner);
  if (!m) lanes.set(owner, (m = new Map()));
  const run = (m.get(lane) ?? Promise.resolve()).then(f, f);
  const tail = run.then(
    () => {},
    () => {},
  );
  m.set(lane, tail);
  void tail.then(() => {
    if (m.get(lane) === tail) m.delete(lane);
  });
  return run;
}

/**
 * Runs `attempt` until it succeeds, retrying write conflicts and passing store faults with jittered backoff;
 * retries queue in `lane` (e.g. the tenant id).
 */
export async function withRetries<T>(
  what: string,
  database: Database,
  random: () => number,
  attempt: (n: number) => Promise<T>,
  lane: string | null = null,
  policy: RetryPolicy = WRITE_RETRIES,
): Promise<T> {
  const t0 = Date.now();
  for (let n = 0; ; n++) {
    try {
      return await (n === 0 || lane === null ? attempt(n) : inLane(database, lane, () => attempt(n)));
    } catch (e) {
      const kind = classify(e);
      if (kind === "fatal") throw e;
      const wait = Math.min(200, 4 * 2 ** n) * (0.5 + random());
      const budget = kind === "conflict" ? policy.conflictBudgetMs : policy.faultBudgetMs;
      if (n + 1 >= policy.attempts || Date.now() - t0 + wait > budget) {
        if (policy.callerRetries) throw unavailable(kind, what, e);
        if (kind === "conflict") database.health.conflictExhausted(what, Date.now());
        console.error(
          JSON.stringify({ level: "warn", msg: `${what}: gave up after ${n + 1} attempts`, fault: faultName(e) }),
        );
        throw unavailable(kind, what, e);
      }
      await sleep(wait);
    }
  }
}

/** The 503 a client gets when a write could not be made now. */
export function unavailable(kind: "conflict" | "unavailable", what: string, e?: unknown): Problem {
  const headers = { "Retry-After": String(RETRY_AFTER_SECONDS) };
  return kind === "conflict"
    ? new Problem(
        "write-conflict",
        `${what}: concurrent writers kept winning; nothing was written. Retry.`,
        {},
        headers,
      )
    : new Problem(
        "store-unavailable",
        `${what}: the store is unavailable (${faultName(e)}); nothing was written. Retry.`,
        {},
        headers,
      );
}
