import { z } from "zod";
import { defineOperation } from "../http/operation";
import { Problem } from "../http/problems";
import { defer, publicBase, type Principal } from "../http/context";
import { decideNow, mergePlaced, type DecideRequest } from "../services/decisions";
import { tokenVisitor } from "../services/visitors";
import { decideAudience } from "../domain/decide/audience";
import { exactlyOneOf, VIN_PATTERN } from "./common";

export const CHANNELS = ["web_configurator", "dealer_site", "in_vehicle", "email", "app", "service_lane"] as const;

export const SubjectSchema = z
  .object({
    visitorId: z.string().min(1).max(128).optional(),
    customerId: z.string().min(1).max(128).optional(),
    vin: z.string().min(1).max(32).optional().meta({ pattern: VIN_PATTERN }),
    visitorToken: z.string().min(1).max(128).optional().meta({
      description: "The visitor token a previous answer gave a publishable key (the only subject a browser may name)",
    }),
  })
  .refine(
    (s) => [s.visitorId, s.customerId, s.vin, s.visitorToken].filter(Boolean).length === 1,
    "give exactly one of visitorId, customerId, vin, visitorToken",
  )
  .meta({ id: "Subject", oneOf: exactlyOneOf(["visitorId", "customerId", "vin", "visitorToken"]) });

const Placement = z.string().min(1).max(64);

export const DecideRequestSchema = z
  .object({
    subject: SubjectSchema.optional().meta({
      description:
        "Who the decision is for. A publishable key sends the visitorToken it was given, or nothing to get a new visitor",
    }),
    channel: z.enum(CHANNELS),
    placement: Placement.optional(),
    placements: z
      .array(Placement)
      .min(1)
      .max(5)
      .refine((p) => new Set(p).size === p.length, "placements must be distinct")
      .optional()
      .meta({
        description:
          "Every placement of a page, asked at once: each gets its own actions (never one twice), under one decision id and one contact",
      }),
    dealerId: z.string().max(64).optional(),
    context: z
      .object({
        page: z.string().max(512).optional(),
        model: z.string().max(64).optional(),
        locale: z.string().max(35).optional(),
        timeZone: z.string().max(64).optional(),
        driveState: z.enum(["parked", "moving", "unknown"]).optional(),
        speedKph: z.number().min(0).max(500).optional(),
        secondsSinceIgnition: z.number().min(0).optional(),
      })
      .default({}),
    limit: z.number().int().min(1).max(10).default(3).meta({ description: "Actions per placement" }),
    dryRun: z
      .boolean()
      .default(false)
      .meta({ description: "Decide without logging or counting anything: server keys with catalog:write only (403)" }),
    gpc: z.boolean().default(false).meta({
      description:
        "Global Privacy Control as the page sees it (`navigator.globalPrivacyControl`): like `Sec-GPC: 1`, which a script may not set (a forbidden header), it limits the decision to the request context. It can only restrict, never widen, what is decided",
    }),
  })
  .refine((b) => (b.placement === undefined) !== (b.placements === undefined), {
    message: "give exactly one of placement, placements",
    path: ["placements"],
  })
  .meta({ oneOf: exactlyOneOf(["placement", "placements"]) });

/** Who a key may decide for: a publishable key its token's visitor (or a new one), a vehicle key its own VIN. */
export function assertSubjectAllowed(p: Principal, subject: z.infer<typeof SubjectSchema> | undefined): void {
  if (p.kind === "publishable" && subject && !subject.visitorToken) {
    throw new Problem(
      "subject-not-allowed",
      "A publishable key names its visitor only by the visitorToken an answer gave it; send no subject to get one.",
    );
  }
  if (p.kind === "vehicle" && subject?.vin?.toUpperCase() !== p.vin) {
    throw new Problem("subject-not-allowed", "A vehicle key may only act for its own VIN.");
  }
  if (p.kind === "server" && !subject)
    throw new Problem("validation-failed", "subject is required", {
      errors: [{ in: "body", pointer: "/subject", reason: "is required" }],
    });
}

const CreativeOut = z.record(z.string(), z.unknown()).meta({
  description:
    "The channel's creative: web {title, body, cta, imageUrl}, in_vehicle {text, buttons}, email {subject, body}. A service reminder on email, app or the dealer site also carries `slots`: 2–3 open service slots [{slotId, dealerId, dealerName, start, durationMinutes, resource, label (in the person's time zone), bookUrl (a signed, single-use, expiring booking link)}].",
});
const DecisionSchema = z
  .object({
    decisionId: z.string(),
    actions: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        category: z.string(),
        placement: z.string().meta({ description: "Where on the page this action goes" }),
        creative: CreativeOut,
        score: z.number(),
        reasons: z
          .array(z.string())
          .meta({ description: "Plain words, safe to show or read out: never a sensitive trigger, for any key" }),
        sensitiveReasons: z.array(z.string()).optional().meta({
          description: "Server keys with profiles:read only: what staff must know but never say to the person",
        }),
      }),
    ),
    suppressed: z
      .array(z.object({ id: z.string(), guardrail: z.string(), reason: z.string() }))
      .optional()
      .meta({ description: "Only for server keys with decide and profiles:read" }),
    notes: z.array(z.string()),
    segment: z.string(),
    ttl: z.number().int(),
    degraded: z.boolean(),
    dryRun: z.boolean(),
    visitor: z
      .object({ visitorId: z.string(), visitorToken: z.string() })
      .optional()
      .meta({ description: "Publishable keys only: the visitor to keep, and the token to name it by next time" }),
  })
  .meta({ id: "Decision" });

const SUBJECT_KIND = { visitorId: "visitor", customerId: "customer", vin: "vin" } as const;

export const decide = defineOperation({
  method: "post",
  path: "/v1/decide",
  auth: { kinds: ["server", "publishable", "vehicle"], scope: "decide" },
  problems: ["subject-not-allowed", "channel-not-allowed", "dry-run-not-allowed", "invalid-vin", "not-found"],
  schema: {
    tags: ["Decisions"],
    operationId: "decide",
    summary:
      "Next best actions for a person or visitor, on a channel, now — with reasons, and what the guardrails held back",
    description:
      "One database read for the person, and — when what is shown counts against a cap — one conditional write of the contact before answering, so concurrent decisions never exceed a cap; the decision log is written after the response. The decisionId is sealed: outcomes are accepted at once. `Sec-GPC: 1` limits the decision to the request context. If the store fails or misses its deadline the answer is a safe contextual default with `degraded: true`.",
    request: {
      headers: z.object({
        "sec-gpc": z.string().nullish().meta({ description: "Global Privacy Control: 1 = contextual decisions only" }),
      }),
      body: { content: { "application/json": { schema: DecideRequestSchema } } },
    },
    responses: {
      "200": {
        description: "Ranked actions with reasons",
        content: { "application/json": { schema: DecisionSchema } },
      },
    },
  },
  example: {
    body: {
      subject: { visitorId: "v_8f2c1e" },
      channel: "web_configurator",
      placement: "hero",
      context: { page: "/configurator/ariya", model: "Ariya" },
      limit: 2,
    },
  },
  async handle(c, { body, headers }) {
    const p = c.var.principal;
    assertSubjectAllowed(p, body.subject);
    const asked = decideAudience(p, body);
    if (!asked.ok) {
      const { type, detail, requiredScope } = asked.refusal;
      throw new Problem(type, detail, requiredScope ? { requiredScope } : {});
    }
    const audience = asked.audience;
    const { deps } = c.var;
    let subject: DecideRequest["subject"] = null;
    if (body.subject?.visitorToken) {
      const visitor = tokenVisitor(body.subject.visitorToken);
      if (!visitor) throw new Problem("subject-not-allowed", "That is not a visitor token; ask without one.");
      subject = { kind: "visitor", value: visitor };
    } else if (body.subject) {
      const field = (Object.keys(SUBJECT_KIND) as (keyof typeof SUBJECT_KIND)[]).find((k) => body.subject![k])!;
      let value = body.subject[field]!;
      if (field === "vin") value = deps.vins.valid(value).vin;
      subject = { kind: SUBJECT_KIND[field], value };
    }
    const gpc = headers["sec-gpc"]?.trim() === "1" || body.gpc;
    const out = await decideNow(
      {
        store: deps.store,
        caches: deps.decisionCaches,
        principal: p,
        now: deps.now(),
        deadlineMs: deps.config.DECIDE_DEADLINE_MS,
        startedAt: c.var.startedAt,
        defer: (w) => defer(c, w),
        log: deps.decisionLog,
        slots: deps.slotCache,
        baseUrl: publicBase(c),
      },
      {
        subject,
        ...(body.subject?.visitorToken ? { visitorToken: body.subject.visitorToken } : {}),
        channel: body.channel,
        placements: body.placements ?? [body.placement!],
        ...(body.dealerId ? { dealerId: body.dealerId } : {}),
        context: body.context,
        limit: body.limit,
        dryRun: body.dryRun,
        gpc,
        audience,
      },
    );
    const r = mergePlaced(out.placed);
    c.header("Cache-Control", "private, no-store");
    return c.json({
      decisionId: out.decisionId,
      actions: r.actions.map((a) => ({
        id: a.id,
        kind: a.kind,
        category: a.category,
        placement: a.placement,
        creative: a.creative as unknown as Record<string, unknown>,
        score: a.score,
        reasons: a.reasons,
        ...(audience.showSensitive && a.sensitiveReasons.length ? { sensitiveReasons: a.sensitiveReasons } : {}),
      })),
      ...(audience.showSuppressed ? { suppressed: r.suppressed } : {}),
      notes: r.notes,
      segment: r.segment,
      ttl: r.ttl,
      degraded: out.degraded,
      dryRun: body.dryRun,
      ...(out.visitor ? { visitor: out.visitor } : {}),
    });
  },
});
