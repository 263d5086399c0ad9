import { z } from "zod";
import { EVENT_TYPES } from "../domain/profile/events";
import { defineOperation } from "../http/operation";
import { Problem } from "../http/problems";
import { callerScope } from "../services/context";
import { DEFAULT_CONVERSIONS, upliftReport } from "../services/uplift";

const Prop = z.object({
  units: z.number().int(),
  converted: z.number().int(),
  rate: z.number(),
  ci: z.array(z.number()).length(2).meta({ description: "Wilson score 95% interval" }),
});
const UpliftReport = z
  .object({
    from: z.string(),
    to: z.string(),
    share: z.number().meta({ description: "The brand's holdout share now (settings.holdout.share)" }),
    unit: z.literal("household").meta({ description: "Randomization unit: a household, or a person without one" }),
    conversions: z.array(z.string()),
    treatment: Prop,
    holdout: Prop,
    uplift: z.object({
      absolute: z.number().meta({ description: "Treatment rate − holdout rate" }),
      ci: z.array(z.number()).length(2).meta({ description: "Newcombe hybrid score 95% interval of the difference" }),
      relative: z.number().nullable().meta({ description: "absolute / holdout rate; null when the holdout rate is 0" }),
    }),
  })
  .meta({ id: "UpliftReport" });

const Iso = z.iso.datetime({ offset: true });

export const getUplift = defineOperation({
  method: "get",
  path: "/v1/reports/uplift",
  auth: { kinds: ["server"], scope: "profiles:read" },
  schema: {
    tags: ["Reports"],
    operationId: "getUplift",
    summary: "Conversion in treatment vs the brand's holdout group (randomized by household), with intervals",
    description:
      "Every unit (a household, or a person without one) of the caller's scope created before `to` counts, reached by a decision or not (intent to treat); a unit converted when one of its people has an event of `conversions` in [from, to). Arms follow the brand's holdout share now (`putSettings`): changing it mid-period mixes arms, so report over periods with one share. A dealer-bound key sees its dealer's people only.",
    request: {
      query: z.object({
        from: Iso.meta({ example: "2026-11-01T00:00:00Z" }),
        to: Iso.meta({ example: "2026-12-01T00:00:00Z" }),
        conversions: z
          .string()
          .max(500)
          .optional()
          .meta({ description: `Comma-separated event types; default ${DEFAULT_CONVERSIONS.join(",")}` }),
      }),
    },
    responses: { "200": { description: "The report", content: { "application/json": { schema: UpliftReport } } } },
  },
  example: {},
  async handle(c, { query }) {
    const from = Date.parse(query.from);
    const to = Date.parse(query.to);
    if (!(from < to))
      throw new Problem("validation-failed", "from must be before to", {
        errors: [{ in: "query", pointer: "/to", reason: "must be after from" }],
      });
    const conversions = query.conversions
      ? query.conversions
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : [...DEFAULT_CONVERSIONS];
    const unknown = conversions.filter((t) => !(EVENT_TYPES as readonly string[]).includes(t));
    if (unknown.length || !conversions.length)
      throw new Problem("validation-failed", `not event types: ${unknown.join(", ") || "(none)"}`, {
        errors: [
          { in: "query", pointer: "/conversions", reason: `use event types such as ${DEFAULT_CONVERSIONS.join(", ")}` },
        ],
      });
    return c.json(await upliftReport(c.var.deps.store, callerScope(c), { from, to }, conversions));
  },
});
