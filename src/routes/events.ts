import { z } from "zod";
import { DocumentedEventSchema, EVENT_TYPES, EventEnvelopeSchema, exampleEvent } from "../domain/profile/events";
import { pokeOutbox, type Principal } from "../http/context";
import { idempotencyKeyOf } from "../http/body";
import { defineOperation } from "../http/operation";
import { Problem } from "../http/problems";
import { sha256Hex } from "../lib/crypto";
import { OUT_OF_SCOPE, subjectRefusal } from "../domain/profile/resolve";
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
    const raw = (e as { identifiers?: Record<string, unknown>; data?: { vin?: unknown } } | null) ?? {};
    const ids = raw.identifiers ?? {};
    const fields = Object.keys(ids).filter((k) => ids[k] !== undefined && ids[k] !== "");
    const why = subjectRefusal(p, fields, raw.data?.vin, ids.vin);
    if (why) throw new Problem("subject-not-allowed", `events[${i}]: ${why}.`);
  }
}

/**
 * The answer to a batch. A browser or car key learns no internal person id (nor the merges and notes that name
 * them): what it sent was stored or not, that is all it needs.
 */
function summary(results: EventResult[], p: Principal) {
  const count = (s: EventResult["status"]) => results.filter((r) => r.status === s).length;
  const shown =
    p.kind === "server"
      ? results
      : results.map((r) => (r.status === "accepted" ? { index: r.index, id: r.id, status: r.status } : r));
  return { accepted: count("accepted"), duplicate: count("duplicate"), rejected: count("rejected"), results: shown };
}

export const ingestEventsOp = defineOperation({
  method: "post",
  path: "/v1/events",
  auth: { kinds: ["server", "publishable", "vehicle"], scope: "events:write" },
  problems: ["idempotency-key-reused", "subject-not-allowed", "store-unavailable", "write-conflict"],
  schema: {
    tags: ["Events"],
    operationId: "ingestEvents",
    summary: "Send a batch of up to 500 events; each is stored at most once, forever",
    description: `Event types: ${EVENT_TYPES.join(", ")}. Each event is validated alone (each type documented as a member of \`Event\`, with its \`data\` schema and an example): an invalid event is rejected with reasons inside the 200 result, the valid ones are stored. Publishable keys name their visitor only by the visitorToken that decide issued to them, and no VIN; vehicle keys send events for their own VIN only; a dealer-bound key writes only about its dealer's people (an event naming anyone else is rejected, naming no one). 503 with Retry-After when the store is unavailable or concurrent writes kept conflicting: nothing was written, retry.`,
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
    const p = c.var.principal;
    const idemKey = idempotencyKeyOf(c) ?? headers["idempotency-key"];
    if (!idemKey) {
      const done = await ingestEvents(ctx, body.events);
      pokeOutbox(c, done.outbox ?? 0);
      return c.json(summary(done.results, p));
    }

    const requestHash = await sha256Hex(JSON.stringify(body.events));
    const out = await ingestEvents(ctx, body.events, {
      // Each API key has Idempotency-Keys of its own: another key's record is neither replayed nor revealed.
      idempotency: {
        key: `${p.keyId}:${idemKey}`,
        requestHash,
        render: (results) => JSON.stringify(summary(results, p)),
      },
    });
    if (out.replayed) {
      if (out.replayed.requestHash !== requestHash)
        throw new Problem("idempotency-key-reused", "This Idempotency-Key was used with a different body.");
      return c.body(out.replayed.response, out.replayed.status as 200, {
        "content-type": "application/json",
        "Idempotent-Replayed": "true",
      });
    }
    pokeOutbox(c, out.outbox ?? 0);
    return c.body(out.response!, 200, { "content-type": "application/json" });
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
  problems: ["not-found", "store-unavailable", "write-conflict"],
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
    const { results } = await ingestEvents(ctx, [event], {
      extra: (rs) => {
        const r = rs[0];
        if (r?.status !== "accepted") return [];
        const entry = audit(c, "identities.link", {
          subjectType: "profile",
          subjectId: r.personId ?? null,
          personId: r.personId ?? null,
          detail: { linkId: id, reason: body.reason, merges: r.merges ?? [] },
        });
        return [ctx.store.audit.insert(entry)];
      },
    });
    const r = results[0]!;
    // Identifiers of someone outside the key's scope: as if no such person existed.
    if (r.status === "rejected" && r.reasons.some((x) => x.reason === OUT_OF_SCOPE))
      throw new Problem("not-found", "No person in this key's scope has these identifiers.");
    if (r.status === "rejected")
      throw new Problem("validation-failed", r.reasons.map((x) => `${x.pointer}: ${x.reason}`).join("; "), {
        errors: r.reasons.map((x) => ({ in: "body", ...x })),
      });
    return c.json(summary(results, c.var.principal));
  },
});
