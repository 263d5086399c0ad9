import { z } from "zod";
import { defineOperation } from "../http/operation";
import { Problem } from "../http/problems";
import type { Principal } from "../http/context";

export const CHANNELS = ["web_configurator", "dealer_site", "in_vehicle", "email", "app", "service_lane"] as const;

export const SubjectSchema = z
  .object({
    visitorId: z.string().min(1).max(128).optional(),
    customerId: z.string().min(1).max(128).optional(),
    vin: z.string().min(1).max(32).optional(),
  })
  .refine((s) => [s.visitorId, s.customerId, s.vin].filter(Boolean).length === 1, "give exactly one of visitorId, customerId, vin")
  .meta({ id: "Subject" });

export const DecideRequestSchema = z.object({
  subject: SubjectSchema,
  channel: z.enum(CHANNELS),
  placement: z.string().min(1).max(64),
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
  limit: z.number().int().min(1).max(10).default(3),
  dryRun: z.boolean().default(false),
});

/** Publishable keys decide for anonymous visitors only; vehicle keys for their own VIN only. */
export function assertSubjectAllowed(p: Principal, subject: z.infer<typeof SubjectSchema>): void {
  if (p.kind === "publishable" && !subject.visitorId) {
    throw new Problem("subject-not-allowed", "A publishable key may only name an anonymous visitorId.");
  }
  if (p.kind === "vehicle" && subject.vin?.toUpperCase() !== p.vin) {
    throw new Problem("subject-not-allowed", "A vehicle key may only act for its own VIN.");
  }
}

export const decide = defineOperation({
  method: "post",
  path: "/v1/decide",
  auth: { kinds: ["server", "publishable", "vehicle"], scope: "decide" },
  problems: ["subject-not-allowed", "not-implemented"],
  schema: {
    tags: ["Decisions"],
    operationId: "decide",
    summary: "Next best actions for a person or visitor, on a channel, now",
    request: { body: { content: { "application/json": { schema: DecideRequestSchema } } } },
    responses: { "200": { description: "Ranked actions with reasons", content: { "application/json": { schema: z.object({ decisionId: z.string() }) } } } },
  },
  example: { body: { subject: { visitorId: "v_8f2c1e" }, channel: "web_configurator", placement: "hero", context: { page: "/configurator/ix3", model: "iX3" }, limit: 2 } },
  async handle(c, { body }) {
    assertSubjectAllowed(c.var.principal, body.subject);
    throw new Problem("not-implemented", "Decisioning lands with the decisioning issue; the route, auth and validation are live.");
  },
});
