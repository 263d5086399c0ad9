import { z } from "zod";
import { OUTCOMES } from "../domain/decide/contacts";
import { defineOperation } from "../http/operation";
import { attributeOutcome, recordOutcome } from "../services/decisions";
import { callerScope } from "../services/context";
import { Problem } from "../http/problems";
import { IdParam } from "./common";

const OutcomeResult = z
  .object({
    decisionId: z.string(),
    actionId: z.string(),
    type: z.enum(OUTCOMES),
    recorded: z.enum(["new", "duplicate"]),
  })
  .meta({ id: "OutcomeResult" });
const OccurredAt = z.iso
  .datetime({ offset: true })
  .optional()
  .meta({ description: "When it happened (default: now); outcomes are accepted weeks later" });

export const recordOutcomeOp = defineOperation({
  method: "post",
  path: "/v1/decisions/:decisionId/outcomes",
  auth: { kinds: ["server", "publishable", "vehicle"], scope: "events:write" },
  problems: ["not-found"],
  schema: {
    tags: ["Decisions"],
    operationId: "recordOutcome",
    summary: "Record what the person did with a shown action (idempotent)",
    request: {
      params: IdParam("decisionId", "dec", "dec_4bQm2kT9xYz01AbCdEfG"),
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
    const { store, now } = c.var.deps;
    const at = body.occurredAt ? Date.parse(body.occurredAt) : now();
    return c.json(
      await recordOutcome(
        { store, principal: c.var.principal, now: now() },
        params.decisionId as string,
        body.actionId,
        body.type,
        at,
      ),
    );
  },
});

export const attributeOutcomeOp = defineOperation({
  method: "post",
  path: "/v1/outcomes",
  auth: { kinds: ["server"], scope: "events:write" },
  problems: ["not-found"],
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
    const { store, now } = c.var.deps;
    const found = await store.customers.byId(callerScope(c), body.profileId);
    if (!found) throw new Problem("not-found", "No such profile.");
    const at = body.occurredAt ? Date.parse(body.occurredAt) : now();
    return c.json(
      await attributeOutcome(
        { store, principal: c.var.principal, now: now() },
        body.profileId,
        body.actionId,
        body.type,
        at,
      ),
    );
  },
});
