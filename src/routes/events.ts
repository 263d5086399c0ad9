import { z } from "zod";
import { DocumentedEventSchema, EVENT_TYPES, EventEnvelopeSchema, exampleEvent } from "../domain/profile/events";
import type { Principal } from "../http/context";
import { idempotencyKeyOf } from "../http/body";
import { defineOperation } from "../http/operation";
import { Problem } from "../http/problems";
import { sha256Hex } from "../lib/crypto";
import { ingestEvents, MAX_BATCH, type EventResult } from "../services/ingest";
import { audit } from "../services/audit";
import { serviceContext } from "../services/context";

const ReasonSchema = z.object({ pointer: z.string(), reason: z.string() });
const ResultSchema = z
  .object({
    index: z.number().int(),
    id: z.string().nullable(),
    status: z.enum(["accepted", "duplicate", "rejected"]),
    personId: z.string().optional(),
    merges: z
      .array(z.string())
      .optional()
      .meta({ description: "Ids of merges this event caused (undo with unmergeProfiles)" }),
    notes: z.array(z.string()).optional(),
    reasons: z.array(ReasonSchema).optional(),
  })
  .meta({ id: "EventResult" });
const IngestResponse = z
  .object({
    accepted: z.number().int(),
    duplicate: z.number().int(),
    rejected: z.number().int(),
    results: z.array(ResultSchema),
  })
  .meta({ id: "IngestResult" });

const IdempotencyHeader = z.object({
  "idempotency-key": z.string().min(1).max(255).nullish().meta({
    description:
      "Makes the whole request safe to retry: the same key and body replay the first response; another body is 409",
  }),
});

/** Browser and car keys speak only for their own subject: one foreign identifier refuses the whole request. */
function assertEventSubjectsAllowed(p: Principal, events: unknown[]): void {
  if (p.kind === "server") return;
  for (const [i, e] of events.entries()) {
    const ids = (e as { identifiers?: Record<string, unknown> } | null)?.identifiers ?? {};
    const vin = (e as { data?: { vin?: unknown } } | null)?.data?.vin;
    const ok =
      p.kind === "publishable"
        ? Object.keys(ids).every((k) => k === "visitorId")
        : Object.keys(ids).every((k) => k === "vin") && ids.vin === p.vin && (vin === undefined || vin === p.vin);
    if (!ok)
      throw new Problem(
        "subject-not-allowed",
        `events[${i}]: a ${p.kind} key may only send events for ${p.kind === "publishable" ? "an anonymous visitorId" : "its own VIN"}.`,
      );
  }
}

function summary(results: EventResult[]) {
  const count = (s: EventResult["status"]) => results.filter((r) => r.status === s).length;
  return { accepted: count("accepted"), duplicate: count("duplicate"), rejected: count("rejected"), results };
}

export const ingestEventsOp = defineOperation({
  method: "post",
  path: "/v1/events",
  auth: { kinds: ["server", "publishable", "vehicle"], scope: "events:write" },
  problems: ["idempotency-key-reused", "subject-not-allowed"],
  schema: {
    tags: ["Events"],
    operationId: "ingestEvents",
    summary: "Send a batch of up to 500 events; each is stored at most once, forever",
    description: `Event types: ${EVENT_TYPES.join(", ")} (each documented as a member of \`Event\`, with its \`data\` schema and an example). Each event is validated alone: an invalid event is rejected with reasons inside the 200 result, the valid ones are stored. Publishable keys send events for an anonymous visitorId only; vehicle keys for their own VIN only.`,
    request: {
      headers: IdempotencyHeader,
      body: {
        content: {
          "application/json": {
            schema: z.object({ events: z.array(DocumentedEventSchema).min(1).max(MAX_BATCH) }),
          },
        },
      },
    },
    responses: {
      "200": {
        description: "Per-event results, in request order",
        content: { "application/json": { schema: IngestResponse } },
      },
    },
  },
  validateBody: z.object({ events: z.array(z.unknown()).min(1).max(MAX_BATCH) }),
  example: {
    body: {
      events: [
        exampleEvent("configurator_build", 1),
        {
          ...exampleEvent("quote_request", 2),
          occurredAt: "2026-11-22T09:41:00Z",
          identifiers: { visitorId: "v_8f2c1e", email: "ann.example@example.com" },
        },
      ],
    },
  },
  async handle(c, { body, headers }) {
    assertEventSubjectsAllowed(c.var.principal, body.events);
    const ctx = await serviceContext(c);
    const idemKey = idempotencyKeyOf(c) ?? headers["idempotency-key"];
    if (!idemKey) return c.json(summary(await ingestEvents(ctx, body.events)));

    const requestHash = await sha256Hex(JSON.stringify(body.events));
    const prior = await ctx.store.idempotency.get(ctx.tenant.id, idemKey);
    if (prior) {
      if (prior.requestHash !== requestHash)
        throw new Problem("idempotency-key-reused", "This Idempotency-Key was used with a different body.");
      return c.body(prior.response, prior.status as 200, {
        "content-type": "application/json",
        "Idempotent-Replayed": "true",
      });
    }
    let responseText = "";
    await ingestEvents(ctx, body.events, (results) => {
      responseText = JSON.stringify(summary(results));
      return [
        ctx.store.idempotency.put({
          tenantId: ctx.tenant.id,
          key: idemKey,
          requestHash,
          status: 200,
          response: responseText,
          createdAt: ctx.now,
        }),
      ];
    });
    return c.body(responseText, 200, { "content-type": "application/json" });
  },
});

const LinkBody = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{8,128}$/)
    .optional()
    .meta({ description: "Client id of the link, for safe retries" }),
  identifiers: EventEnvelopeSchema.shape.identifiers,
  reason: z.string().trim().min(1).max(200),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
});

export const linkIdentities = defineOperation({
  method: "post",
  path: "/v1/identities/link",
  auth: { kinds: ["server"], scope: "events:write" },
  schema: {
    tags: ["Identities"],
    operationId: "linkIdentities",
    summary: "Link identifiers as one person (CRM back-office); recorded as a reversible merge",
    request: { body: { content: { "application/json": { schema: LinkBody } } } },
    responses: {
      "200": { description: "The link's event result", content: { "application/json": { schema: IngestResponse } } },
    },
  },
  example: {
    body: { identifiers: { customerId: "C-100234", email: "ann.example@example.com" }, reason: "Confirmed by phone" },
  },
  async handle(c, { body }) {
    const ctx = await serviceContext(c);
    const id = body.id ?? `link-${crypto.randomUUID()}`;
    const event = {
      id,
      type: "identities_linked",
      occurredAt: body.occurredAt ?? new Date(ctx.now).toISOString(),
      identifiers: body.identifiers,
      data: { reason: body.reason },
    };
    const results = await ingestEvents(ctx, [event], (rs) => {
      const r = rs[0];
      if (r?.status !== "accepted") return [];
      const entry = audit(c, "identities.link", {
        subjectType: "profile",
        subjectId: r.personId,
        personId: r.personId,
        detail: { linkId: id, reason: body.reason, merges: r.merges ?? [] },
      });
      return [ctx.store.audit.insert(entry)];
    });
    const r = results[0]!;
    if (r.status === "rejected")
      throw new Problem("validation-failed", r.reasons.map((x) => `${x.pointer}: ${x.reason}`).join("; "), {
        errors: r.reasons.map((x) => ({ in: "body", ...x })),
      });
    return c.json(summary(results));
  },
});
