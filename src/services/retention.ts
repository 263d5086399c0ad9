/**
 * Retention: what expires, and when. Decision logs are kept as long as outcomes may arrive for them (an outcome
 * names a decision for 90 days; attribution by person looks back 60), outcomes a year and a month (off-policy
 * evaluation over a year; the learner's counts are aggregated separately and stay), Idempotency-Key records
 * 48 hours (a retry is replayed for at least 24), outbox messages no longer pending (the lead feed) and reminder runs
 * 30 days. A job runs it hourly on Node and a Cron Trigger on Workers.
 */
import type { Store } from "../store";
import { OUTCOME_WINDOW_MS } from "./outcomes";

const DAY = 86_400_000;
export const RETENTION = {
  decisionsMs: OUTCOME_WINDOW_MS,
  outcomesMs: 400 * DAY,
  idempotencyMs: 48 * 3_600_000,
  // issue 10: delivered (or failed) outbox messages and the lead feed, and reminder runs
  outboxMs: 30 * DAY,
  reminderSendsMs: 30 * DAY,
} as const;
/** Rows deleted per statement, and statements per kind per run (so one run stays short on D1). */
const CHUNK = 2000;
const ROUNDS = 25;

export interface Swept {
  decisions: number;
  outcomes: number;
  idempotencyKeys: number;
  outboxMessages: number;
  reminderSends: number;
}

/** Deletes what has expired at `now`, in chunks; returns how much. */
export async function sweepRetention(store: Store, now: number): Promise<Swept> {
  const out: Swept = { decisions: 0, outcomes: 0, idempotencyKeys: 0, outboxMessages: 0, reminderSends: 0 };
  const drain = async (run: () => Promise<number>) => {
    let total = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const n = await run();
      total += n;
      if (n < CHUNK) break;
    }
    return total;
  };
  out.decisions = await drain(() => store.decisioning.expireDecisions(now - RETENTION.decisionsMs, CHUNK));
  out.outcomes = await drain(() => store.decisioning.expireOutcomes(now - RETENTION.outcomesMs, CHUNK));
  out.idempotencyKeys = await drain(() => store.idempotency.expire(now - RETENTION.idempotencyMs, CHUNK));
  out.outboxMessages = await drain(() => store.outbox.expire(now - RETENTION.outboxMs, CHUNK));
  out.reminderSends = await drain(() => store.channels.expireSends(now - RETENTION.reminderSendsMs, CHUNK));
  return out;
}
