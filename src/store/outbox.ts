/**
 * Webhook endpoints, the outbox and the delivery log. A change writes its message in its own atomic batch, and the
 * same batch fans it out to every live endpoint subscribed to its type (an INSERT … SELECT over `webhooks`), so no
 * message is lost between the change and its delivery and none exists for a change that rolled back.
 */
import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { Batchable, Database } from "./db";
import { outboxMessages, webhookDeliveries, webhooks } from "./schema";

export type WebhookRow = typeof webhooks.$inferSelect;
export type MessageRow = typeof outboxMessages.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export interface NewMessage {
  id: string;
  tenantId: string;
  type: string;
  personId: string | null;
  payload: Record<string, unknown>;
  createdAt: number;
}

/** A delivery claimed for an attempt, with what it needs to be sent. */
export interface ClaimedDelivery {
  id: string;
  tenantId: string;
  webhookId: string;
  messageId: string;
  attempts: number;
  url: string;
  secret: string;
  type: string;
  payload: Record<string, unknown>;
  createdAt: number;
}

const parse = <T>(v: unknown): T | null => (typeof v === "string" ? (JSON.parse(v) as T) : ((v as T) ?? null));

export class OutboxRepo {
  constructor(private readonly d: Database) {}

  private run(q: ReturnType<typeof sql>): Batchable {
    return this.d.db.run(q) as unknown as Batchable;
  }

  // ---- endpoints ----

  async createWebhook(row: WebhookRow): Promise<void> {
    await this.d.db.insert(webhooks).values(row);
  }

  async listWebhooks(tenantId: string): Promise<WebhookRow[]> {
    return this.d.db
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.tenantId, tenantId), isNull(webhooks.deletedAt)))
      .orderBy(desc(webhooks.createdAt));
  }

  async webhook(tenantId: string, id: string): Promise<WebhookRow | undefined> {
    return this.d.db
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, id), isNull(webhooks.deletedAt)))
      .get();
  }

  /** Deletes an endpoint: no new message reaches it, and its pending deliveries stop. */
  async deleteWebhook(tenantId: string, id: string, now: number): Promise<boolean> {
    const [res] = await this.d.batch([
      this.d.db
        .update(webhooks)
        .set({ deletedAt: now })
        .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.id, id), isNull(webhooks.deletedAt))),
      this.d.db
        .update(webhookDeliveries)
        .set({ status: "failed", lastError: "endpoint deleted", updatedAt: now })
        .where(
          and(
            eq(webhookDeliveries.tenantId, tenantId),
            eq(webhookDeliveries.webhookId, id),
            eq(webhookDeliveries.status, "pending"),
          ),
        ),
    ]);
    return this.d.changes(res) > 0;
  }

  // ---- messages ----

  /**
   * A message and its deliveries, for the change's own batch. `always`: kept even with no endpoint subscribed (the
   * lead feed reads leads); otherwise written only when some endpoint subscribes to its type.
   */
  messageStatements(m: NewMessage, always: boolean): Batchable[] {
    const subscribed = sql`exists (select 1 from webhooks w, json_each(w.events) e
      where w.tenant_id = ${m.tenantId} and w.deleted_at is null and e.value in (${m.type}, '*'))`;
    return [
      this.run(sql`insert into outbox_messages (id, tenant_id, type, person_id, payload, created_at)
        select ${m.id}, ${m.tenantId}, ${m.type}, ${m.personId}, ${JSON.stringify(m.payload)}, ${m.createdAt}
        where ${always ? sql`1` : subscribed}`),
      this.run(sql`insert into webhook_deliveries (id, tenant_id, webhook_id, message_id, person_id, status, attempts,
          next_attempt_at, created_at, updated_at)
        select 'dlv_' || lower(hex(randomblob(10))), ${m.tenantId}, w.id, ${m.id}, ${m.personId}, 'pending', 0,
          ${m.createdAt}, ${m.createdAt}, ${m.createdAt}
        from webhooks w
        where w.tenant_id = ${m.tenantId} and w.deleted_at is null
          and exists (select 1 from json_each(w.events) e where e.value in (${m.type}, '*'))`),
    ];
  }

  /**
   * Messages of one type after a cursor (the lead feed), oldest first; with `dealerId`, only those whose data names
   * that dealer (a dealer-bound key's feed: filtered before the limit, so other dealers' messages never fill a page).
   */
  async messagesAfter(
    tenantId: string,
    type: string,
    after: number,
    limit: number,
    dealerId: string | null = null,
  ): Promise<MessageRow[]> {
    const where = [eq(outboxMessages.tenantId, tenantId), eq(outboxMessages.type, type), gt(outboxMessages.seq, after)];
    if (dealerId) where.push(sql`json_extract(${outboxMessages.payload}, '$.data.dealerId') = ${dealerId}`);
    return this.d.db
      .select()
      .from(outboxMessages)
      .where(and(...where))
      .orderBy(outboxMessages.seq)
      .limit(limit);
  }

  // ---- deliveries ----

  /**
   * Claims up to `limit` due deliveries (of one tenant, and one message, when given) for an attempt: each claim moves
   * `next_attempt_at` to the end of a lease, conditionally on the row still being due, so two dispatchers never send
   * the same attempt (the second finds it leased).
   */
  async claimDue(
    now: number,
    leaseMs: number,
    limit: number,
    only: { tenantId?: string; messageId?: string } = {},
  ): Promise<ClaimedDelivery[]> {
    const tenant = only.tenantId ? sql` and tenant_id = ${only.tenantId}` : sql``;
    const message = only.messageId ? sql` and message_id = ${only.messageId}` : sql``;
    const due = sql`status = 'pending' and next_attempt_at <= ${now}${tenant}${message}`;
    // A read first: an idle dispatcher takes no write lock (the claim is a write, on the write connection).
    const [any] = await this.d.db.all<{ id: string }>(sql`select id from webhook_deliveries where ${due} limit 1`);
    if (!any) return [];
    const [res] = await this.d.batch([
      this.run(sql`update webhook_deliveries set next_attempt_at = ${now + leaseMs}, updated_at = ${now}
        where id in (select id from webhook_deliveries where ${due} order by next_attempt_at limit ${limit})
          and status = 'pending' and next_attempt_at <= ${now}
        returning id`),
    ]);
    // libSQL answers a ResultSet (`rows`), D1 a D1Result (`results`).
    const claimed = ((res as { rows?: unknown[] }).rows ?? (res as { results?: unknown[] }).results ?? []) as {
      id: string;
    }[];
    if (!claimed.length) return [];
    const rows = await this.d.db.all<Record<string, unknown>>(sql`
      select d.id, d.tenant_id, d.webhook_id, d.message_id, d.attempts, w.url, w.secret, m.type, m.payload, m.created_at
      from webhook_deliveries d
      join webhooks w on w.id = d.webhook_id
      join outbox_messages m on m.id = d.message_id
      where d.id in (select value from json_each(${JSON.stringify(claimed.map((c) => c.id))}))`);
    return rows.map((r) => ({
      id: String(r.id),
      tenantId: String(r.tenant_id),
      webhookId: String(r.webhook_id),
      messageId: String(r.message_id),
      attempts: Number(r.attempts),
      url: String(r.url),
      secret: String(r.secret),
      type: String(r.type),
      payload: parse<Record<string, unknown>>(r.payload)!,
      createdAt: Number(r.created_at),
    }));
  }

  /**
   * The result of an attempt: delivered, or tried again at `retryAt`, or failed for good. When no delivery of the
   * message is pending any more (each endpoint has it, or was given up on), the contact details leave the message (a
   * lead's `contact`, an erasure's `customerIds`): a later replay sends the message without them.
   */
  async settle(
    d: ClaimedDelivery,
    outcome: { ok: true } | { ok: false; retryAt: number | null },
    answer: { status: number | null; error: string | null },
    now: number,
  ): Promise<void> {
    const status = outcome.ok ? "delivered" : outcome.retryAt === null ? "failed" : "pending";
    await this.d.batch([
      this.run(sql`update webhook_deliveries set status = ${status}, attempts = attempts + 1,
          next_attempt_at = ${outcome.ok || outcome.retryAt === null ? now : outcome.retryAt},
          last_status = ${answer.status}, last_error = ${answer.error}, updated_at = ${now},
          delivered_at = ${outcome.ok ? now : null}
        where id = ${d.id} and status = 'pending' and attempts = ${d.attempts}`),
      this.run(sql`update outbox_messages set payload = json_remove(payload, '$.data.contact', '$.data.customerIds'), contact_purged_at = ${now}
        where id = ${d.messageId} and contact_purged_at is null
          and not exists (select 1 from webhook_deliveries x where x.message_id = ${d.messageId} and x.status = 'pending')`),
    ]);
  }

  /** Pending deliveries whose attempt is due (the cron's safety net on Workers: which tenants to wake). */
  async dueTenants(now: number): Promise<{ tenantId: string; next: number }[]> {
    const rows = await this.d.db.all<{ tenant_id: string; next: number }>(sql`
      select tenant_id, min(next_attempt_at) as next from webhook_deliveries where status = 'pending'
      group by tenant_id`);
    return rows.map((r) => ({ tenantId: r.tenant_id, next: Math.max(now, Number(r.next)) }));
  }

  /** The earliest pending attempt of a tenant, or null. */
  async nextDue(tenantId: string): Promise<number | null> {
    const [row] = await this.d.db.all<{ next: number | null }>(sql`
      select min(next_attempt_at) as next from webhook_deliveries where status = 'pending' and tenant_id = ${tenantId}`);
    return row?.next == null ? null : Number(row.next);
  }

  /** An endpoint's delivery log, newest first, with its message's type. */
  async listDeliveries(tenantId: string, webhookId: string, before: { at: number; id: string } | null, limit: number) {
    const where = [eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.webhookId, webhookId)];
    if (before)
      where.push(
        or(
          lt(webhookDeliveries.createdAt, before.at),
          and(eq(webhookDeliveries.createdAt, before.at), lt(webhookDeliveries.id, before.id)),
        )!,
      );
    return this.d.db
      .select({ d: webhookDeliveries, type: outboxMessages.type })
      .from(webhookDeliveries)
      .leftJoin(outboxMessages, eq(outboxMessages.id, webhookDeliveries.messageId))
      .where(and(...where))
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(limit);
  }

  async delivery(tenantId: string, id: string): Promise<DeliveryRow | undefined> {
    return this.d.db
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.tenantId, tenantId), eq(webhookDeliveries.id, id)))
      .get();
  }

  /** Sends a delivery again: pending and due now (the same message and webhook-id; receivers dedupe by it). */
  async replay(tenantId: string, id: string, now: number): Promise<boolean> {
    const [res] = await this.d.batch([
      this.run(sql`update webhook_deliveries set status = 'pending', next_attempt_at = ${now}, updated_at = ${now}
        where tenant_id = ${tenantId} and id = ${id}
          and exists (select 1 from webhooks w where w.id = webhook_deliveries.webhook_id and w.deleted_at is null)
          and exists (select 1 from outbox_messages m where m.id = webhook_deliveries.message_id)`),
    ]);
    return this.d.changes(res) > 0;
  }

  /** Erasure: a person's messages and their deliveries go (payloads and the log alike). */
  eraseStatements(tenantId: string, personIds: readonly string[]): Batchable[] {
    const ids = JSON.stringify(personIds);
    return [
      this.run(sql`delete from webhook_deliveries where tenant_id = ${tenantId}
        and person_id in (select value from json_each(${ids}))`),
      this.run(sql`delete from outbox_messages where tenant_id = ${tenantId}
        and person_id in (select value from json_each(${ids}))`),
    ];
  }

  /** Retention: delivered or failed messages older than `before` (with their deliveries). */
  async expire(before: number, limit: number): Promise<number> {
    const [, r] = await this.d.batch([
      this.run(sql`delete from webhook_deliveries where message_id in (select id from outbox_messages
        where created_at < ${before} order by created_at limit ${limit}) and status != 'pending'`),
      this.run(sql`delete from outbox_messages where rowid in (select rowid from outbox_messages m
        where m.created_at < ${before}
          and not exists (select 1 from webhook_deliveries d where d.message_id = m.id and d.status = 'pending')
        order by m.created_at limit ${limit})`),
    ]);
    return this.d.changes(r);
  }
}
