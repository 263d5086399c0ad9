/**
 * The event vocabulary: one zod schema per event type, each with an example. An event carries one or more
 * identifiers of the person it is about; two identifiers on one event link them (identity graph).
 */
import { z } from "zod";

export const POWERTRAINS = ["ev", "phev", "hybrid", "ice"] as const;
export type Powertrain = (typeof POWERTRAINS)[number];

const Vin = z.string().length(17).meta({
  description: "17-character VIN (validated: characters, check digit, model year)",
  example: "1N4AZ0CP6GC304290",
});
const Day = z.iso.date().meta({ description: "Calendar date, YYYY-MM-DD" });
const Money = z.number().nonnegative().max(10_000_000);
const Short = (max = 80) => z.string().trim().min(1).max(max);
const DealerRef = Short(64).meta({ description: "A dealer id (dlr_…) of the brand" });

const IdentifierFields = z
  .object({
    visitorId: Short(128).optional().meta({ description: "Anonymous web visitor id (first-party cookie)" }),
    visitorToken: z.string().trim().max(128).optional().meta({
      description:
        "The visitor token `decide` gave a publishable key (the only identifier a browser may send); server keys may send it too",
    }),
    customerId: Short(128).optional().meta({ description: "The brand's CRM customer id" }),
    email: z
      .string()
      .trim()
      .max(254)
      .optional()
      .meta({ description: "Normalized, then stored only as a salted SHA-256" }),
    phone: z
      .string()
      .trim()
      .max(32)
      .optional()
      .meta({ description: "E.164 (+4930123456); stored only as a salted SHA-256" }),
    deviceId: Short(128).optional().meta({ description: "App or head-unit device id" }),
    vin: z.string().trim().max(32).optional(),
  })
  .strict();
export const IdentifiersSchema = IdentifierFields.refine(
  (ids) => Object.values(ids).some((v) => v !== undefined && v !== ""),
  "at least one identifier is required",
).meta({
  id: "Identifiers",
  description: "Who the event is about: one or more identifiers; two on one event link them as one person",
  minProperties: 1,
});
export type Identifiers = z.infer<typeof IdentifiersSchema>;

const Consent = z.object({
  marketing: z
    .object({ email: z.boolean(), sms: z.boolean(), push: z.boolean(), in_vehicle: z.boolean(), web: z.boolean() })
    .partial()
    .optional(),
  profilingObjection: z
    .boolean()
    .optional()
    .meta({ description: "GDPR Art. 21 objection to profiling for direct marketing" }),
  drivingDataConsent: z
    .boolean()
    .optional()
    .meta({ description: "Affirmative consent to use driving-behaviour data for marketing" }),
  locationDataConsent: z
    .boolean()
    .optional()
    .meta({ description: "Affirmative consent to use location data for marketing" }),
  // ---- issue 10 (monthly driving report) ----
  driverComparisonConsent: z.boolean().optional().meta({
    description:
      "Consent to compare this person's driving with the other drivers of their household in the monthly driving report (every member must consent)",
  }),
  reminders: z
    .boolean()
    .optional()
    .meta({ description: "Service reminders by email and app (an unsubscribe link sets false)" }),
});
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM");

/** Data schemas per event type. */
export const EVENT_DATA = {
  page_view: z.object({ url: z.string().max(512), model: Short(64).optional() }),
  configurator_build: z.object({
    model: Short(64),
    trim: Short(64).optional(),
    powertrain: z.enum(POWERTRAINS),
    price: Money.optional(),
    currency: z.string().length(3).optional(),
  }),
  quote_request: z.object({
    model: Short(64).optional(),
    trim: Short(64).optional(),
    powertrain: z.enum(POWERTRAINS).optional(),
    price: Money.optional(),
  }),
  test_drive_booked: z.object({ model: Short(64), at: z.iso.datetime({ offset: true }).optional() }),
  purchase: z.object({
    vin: Vin,
    condition: z.enum(["new", "used"]),
    dealerId: DealerRef.optional(),
    price: Money.optional(),
    financing: z.enum(["cash", "lease", "loan"]).optional(),
    warrantyEndDate: Day.optional(),
  }),
  lease_started: z.object({
    vin: Vin,
    termMonths: z.number().int().min(1).max(120),
    endDate: Day,
    monthlyAmount: Money.optional(),
  }),
  loan_started: z.object({ vin: Vin, termMonths: z.number().int().min(1).max(120), endDate: Day, amount: Money }),
  loan_payoff_inquiry: z.object({
    vin: Vin.optional(),
    channel: z.enum(["phone", "web", "email", "branch"]).optional(),
  }),
  trade_in_appraisal: z.object({
    vin: Vin,
    value: Money,
    odometer: z.number().int().nonnegative().max(2_000_000).optional(),
  }),
  service_visit: z.object({
    vin: Vin,
    dealerId: DealerRef.optional(),
    odometer: z.number().int().nonnegative().max(2_000_000),
    workLines: z
      .array(z.object({ code: Short(32).optional(), description: Short(200), amount: Money.optional() }))
      .max(50),
    amount: Money.optional(),
  }),
  service_due: z
    .object({
      vin: Vin,
      kind: Short(64),
      dueDate: Day.optional(),
      dueMileage: z.number().int().positive().max(2_000_000).optional(),
      estimatedCost: Money.optional(),
    })
    .refine((d) => d.dueDate || d.dueMileage, "give dueDate or dueMileage"),
  telemetry_snapshot: z.object({
    vin: Vin,
    odometer: z.number().int().nonnegative().max(2_000_000).optional(),
    economy: z
      .object({
        value: z.number().nonnegative().max(1000),
        unit: z.enum(["l_per_100km", "mpg", "kwh_per_100km", "mi_per_kwh"]),
      })
      .optional(),
    batteryStateOfHealth: z.number().min(0).max(100).optional(),
    troubleCodes: z
      .array(z.string().regex(/^[PCBU][0-9A-F]{4}$/, "must be an OBD-II code such as P0420"))
      .max(50)
      .optional(),
    softwareVersion: Short(40).optional(),
  }),
  recall_notice: z.object({
    vin: Vin,
    campaignId: Short(32),
    status: z.enum(["open", "remedied"]),
    component: Short(120).optional(),
  }),
  software_update_available: z.object({ vin: Vin, version: Short(40), critical: z.boolean().optional() }),
  // ---- issue 10 (monthly driving report): one trip, as the car summarizes it ----
  trip_summary: z
    .object({
      vin: Vin,
      startedAt: z.iso.datetime({ offset: true }).meta({
        description:
          "When the trip started, in the car's local time with its UTC offset: the trip counts in that local month",
      }),
      endedAt: z.iso.datetime({ offset: true }),
      distanceKm: z.number().nonnegative().max(5000),
      energyKwh: z.number().nonnegative().max(1000).optional().meta({ description: "Electricity used (EV, PHEV)" }),
      fuelL: z
        .number()
        .nonnegative()
        .max(1000)
        .optional()
        .meta({ description: "Fuel used in litres (ICE, hybrid, PHEV)" }),
      driverProfileId: Short(64).optional().meta({
        description:
          "The head unit's driver profile that drove (e.g. driver-1): who drove as the car knows it, never an identifier of a person",
      }),
    })
    .refine((t) => Date.parse(t.endedAt) >= Date.parse(t.startedAt), {
      message: "endedAt must not be before startedAt",
      path: ["endedAt"],
    }),
  survey_response: z.object({
    score: z.number().int().min(0).max(10),
    verbatim: z.string().max(2000).optional(),
    topic: z.enum(["sales", "service", "product", "other"]).optional(),
  }),
  complaint_opened: z.object({
    complaintId: Short(64),
    category: z.enum(["sales", "service", "product", "billing", "other"]).optional(),
    vin: Vin.optional(),
  }),
  complaint_closed: z.object({
    complaintId: Short(64),
    resolution: z.enum(["resolved", "unresolved", "withdrawn"]).optional(),
  }),
  referral: z.object({
    referralId: Short(64),
    for: z.enum(["sale", "service"]),
    converted: z.boolean().default(false),
  }),
  social_mention: z.object({
    network: Short(40),
    sentiment: z.enum(["positive", "neutral", "negative"]),
    url: z.url().max(512),
  }),
  identities_linked: z.object({ reason: Short(200) }),
  consent_changed: Consent.extend({ source: Short(64).optional() }),
  preference_changed: z.object({
    quietHours: z.object({ start: HHMM, end: HHMM }).nullable().optional(),
    preferredDealerId: DealerRef.nullable().optional(),
    preferredChannel: z.enum(["email", "sms", "push", "in_vehicle", "web", "phone"]).nullable().optional(),
    timeZone: z.string().max(64).optional(),
    notInterested: z
      .array(z.enum(["sales", "service", "retention", "info", "safety"]))
      .max(5)
      .optional(),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 country code such as DE")
      .transform((c) => c.toUpperCase())
      .nullable()
      .optional()
      .meta({ description: "The person's country: it decides the brand's marketing-consent rule (opt-in or opt-out)" }),
    locale: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, "must be a language tag such as de or de-AT")
      .nullable()
      .optional()
      .meta({ description: "The person's language: creatives in it when the action has them" }),
  }),
  // ---- issue 10: service bookings (written by bookSlot and booking links; a DMS may send its own)
  service_booked: z.object({
    bookingId: Short(64),
    slotId: Short(64).optional(),
    atDealerId: Short(64).optional().meta({ description: "The dealer whose slot was booked" }),
    start: z.iso.datetime({ offset: true }),
    durationMinutes: z.number().int().min(5).max(1440).optional(),
    resource: z.enum(["bay", "loaner"]).optional(),
    decisionId: z.string().max(1024).optional().meta({ description: "The decision that offered the slot" }),
    actionId: Short(64).optional(),
  }),
  service_booking_cancelled: z.object({ bookingId: Short(64), reason: Short(200).optional() }),
} as const;

export type EventType = keyof typeof EVENT_DATA;
export const EVENT_TYPES = Object.keys(EVENT_DATA) as EventType[];
export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA)[T]>;

/** The envelope of every event (its `data` is checked against EVENT_DATA[type] separately, to name the fault). */
export const EventEnvelopeSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{8,128}$/, "8-128 characters of A-Z a-z 0-9 . _ : -")
      .meta({ description: "Client-generated id; stored at most once per tenant, forever" }),
    type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
    occurredAt: z.iso.datetime({ offset: true }),
    identifiers: IdentifiersSchema,
    dealerId: DealerRef.optional(),
    householdRef: Short(64)
      .optional()
      .meta({ description: "The CRM's household key: people with the same key form one household" }),
    source: Short(64).optional(),
    data: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;
/** The envelope of an event written for a person already known by id (consent changes through the API). */
export const SubjectEventEnvelopeSchema = EventEnvelopeSchema.extend({ identifiers: IdentifierFields.default({}) });

/** A validated event, as the projection sees it: times in epoch ms, data typed by its type. */
export type DomainEvent = {
  [T in EventType]: {
    id: string;
    type: T;
    occurredAt: number;
    receivedAt: number;
    dealerId: string | null;
    data: EventData<T>;
    /** Service a dealer recorded on a car of someone outside its scope: history for the car, no dealer for anyone. */
    serviceOnly?: boolean;
  };
}[EventType];

/** One example per event type (OpenAPI, tests and the demo seed use them). */
export const EVENT_EXAMPLES: { [T in EventType]: EventData<T> } = {
  page_view: { url: "https://www.nissanusa.example/vehicles/electric-cars/ariya", model: "Ariya" },
  configurator_build: { model: "Ariya", trim: "Evolve+", powertrain: "ev", price: 47190, currency: "USD" },
  quote_request: { model: "Ariya", trim: "Evolve+", powertrain: "ev", price: 47190 },
  test_drive_booked: { model: "Ariya", at: "2026-12-01T10:00:00-08:00" },
  purchase: { vin: "1N4AZ0CP6GC304290", condition: "new", financing: "lease" },
  lease_started: { vin: "1N4AZ0CP6GC304290", termMonths: 36, endDate: "2027-04-30", monthlyAmount: 329 },
  loan_started: { vin: "5N1AT2MVXLC807279", termMonths: 60, endDate: "2025-06-30", amount: 24000 },
  loan_payoff_inquiry: { vin: "5N1AT2MVXLC807279", channel: "phone" },
  trade_in_appraisal: { vin: "5N1AT2MVXLC807279", value: 14500, odometer: 61000 },
  service_visit: {
    vin: "5N1AT2MVXLC807279",
    odometer: 60210,
    workLines: [{ code: "OIL", description: "Oil and filter change", amount: 89 }],
    amount: 89,
  },
  service_due: { vin: "5N1AT2MVXLC807279", kind: "brake_service", dueDate: "2027-01-15", estimatedCost: 640 },
  telemetry_snapshot: {
    vin: "1N4AZ0CP6GC304290",
    odometer: 48211,
    economy: { value: 17.2, unit: "kwh_per_100km" },
    batteryStateOfHealth: 81,
    troubleCodes: [],
    softwareVersion: "2.4.1",
  },
  recall_notice: { vin: "5N1AT2MVXLC807279", campaignId: "24V123", status: "open", component: "Fuel pump" },
  software_update_available: { vin: "1N4AZ0CP6GC304290", version: "2.5.0", critical: false },
  trip_summary: {
    vin: "1N4AZ0CP6GC304290",
    startedAt: "2026-11-21T08:02:00-08:00",
    endedAt: "2026-11-21T08:31:00-08:00",
    distanceKm: 23.4,
    energyKwh: 3.9,
    driverProfileId: "driver-1",
  },
  survey_response: { score: 9, verbatim: "Quick service, friendly advisor.", topic: "service" },
  complaint_opened: { complaintId: "CMP-1042", category: "service" },
  complaint_closed: { complaintId: "CMP-1042", resolution: "resolved" },
  referral: { referralId: "REF-77", for: "sale", converted: true },
  social_mention: { network: "instagram", sentiment: "positive", url: "https://instagram.example/p/abc" },
  identities_linked: { reason: "CRM back-office: same person confirmed by phone" },
  consent_changed: {
    marketing: { email: true, sms: false, push: true, in_vehicle: true, web: true },
    profilingObjection: false,
    drivingDataConsent: false,
    driverComparisonConsent: true,
    source: "owner-portal",
  },
  preference_changed: {
    quietHours: { start: "21:00", end: "08:00" },
    preferredChannel: "email",
    timeZone: "America/Los_Angeles",
  },
  service_booked: {
    bookingId: "bkg_4bQm2kT9xYz01AbCdEfG",
    slotId: "slt_4bQm2kT9xYz01AbCdEfG",
    atDealerId: "dlr_4bQm2kT9xYz01AbCdEfG",
    start: "2026-12-03T09:00:00-06:00",
    durationMinutes: 60,
    resource: "bay",
  },
  service_booking_cancelled: { bookingId: "bkg_4bQm2kT9xYz01AbCdEfG", reason: "rescheduled" },
};

/** What each event type says and what it changes in the profile (OpenAPI and docs). */
export const EVENT_DESCRIPTIONS: { [T in EventType]: string } = {
  page_view: "A page of the brand's site was viewed (counts towards interest; `model` when the page is a model's).",
  configurator_build:
    "A build was configured: model, trim and powertrain become the person's interest (`gates.configuredModel`, `model_configured_recently`).",
  quote_request: "A price quote was requested; makes an anonymous visitor a shopper.",
  test_drive_booked: "A test drive was booked.",
  purchase:
    "A vehicle was bought (new or used; cash, lease or loan). The VIN moves to this person; a new car gets a 36-month warranty unless `warrantyEndDate` says otherwise; post-purchase cooling starts.",
  lease_started: "A lease began on the VIN; `endDate` drives `lease_ends_within` and `gates.leaseEndsInDays`.",
  loan_started:
    "A loan began on the VIN; amortized linearly to `endDate` it gives the equity estimate with the latest appraisal.",
  loan_payoff_inquiry:
    "The person asked about paying off the loan (sensitive: rules may read it, creatives may never mention it).",
  trade_in_appraisal:
    "The VIN was appraised for trade-in at `value`; with the loan balance it gives the equity estimate.",
  service_visit:
    "The VIN was serviced; the odometer advances and a next service that the visit covered is cleared. The dealer may be another brand's rooftop: off-brand vehicles are serviced too.",
  service_due:
    "A service falls due for the VIN by date and/or mileage (`kind`, e.g. oil_change, brake_service); drives `service_due` and `gates.offBrandServiceDue`.",
  telemetry_snapshot:
    "Connected-car readings for the VIN: odometer, economy, battery state of health, OBD-II trouble codes, software version (driving data is never shown to the person).",
  recall_notice: "A recall campaign opened or was remedied for the VIN (`open_recall`, `gates.openRecalls`).",
  software_update_available:
    "A software update is available for the VIN (`gates.updateAvailable`, `gates.criticalUpdate`).",
  trip_summary:
    "One trip of the VIN as the car summarizes it: start and end (local time with offset), distance, energy or fuel used, and the head unit's driver profile. It feeds the monthly driving report (getDrivingReport) and `vehicle.driving` (monthly totals); driving data reaches marketing rules only with the person's `drivingDataConsent`.",
  survey_response: "A survey was answered (score 0-10, optional verbatim and topic).",
  complaint_opened:
    "A complaint was opened; while open, the person and their household get no sales or retention actions and no surveys.",
  complaint_closed: "A complaint was closed (resolved, unresolved or withdrawn).",
  referral: "The person referred someone for a sale or a service (advocacy).",
  social_mention: "The person mentioned the brand on a social network, with its sentiment.",
  identities_linked:
    "A back-office confirmed that the identifiers on this event are one person (sent by linkIdentities; recorded as a reversible merge).",
  consent_changed:
    "Marketing consent per channel, the Art. 21 objection to profiling, consent to use driving and location data, and consent to compare driving within the household changed (omitted fields keep their value).",
  preference_changed:
    "Contact preferences changed: quiet hours, preferred dealer and channel, time zone, language, categories the person is not interested in.",
  service_booked:
    "A service slot was booked (bookSlot, a booking link, or the dealer's own system): service reminders wait until it has passed.",
  service_booking_cancelled: "A booked service slot was cancelled (or moved: rescheduling cancels and books).",
};

const VEHICLE_EVENT_TYPES: ReadonlySet<EventType> = new Set([
  "telemetry_snapshot",
  "trip_summary",
  "software_update_available",
  "recall_notice",
]);
const WEB_EVENT_TYPES: ReadonlySet<EventType> = new Set(["page_view", "configurator_build", "quote_request"]);

/** A complete example event of a type, envelope included: exampleEvent("page_view").identifiers.visitorId. */
export function exampleEvent(type: EventType, n = 1) {
  const identifiers = WEB_EVENT_TYPES.has(type)
    ? { visitorId: "v_8f2c1e" }
    : VEHICLE_EVENT_TYPES.has(type)
      ? { vin: (EVENT_EXAMPLES[type] as { vin: string }).vin }
      : { customerId: "C-100234" };
  return {
    id: `evt-2026-11-22-${String(n).padStart(4, "0")}`,
    type,
    occurredAt: "2026-11-22T09:30:00Z",
    identifiers,
    data: EVENT_EXAMPLES[type],
  };
}

const pascal = (t: string) => t.replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());

/**
 * The documented event: a union on `type`, one member per event type with its own `data` schema, description
 * and example (component `<Type>Event`). It documents; ingestion validates each event alone with EVENT_DATA,
 * so one bad event is rejected without refusing the batch.
 */
export const DocumentedEventSchema = z
  .discriminatedUnion(
    "type",
    EVENT_TYPES.map((t) =>
      EventEnvelopeSchema.extend({
        type: z.literal(t),
        data: EVENT_DATA[t],
      }).meta({ id: `${pascal(t)}Event`, description: EVENT_DESCRIPTIONS[t], example: exampleEvent(t) }),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  )
  .meta({ id: "Event", description: "One event; `type` selects the schema of `data`." });
