/**
 * The outbox, end to end: the messages changes write (in their own atomic batch, store/outbox.ts), and their
 * delivery to each subscribed endpoint — signed per the Standard Webhooks specification with its library
 * (`standardwebhooks`: `webhook-id`, `webhook-timestamp`, `webhook-signature`), retried with exponential back-off,
 * logged. On Node a worker loop in the process sends what is due; on Workers a Queue consumer does (worker.ts):
 * a change sends the tenant's id to the Queue, the consumer sends that tenant's due deliveries and schedules a
 * delayed message for the next retry. Either way a delivery is claimed with a lease before it is sent, so two
 * dispatchers never send the same attempt; a receiver that answered 2xx is never sent the message again except
 * by an explicit replay (same `webhook-id`).
 */
import { Webhook } from "standardwebhooks";
import { isPrivateHost, retryDelayMs, type WebhookEvent } from "../domain/channels/webhooks";
import { newId } from "../lib/crypto";
import type { Store } from "../store";
import type { Batchable } from "../store/db";
import type { ClaimedDelivery, NewMessage } from "../store/outbox";

export interface OutboxConfig {
  WEBHOOK_BACKOFF_MS: number;
  WEBHOOK_MAX_ATTEMPTS: number;
  WEBHOOK_TIMEOUT_MS: number;
  WEBHOOK_PRIVATE_TARGETS: "deny" | "allow";
}

/** Thrown by a fetcher that refused the target's address (see `isPrivateHost`). */
export class PrivateTargetError extends Error {
  override name = "PrivateTargetError";
}

/** Wakes the dispatcher after a change wrote messages (Node: the worker loop; Workers: a Queue message). */
export interface OutboxNotifier {
  poke(tenantId: string): Promise<void>;
}

/** A message for a change's batch: `outboxStatements(store, "lead.created", …)`. */
export function outboxMessage(
  tenantId: string,
  type: WebhookEvent,
  personId: string | null,
  data: Record<string, unknown>,
  now: number,
): NewMessage {
  const id = newId("msg");
  return {
    id,
    tenantId,
    type,
    personId,
    createdAt: now,
    payload: { type, timestamp: new Date(now).toISOString(), data },
  };
}

/** The statements of a message: leads are always kept (the lead feed reads them); others only when subscribed. */
export function outboxStatements(store: Store, m: NewMessage): Batchable[] {
  return store.outbox.messageStatements(m, m.type === "lead.created");
}

/** The signed request of one delivery attempt (the body is the message as stored). */
export function signedRequest(d: ClaimedDelivery, now: number): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(d.payload);
  const signature = new Webhook(d.secret).sign(d.messageId, new Date(now), body);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "Pitwall-Webhooks/1",
      "webhook-id": d.messageId,
      "webhook-timestamp": String(Math.floor(now / 1000)),
      "webhook-signature": signature,
    },
  };
}

/** One attempt: send, then record delivered, retry at a later time, or failed after the last attempt. */
export async function deliverOne(
  store: Store,
  d: ClaimedDelivery,
  cfg: OutboxConfig,
  clock: () => number,
  random: () => number,
  fetcher: typeof fetch = fetch,
): Promise<"delivered" | "retry" | "failed"> {
  const { body, headers } = signedRequest(d, clock());
  let status: number | null = null;
  let error: string | null = null;
  try {
    if (cfg.WEBHOOK_PRIVATE_TARGETS !== "allow" && isPrivateHost(new URL(d.url).hostname))
      throw new PrivateTargetError(d.url);
    const res = await fetcher(d.url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(cfg.WEBHOOK_TIMEOUT_MS),
    });
    status = res.status;
    await res.body?.cancel().catch(() => {});
    if (status < 200 || status >= 300) error = `HTTP ${status}`;
  } catch (e) {
    const name = (e as Error)?.name;
    error =
      name === "TimeoutError" || name === "AbortError"
        ? `timeout after ${cfg.WEBHOOK_TIMEOUT_MS} ms`
        : name === "PrivateTargetError"
          ? "refused: the endpoint is on a private network or this machine (WEBHOOK_PRIVATE_TARGETS=deny)"
          : "connection failed";
  }
  const now = clock();
  if (error === null) {
    await store.outbox.settle(d, { ok: true }, { status, error }, now);
    return "delivered";
  }
  const last = d.attempts + 1 >= cfg.WEBHOOK_MAX_ATTEMPTS;
  const retryAt = last ? null : now + retryDelayMs(d.attempts, cfg.WEBHOOK_BACKOFF_MS, random());
  await store.outbox.settle(d, { ok: false, retryAt }, { status, error }, now);
  return last ? "failed" : "retry";
}

export interface DispatchResult {
  claimed: number;
  delivered: number;
  retried: number;
  failed: number;
}

/** Sends the deliveries due now (of one tenant, when given), a few at a time. */
export async function dispatchDue(
  store: Store,
  cfg: OutboxConfig,
  clock: () => number,
  random: () => number,
  only: { tenantId?: string } = {},
  limit = 50,
  fetcher: typeof fetch = fetch,
): Promise<DispatchResult> {
  const claims = await store.outbox.claimDue(clock(), cfg.WEBHOOK_TIMEOUT_MS + 5000, limit, only);
  const out: DispatchResult = { claimed: claims.length, delivered: 0, retried: 0, failed: 0 };
  const lanes = Array.from({ length: Math.min(8, claims.length) }, async (_, lane) => {
    for (let i = lane; i < claims.length; i += 8) {
      const r = await deliverOne(store, claims[i]!, cfg, clock, random, fetcher);
      if (r === "delivered") out.delivered++;
      else if (r === "retry") out.retried++;
      else out.failed++;
    }
  });
  await Promise.all(lanes);
  return out;
}

/**
 * Node's dispatcher: a loop in the process that sends due deliveries every `pollMs` (and at once when a change
 * pokes it). The outbox table is the durable part: a process that stops leaves its pending rows to the next.
 */
export class OutboxWorker implements OutboxNotifier {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly cfg: OutboxConfig,
    private readonly pollMs: number,
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
    private readonly fetcher: typeof fetch = fetch,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.pollMs);
  }

  async poke(_tenantId: string): Promise<void> {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0, true);
  }

  private schedule(ms: number, replace = false): void {
    if (this.stopped) return;
    if (this.timer && !replace) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    let full = false;
    this.running = (async () => {
      try {
        const r = await dispatchDue(this.store, this.cfg, this.clock, this.random, {}, 50, this.fetcher);
        full = r.claimed >= 50;
      } catch (e) {
        console.error(JSON.stringify({ level: "warn", msg: "outbox: dispatch failed", error: String(e) }));
      }
    })();
    await this.running;
    this.running = null;
    const again = this.again || full;
    this.again = false;
    this.schedule(again ? 0 : this.pollMs);
  }

  /** Stops the loop and waits for the attempt in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}

/** The body of a Queue message: which tenant's deliveries to send. */
export interface OutboxWake {
  tenantId: string;
}

/**
 * The Workers Queue consumer's work for one message: send the tenant's due deliveries; when some remain pending
 * (retries with back-off), the delay until the earliest, in seconds (the caller sends a delayed wake-up), else null.
 */
export async function consumeWake(
  store: Store,
  cfg: OutboxConfig,
  clock: () => number,
  random: () => number,
  wake: OutboxWake,
  fetcher: typeof fetch = fetch,
): Promise<{ result: DispatchResult; nextInSeconds: number | null }> {
  let total: DispatchResult = { claimed: 0, delivered: 0, retried: 0, failed: 0 };
  for (let round = 0; round < 10; round++) {
    const r = await dispatchDue(store, cfg, clock, random, { tenantId: wake.tenantId }, 50, fetcher);
    total = {
      claimed: total.claimed + r.claimed,
      delivered: total.delivered + r.delivered,
      retried: total.retried + r.retried,
      failed: total.failed + r.failed,
    };
    if (r.claimed < 50) break;
  }
  const next = await store.outbox.nextDue(wake.tenantId);
  return {
    result: total,
    nextInSeconds: next === null ? null : Math.min(43_200, Math.max(0, Math.ceil((next - clock()) / 1000))),
  };
}
