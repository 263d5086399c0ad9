import { z } from "zod";
import { OUTCOMES } from "../domain/decide/contacts";
import { defineOperation } from "../http/operation";
import { attributeOutcome, recordOutcome, type OutcomeDeps } from "../services/outcomes";
import { callerScope, callerTenant } from "../services/context";
import { MAX_DECISION_ID } from "../services/decision-ids";
import type { AppContext } from "../http/context";
import { Problem } from "../http/problems";

const OutcomeResult = z
  .object({
    decisionId: z.string(),
    actionId: z.string(),
    type: z.enum(OUTCOMES),
    recorded: z.enum(["new", "duplicate", "discarded"]).meta({
      description: "`discarded`: the person was erased since the decision; nothing is kept",
    }),
  })
  .meta({ id: "OutcomeResult" });
const OccurredAt = z.iso
  .datetime({ offset: true })
  .optional()
  .meta({ description: "When it happened (default: now); outcomes are accepted weeks later" });

/** What the outcome services need from a request. */
async function outcomeDeps(c: AppContext): Promise<OutcomeDeps> {
  const { store, now, random } = c.var.deps;
  const tenant = await callerTenant(c);
  return { store, principal: c.var.principal, now: now(), secret: tenant.secret ?? "", random };
}

export const recordOutcomeOp = defineOperation({
  method: "post",
  path: "/v1/decisions/:decisionId/outcomes",
  auth: { kinds: ["server", "publishable", "vehicle"], scope: "events:write" },
  problems: ["not-found", "store-unavailable", "write-conflict"],
  schema: {
    tags: ["Decisions"],
    operationId: "recordOutcome",
    summary: "Record what the person did with a shown action (idempotent)",
    description:
      "Accepted from the moment the decision was answered (its id is sealed: no log row is needed), for 90 days, from a key that could have seen it: any server key of the brand, a key bound to the same dealer, the same publishable or vehicle key. Counted once, however often it is retried.",
    request: {
      params: z.object({
        decisionId: z
          .string()
          .min(1)
          .max(MAX_DECISION_ID)
          .meta({ description: "The decisionId of a decide answer (sealed)", example: "dec_AbCd…" }),
      }),
      body: {
        content: {
          "application/json": {
            schema: z.object({ actionId: z.string().min(1).max(64), type: z.enum(OUTCOMES), occurredAt: OccurredAt }),
          },
        },
      },
    },
    responses: {
      "200": {
        description: "Recorded (or already recorded)",
        content: { "application/json": { schema: OutcomeResult } },
      },
    },
  },
  example: { body: { actionId: "lease-renewal", type: "click" } },
  async handle(c, { params, body }) {
    const deps = await outcomeDeps(c);
    const at = body.occurredAt ? Date.parse(body.occurredAt) : deps.now;
    return c.json(await recordOutcome(deps, params.decisionId as string, body.actionId, body.type, at));
  },
});

export const attributeOutcomeOp = defineOperation({
  method: "post",
  path: "/v1/outcomes",
  auth: { kinds: ["server"], scope: "events:write" },
  problems: ["not-found", "store-unavailable", "write-conflict"],
  schema: {
    tags: ["Decisions"],
    operationId: "attributeOutcome",
    summary:
      "Record a late outcome by person and action (a signed lease, a booked service): attributed to the latest decision that showed it within 60 days",
    request: {
      body: {
        content: {
          "application/json": {
            schema: z.object({
              profileId: z.string().min(1).max(64),
              actionId: z.string().min(1).max(64),
              type: z.enum(OUTCOMES),
              occurredAt: OccurredAt,
            }),
          },
        },
      },
    },
    responses: {
      "200": {
        description: "Recorded (or already recorded)",
        content: { "application/json": { schema: OutcomeResult } },
      },
    },
  },
  example: {
    body: {
      profileId: "prs_4bQm2kT9xYz01AbCdEfG",
      actionId: "lease-renewal",
      type: "convert",
      occurredAt: "2026-12-20T15:00:00Z",
    },
  },
  async handle(c, { body }) {
    const deps = await outcomeDeps(c);
    const found = await deps.store.customers.byId(callerScope(c), body.profileId);
    if (!found) throw new Problem("not-found", "No such profile.");
    const at = body.occurredAt ? Date.parse(body.occurredAt) : deps.now;
    return c.json(await attributeOutcome(deps, body.profileId, body.actionId, body.type, at));
  },
});
