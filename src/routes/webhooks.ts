/** issue 10: outbound webhooks per tenant (Standard Webhooks), their delivery log and replay; the lead feed. */
import { z } from "zod";
import { isPrivateHost, WEBHOOK_EVENTS, WEBHOOK_EVENT_DESCRIPTIONS } from "../domain/channels/webhooks";
import { pokeOutbox } from "../http/context";
import { defineOperation } from "../http/operation";
import { Problem } from "../http/problems";

import { newId } from "../lib/crypto";
import type { DeliveryRow, WebhookRow } from "../store/outbox";
import { iso } from "./common";

const WebhookParam = z.object({ webhookId: z.string().min(1).max(64).meta({ example: "whk_4bQm2kT9xYz01AbCdEfG" }) });
const EventName = z.enum([...WEBHOOK_EVENTS, "*"]);

/** https anywhere; plain http only to this machine (local development and tests). */
function endpointUrl(u: string): boolean {
  try {
    const url = new URL(u);
    if (url.username || url.password) return false;
    if (url.protocol === "https:") return true;
    return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  } catch {
    return false;
  }
}

const WebhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(EventName),
    description: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: "Webhook" });

const view = (w: WebhookRow) => ({
  id: w.id,
  url: w.url,
  events: w.events as z.infer<typeof EventName>[],
  description: w.description,
  createdAt: iso(w.createdAt)!,
});

const eventsDoc = WEBHOOK_EVENTS.map((e) => `\`${e}\`: ${WEBHOOK_EVENT_DESCRIPTIONS[e]}`).join(" ");

export const createWebhook = defineOperation({
  method: "post",
  path: "/v1/webhooks",
  auth: { kinds: ["server"], scope: "admin" },
  schema: {
    tags: ["Webhooks"],
    operationId: "createWebhook",
    summary: "Add a webhook endpoint: its URL, the events it receives, and a signing secret (shown once)",
    description: `Deliveries are signed per the Standard Webhooks specification (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`; verify with the \`standardwebhooks\` library and this secret), retried with exponential back-off, and logged. Receivers dedupe by \`webhook-id\`. A URL on this machine or a private network (loopback, RFC 1918, link-local, CGNAT, unique-local IPv6; on Node also a name that resolves to one) is refused unless the deployment sets \`WEBHOOK_PRIVATE_TARGETS=allow\` (local development). Events: ${eventsDoc}`,
    request: {
      body: {
        content: {
          "application/json": {
            schema: z
              .object({
                url: z
                  .string()
                  .max(2048)
                  .refine(endpointUrl, "must be an https URL (http only to localhost)")
                  .meta({ example: "https://crm.example.com/pitwall" }),
                events: z.array(EventName).min(1).max(10),
                description: z.string().min(1).max(200).optional(),
              })
              .strict(),
          },
        },
      },
    },
    responses: {
      "201": {
        description: "Created; `secret` is shown only here",
        content: { "application/json": { schema: WebhookSchema.extend({ secret: z.string() }) } },
      },
    },
  },
  example: { body: { url: "https://crm.example.com/pitwall", events: ["lead.created", "booking.created"] } },
  async handle(c, { body }) {
    const p = c.var.principal;
    if (p.dealerId) throw new Problem("insufficient-scope", "A dealer-bound key cannot manage the brand's webhooks.");
    if (c.var.deps.config.WEBHOOK_PRIVATE_TARGETS !== "allow" && isPrivateHost(new URL(body.url).hostname))
      throw new Problem("validation-failed", "The webhook's URL points at this machine or a private network.", {
        errors: [{ in: "body", pointer: "/url", reason: "a private, loopback or link-local host is not allowed here" }],
      });
    const row: WebhookRow = {
      id: newId("whk"),
      tenantId: p.tenantId,
      url: body.url,
      events: [...new Set(body.events)],
      secret: `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))))}`,
      description: body.description ?? null,
      createdAt: c.var.deps.now(),
      deletedAt: null,
    };
    await c.var.deps.store.outbox.createWebhook(row);
    return c.json({ ...view(row), secret: row.secret }, 201);
  },
});

export const listWebhooks = defineOperation({
  method: "get",
  path: "/v1/webhooks",
  auth: { kinds: ["server"], scope: "admin" },
  schema: {
    tags: ["Webhooks"],
    operationId: "listWebhooks",
    summary: "The brand's webhook endpoints (secrets are never shown again)",
    responses: {
      "200": {
        description: "Endpoints",
        content: { "application/json": { schema: z.object({ webhooks: z.array(WebhookSchema) }) } },
      },
    },
  },
  example: {},
  async handle(c) {
    const rows = await c.var.deps.store.outbox.listWebhooks(c.var.principal.tenantId);
    return c.json({ webhooks: rows.map(view) });
  },
});

export const deleteWebhook = defineOperation({
  method: "delete",
  path: "/v1/webhooks/:webhookId",
  auth: { kinds: ["server"], scope: "admin" },
  problems: ["not-found"],
  schema: {
    tags: ["Webhooks"],
    operationId: "deleteWebhook",
    summary: "Remove an endpoint: nothing more is sent to it (its pending deliveries stop)",
    request: { params: WebhookParam },
    responses: { "204": { description: "Deleted" } },
  },
  example: {},
  async handle(c, { params }) {
    const p = c.var.principal;
    if (p.dealerId) throw new Problem("not-found", "No such webhook.");
    const ok = await c.var.deps.store.outbox.deleteWebhook(p.tenantId, params.webhookId as string, c.var.deps.now());
    if (!ok) throw new Problem("not-found", "No such webhook.");
    return c.body(null, 204);
  },
});

const DeliverySchema = z
  .object({
    id: z.string(),
    messageId: z.string().meta({ description: "The `webhook-id` header: the same for every attempt and replay" }),
    event: z.string().nullable(),
    status: z.enum(["pending", "delivered", "failed"]),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .meta({ id: "WebhookDelivery" });

const deliveryView = (d: DeliveryRow, event: string | null) => ({
  id: d.id,
  messageId: d.messageId,
  event,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === "pending" ? iso(d.nextAttemptAt) : null,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  createdAt: iso(d.createdAt)!,
  deliveredAt: iso(d.deliveredAt),
});

const cursorOf = (at: number, id: string) => `${at.toString(36)}.${id}`;
function parseCursor(c: string | undefined): { at: number; id: string } | null {
  if (!c) return null;
  const m = /^([0-9a-z]{1,12})\.(dlv_[0-9a-f]{1,40})$/.exec(c);
  if (!m)
    throw new Problem("validation-failed", "Not a cursor of this list.", {
      errors: [{ in: "query", pointer: "/cursor", reason: "is not a cursor this list gave" }],
    });
  return { at: Number.parseInt(m[1]!, 36), id: m[2]! };
}

export const listWebhookDeliveries = defineOperation({
  method: "get",
  path: "/v1/webhooks/:webhookId/deliveries",
  auth: { kinds: ["server"], scope: "admin" },
  problems: ["not-found"],
  schema: {
    tags: ["Webhooks"],
    operationId: "listWebhookDeliveries",
    summary: "An endpoint's delivery log, newest first: attempts, the last answer, the next attempt",
    request: {
      params: WebhookParam,
      query: z.object({
        cursor: z.string().max(80).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
    responses: {
      "200": {
        description: "Deliveries",
        content: {
          "application/json": {
            schema: z.object({ deliveries: z.array(DeliverySchema), nextCursor: z.string().nullable() }),
          },
        },
      },
    },
  },
  example: {},
  async handle(c, { params, query }) {
    const p = c.var.principal;
    const { outbox } = c.var.deps.store;
    if (p.dealerId || !(await outbox.webhook(p.tenantId, params.webhookId as string)))
      throw new Problem("not-found", "No such webhook.");
    const rows = await outbox.listDeliveries(
      p.tenantId,
      params.webhookId as string,
      parseCursor(query.cursor),
      query.limit,
    );
    const last = rows.at(-1);
    return c.json({
      deliveries: rows.map((r) => deliveryView(r.d, r.type)),
      nextCursor: rows.length === query.limit && last ? cursorOf(last.d.createdAt, last.d.id) : null,
    });
  },
});

export const replayWebhookDelivery = defineOperation({
  method: "post",
  path: "/v1/webhooks/:webhookId/deliveries/:deliveryId/replay",
  auth: { kinds: ["server"], scope: "admin" },
  problems: ["not-found"],
  schema: {
    tags: ["Webhooks"],
    operationId: "replayWebhookDelivery",
    summary: "Send a delivery again now (the same message and `webhook-id`; contact details once delivered are gone)",
    request: {
      params: WebhookParam.extend({
        deliveryId: z.string().min(1).max(64).meta({ example: "dlv_0123456789abcdef0123" }),
      }),
    },
    responses: { "202": { description: "Queued", content: { "application/json": { schema: DeliverySchema } } } },
  },
  example: {},
  async handle(c, { params }) {
    const p = c.var.principal;
    const { outbox } = c.var.deps.store;
    const d = await outbox.delivery(p.tenantId, params.deliveryId as string);
    if (
      p.dealerId ||
      !d ||
      d.webhookId !== params.webhookId ||
      !(await outbox.replay(p.tenantId, d.id, c.var.deps.now()))
    )
      throw new Problem("not-found", "No such delivery.");
    pokeOutbox(c);
    return c.json(deliveryView((await outbox.delivery(p.tenantId, d.id))!, null), 202);
  },
});

const LeadSchema = z
  .object({
    cursor: z.string().meta({ description: "Pass as `after` to get the leads after this one" }),
    id: z.string().meta({ description: "The message id (the `webhook-id` of the same lead pushed to webhooks)" }),
    createdAt: z.string(),
    lead: z.record(z.string(), z.unknown()).meta({
      description:
        "kind (quote, test_drive), personId, customerId, dealerId, details (model, trim, powertrain, price…), contact (email, phone: until every webhook endpoint has the lead)",
    }),
  })
  .meta({ id: "Lead" });

export const listLeads = defineOperation({
  method: "get",
  path: "/v1/leads",
  auth: { kinds: ["server"], scope: "profiles:read" },
  schema: {
    tags: ["Webhooks"],
    operationId: "listLeads",
    summary: "The lead feed for pull-based lead management: leads after a cursor, oldest first",
    description:
      "Every quote request and booked test drive, in the order they were stored. Poll with the last `cursor` as `after`; an empty page means nothing new. A dealer-bound key sees its dealer's leads.",
    request: {
      query: z.object({
        after: z
          .string()
          .regex(/^[0-9]{1,15}$/, "a cursor from this feed")
          .optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    responses: {
      "200": {
        description: "Leads",
        content: {
          "application/json": { schema: z.object({ leads: z.array(LeadSchema), nextCursor: z.string().nullable() }) },
        },
      },
    },
  },
  example: {},
  async handle(c, { query }) {
    const p = c.var.principal;
    // A dealer-bound key's feed holds only its dealer's leads (filtered in the query, before the page's limit).
    const rows = await c.var.deps.store.outbox.messagesAfter(
      p.tenantId,
      "lead.created",
      Number(query.after ?? 0),
      query.limit,
      p.dealerId,
    );
    const leads = rows.map((r) => ({
      cursor: String(r.seq),
      id: r.id,
      createdAt: iso(r.createdAt)!,
      lead: ((r.payload as { data?: Record<string, unknown> }).data ?? {}) as Record<string, unknown>,
    }));
    const last = rows.at(-1);
    return c.json({ leads, nextCursor: last ? String(last.seq) : (query.after ?? null) });
  },
});
