/**
 * The decision log through a Cloudflare Queue (issue 11, "past one database"): a decision's answer sends one small
 * message (LogMessage: a few hundred bytes, no compiled catalogue) instead of writing to D1 inside its request,
 * and the consumer writes whole message batches (up to 100 decisions) in one D1 batch. At 5,000 decisions/s that is
 * ~50 D1 batches/s instead of 5,000 write transactions on a database that serializes its writes.
 *
 * Binding `DECISION_LOG_QUEUE` (producer) and a consumer of the same queue (wrangler.toml). The worker's `queue`
 * handler dispatches by queue name (QUEUE_CONSUMERS in src/worker.ts), so other queues can be added beside it.
 */
import { classify, faultName } from "../store/conflicts";
import {
  type DecisionLogWriter,
  type DecisionSink,
  type LoggedDecision,
  type LogMessage,
  toMessage,
} from "./decision-log";

/** The queue's name (wrangler.toml [[queues.producers]] / [[queues.consumers]]). */
export const DECISION_LOG_QUEUE_NAME = "pitwall-decision-log";

/** What the sink needs of a Queue binding (a Workers `Queue<LogMessage>`). */
export interface LogQueue {
  send(body: LogMessage, options?: { contentType?: "json" }): Promise<unknown>;
}

/** What the consumer needs of a Workers `MessageBatch`. */
export interface LogBatch {
  readonly queue: string;
  readonly messages: readonly {
    readonly body: unknown;
    ack(): void;
    retry(options?: { delaySeconds?: number }): void;
  }[];
  ackAll(): void;
  retryAll(options?: { delaySeconds?: number }): void;
}

/**
 * Sends each decision's log to the queue (inside the request's waitUntil). A send that fails falls back to writing
 * the decision directly (the request's own batch, as without a queue), so a log is not lost to a queue outage.
 */
export class QueueDecisionSink implements DecisionSink {
  private sendFailures = 0;

  constructor(
    private readonly queue: LogQueue,
    private readonly direct: DecisionSink,
    /** The D1 binding this isolate's decisions live in (a shard: src/worker.ts), carried to the consumer. */
    private readonly db = "DB",
  ) {}

  async add(item: LoggedDecision): Promise<void> {
    try {
      await this.queue.send({ ...toMessage(item), db: this.db }, { contentType: "json" });
    } catch (e) {
      this.sendFailures++;
      console.error(
        JSON.stringify({ level: "error", msg: "decision log: queue send failed, writing directly", error: String(e) }),
      );
      await this.direct.add(item);
    }
  }

  backlog() {
    const b = this.direct.backlog();
    return { pending: b.pending, dropped: b.dropped, queueSendFailures: this.sendFailures };
  }
}

/**
 * The consumer: writes one message batch's decisions in one atomic batch per database (messages name their shard),
 * then acknowledges them. A passing store fault retries the batch later (the writes are idempotent: a decision row
 * inserts once, `on conflict do nothing`; learner shows are summed per delivery, so a redelivered batch can count a
 * show twice — at-least-once, as Queues deliver). A malformed message is acknowledged and dropped (logged).
 */
export async function consumeDecisionLogs(
  batch: LogBatch,
  writerFor: (db: string) => DecisionLogWriter | null,
): Promise<{ written: number; dropped: number }> {
  const byDb = new Map<string, { body: LogMessage; ack(): void; retry(o?: { delaySeconds?: number }): void }[]>();
  let dropped = 0;
  for (const m of batch.messages) {
    const body = m.body as LogMessage & { db?: string };
    if (body?.v !== 1 || !Array.isArray(body.placed) || !writerFor(body.db ?? "DB")) {
      dropped++;
      console.error(JSON.stringify({ level: "error", msg: "decision log: malformed message dropped" }));
      m.ack();
      continue;
    }
    const list = byDb.get(body.db ?? "DB") ?? byDb.set(body.db ?? "DB", []).get(body.db ?? "DB")!;
    list.push({ body, ack: () => m.ack(), retry: (o) => m.retry(o) });
  }
  let written = 0;
  for (const [db, msgs] of byDb) {
    try {
      await writerFor(db)!.write(msgs.map((m) => m.body));
      for (const m of msgs) m.ack();
      written += msgs.length;
    } catch (e) {
      console.error(JSON.stringify({ level: "error", msg: "decision log: batch write failed", error: faultName(e) }));
      if (classify(e) === "fatal") {
        for (const m of msgs) m.ack(); // a bug, not a passing fault: redelivery would fail the same way
        dropped += msgs.length;
      } else for (const m of msgs) m.retry({ delaySeconds: 2 });
    }
  }
  return { written, dropped };
}
