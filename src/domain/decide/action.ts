/** An action as a catalogue author upserts it (zod; the same schema documents the API). */
import { z } from "zod";
import { POWERTRAINS } from "../profile/events";
import { ruleFieldDescription, templateFieldsDescription } from "../rules/reference";
import { ACTION_KINDS, CATEGORIES, DECISION_CHANNELS } from "./vocabulary";

const Text = (max: number) => z.string().trim().min(1).max(max);
const Count = z.number().int().min(1).max(1000);
const DealerId = z.string().min(1).max(64);

export const WebCreativeSchema = z
  .object({
    title: Text(90),
    body: Text(500),
    cta: Text(30),
    imageUrl: z
      .url({ protocol: /^https$/ })
      .max(512)
      .optional(),
  })
  .strict()
  .meta({
    id: "WebCreative",
    description: `web_configurator, dealer_site, app and service_lane. ${templateFieldsDescription()}`,
  });

export const InVehicleCreativeSchema = z
  .object({
    text: Text(120).meta({ description: "Read aloud: at most 120 characters, no URLs, no emoji" }),
    buttons: z.array(Text(20)).max(3).default([]),
  })
  .strict()
  .meta({ id: "InVehicleCreative", description: templateFieldsDescription() });

export const EmailCreativeSchema = z
  .object({ subject: Text(120), body: Text(5000) })
  .strict()
  .meta({ id: "EmailCreative", description: templateFieldsDescription() });

const ChannelsSchema = z
  .object({
    web_configurator: WebCreativeSchema.optional(),
    dealer_site: WebCreativeSchema.optional(),
    app: WebCreativeSchema.optional(),
    service_lane: WebCreativeSchema.optional(),
    in_vehicle: InVehicleCreativeSchema.optional(),
    email: EmailCreativeSchema.optional(),
  })
  .strict();

/** A language tag as creatives are keyed: `de`, `de-AT` (issue 10). */
export const LOCALE_PATTERN = /^[a-z]{2,3}(-[A-Z]{2})?$/;

const Window = z.object({ perDay: Count.optional(), perWeek: Count.optional() }).strict();

export const CapsSchema = z
  .object({
    perDay: Count.optional(),
    perWeek: Count.optional(),
    perMonth: Count.optional(),
    perChannel: z.partialRecord(z.enum(DECISION_CHANNELS), Window).optional(),
  })
  .strict();

export const ActionSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, "a lowercase slug")
      .max(64),
    kind: z.enum(ACTION_KINDS),
    category: z.enum(CATEGORIES),
    channels: ChannelsSchema.refine((c) => Object.values(c).some(Boolean), "give a creative for at least one channel"),
    // ---- issue 10: copy per language, with `channels` as the fallback
    locales: z
      .record(
        z.string().regex(LOCALE_PATTERN, "a language tag such as de or de-AT"),
        z.object({ channels: ChannelsSchema }).strict(),
      )
      .optional()
      .meta({
        description:
          "Creatives per language (`de`, `de-AT`), for channels the action has: chosen by `context.locale`, else the person's language preference; `de-AT` falls back to `de`, then to `channels`. Validated like `channels`.",
        example: {
          de: { channels: { email: { subject: "Zeit für den Service", body: "Buchen Sie bei {{dealer.name}}." } } },
        },
      }),
    rule: z
      .union([z.record(z.string(), z.unknown()), z.boolean(), z.null()])
      .default(null)
      .meta({ description: ruleFieldDescription() }),
    value: z.number().positive().max(10_000_000).meta({ description: "Business value of a conversion" }),
    lever: z.number().positive().max(100).default(1).meta({ description: "Priority multiplier" }),
    validFrom: z.iso.datetime({ offset: true }).optional(),
    validTo: z.iso.datetime({ offset: true }).optional(),
    intrusiveness: z.enum(["low", "medium", "high"]).default("medium"),
    caps: CapsSchema.default({}),
    householdLevel: z.boolean().default(false).meta({ description: "Caps count the whole household's contacts" }),
    powertrains: z
      .array(z.enum(POWERTRAINS))
      .min(1)
      .optional()
      .meta({ description: "Only for people with a vehicle of one of these" }),
    offBrandService: z
      .boolean()
      .default(false)
      .meta({ description: "A service this dealer also performs on other brands' vehicles" }),
    newVehicleSales: z.boolean().default(false).meta({ description: "Held back during post-purchase cooling" }),
    prior: z
      .object({ alpha: z.number().positive().max(1e6), beta: z.number().positive().max(1e6) })
      .strict()
      .default({ alpha: 1, beta: 30 }),
    dealerOverrides: z
      .record(
        DealerId,
        z.object({ disabled: z.boolean().optional(), lever: z.number().positive().max(100).optional() }).strict(),
      )
      .optional(),
    dealerId: DealerId.optional().meta({
      description: "A dealer-owned action, decided only on that dealer's rooftops",
    }),
  })
  .strict()
  .refine((a) => !a.validFrom || !a.validTo || Date.parse(a.validFrom) < Date.parse(a.validTo), {
    message: "validFrom must be before validTo",
    path: ["validTo"],
  })
  .meta({ id: "Action" });

export type Action = z.output<typeof ActionSchema>;
export type ActionInput = z.input<typeof ActionSchema>;
export type WebCreative = z.output<typeof WebCreativeSchema>;
export type InVehicleCreative = z.output<typeof InVehicleCreativeSchema>;
export type EmailCreative = z.output<typeof EmailCreativeSchema>;
export type Creative = WebCreative | InVehicleCreative | EmailCreative;
export type Intrusiveness = Action["intrusiveness"];
