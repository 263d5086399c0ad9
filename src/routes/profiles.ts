import { z } from "zod";
import { normalizeEmail, hashInput } from "../domain/profile/identity";
import { CountryCode } from "../domain/tenant-settings";
import { defineOperation } from "../http/operation";
import { pokeOutbox } from "../http/context";
import { Problem } from "../http/problems";
import { sha256Hex } from "../lib/crypto";
import { callerScope, serviceContext } from "../services/context";
import { ingestEvents } from "../services/ingest";
import { audit, auditRead, auditStamp } from "../services/audit";
import { erase, exportProfile, profileInScope, unmerge } from "../services/profiles";
import type { HouseholdRow, ProfileRow } from "../store/customers";
import { IdParam, TimeZone, VIN_PATTERN, iso } from "./common";

const ProfileParam = IdParam("profileId", "prs", "prs_4bQm2kT9xYz01AbCdEfG");

/** An audit subject that is a person (erased with them). */
const personSubject = (personId: string, detail?: Record<string, unknown>) => ({
  subjectType: "profile" as const,
  subjectId: personId,
  personId,
  ...(detail ? { detail } : {}),
});

export const ProfileResponse = z
  .object({
    id: z.string(),
    dealerId: z.string().nullable(),
    householdId: z.string().nullable(),
    updatedAt: z.string(),
    profile: z.record(z.string(), z.unknown()).meta({
      description:
        "The compact profile: stage, interest, vehicles and gates, voice of the customer, advocacy, social, consent",
    }),
    household: z
      .object({
        id: z.string(),
        members: z.array(z.string()),
        vehicles: z.array(z.record(z.string(), z.unknown())),
        openComplaints: z.number().int(),
      })
      .nullable(),
  })
  .meta({ id: "ProfileView" });

function view(profile: ProfileRow, household: HouseholdRow | null) {
  return {
    id: profile.id,
    dealerId: profile.dealerId,
    householdId: profile.householdId,
    updatedAt: iso(profile.updatedAt)!,
    profile: profile.doc as unknown as Record<string, unknown>,
    household: household ? { id: household.id, ...household.doc } : null,
  };
}

export const getProfile = defineOperation({
  method: "get",
  path: "/v1/profiles/:profileId",
  auth: { kinds: ["server"], scope: "profiles:read" },
  problems: ["not-found"],
  schema: {
    tags: ["Profiles"],
    operationId: "getProfile",
    summary: "Get a person's compact profile",
    request: { params: ProfileParam },
    responses: { "200": { description: "The profile", content: { "application/json": { schema: ProfileResponse } } } },
  },
  example: {},
  async handle(c, { params }) {
    const found = await profileInScope(await serviceContext(c), callerScope(c), params.profileId as string);
    await auditRead(c, "profile.read", personSubject(found.profile.id));
    return c.json(view(found.profile, found.household));
  },
});

const ONE_OF = "Give exactly one of vin, visitorId, customerId, email.";
const LookupQuery = z
  .object({
    vin: z
      .string()
      .max(32)
      .optional()
      .meta({ example: "1N4AZ0CP6GC304290", pattern: VIN_PATTERN, description: ONE_OF }),
    visitorId: z.string().max(128).optional().meta({ description: ONE_OF }),
    customerId: z.string().max(128).optional().meta({ description: ONE_OF }),
    email: z.string().max(254).optional().meta({ description: ONE_OF }),
  })
  .refine(
    (q) => [q.vin, q.visitorId, q.customerId, q.email].filter(Boolean).length === 1,
    "give exactly one of vin, visitorId, customerId, email",
  );

export const lookupProfile = defineOperation({
  method: "get",
  path: "/v1/profiles/lookup",
  auth: { kinds: ["server"], scope: "profiles:read" },
  problems: ["not-found", "invalid-vin"],
  schema: {
    tags: ["Profiles"],
    operationId: "lookupProfile",
    summary: "Find a person's profile by VIN, visitor id, customer id or email (one indexed read)",
    request: { query: LookupQuery },
    responses: { "200": { description: "The profile", content: { "application/json": { schema: ProfileResponse } } } },
  },
  example: {},
  async handle(c, { query }) {
    const ctx = await serviceContext(c);
    let found: Awaited<ReturnType<typeof ctx.store.customers.byIdentity>>;
    if (query.vin) found = await ctx.store.customers.byIdentity(callerScope(c), "vin", ctx.vins.valid(query.vin).vin);
    else if (query.email) {
      const email = normalizeEmail(query.email);
      if (!email)
        throw new Problem("validation-failed", "email is not an email address", {
          errors: [{ in: "query", pointer: "/email", reason: "is not an email address" }],
        });
      found = await ctx.store.customers.byIdentity(
        callerScope(c),
        "email",
        await sha256Hex(hashInput(ctx.tenant.hashSalt, "email", email)),
      );
    } else if (query.visitorId)
      found = await ctx.store.customers.byIdentity(callerScope(c), "visitor", query.visitorId);
    else found = await ctx.store.customers.byIdentity(callerScope(c), "customer", query.customerId!);
    if (!found?.profile.doc) throw new Problem("not-found", "No profile for that identifier.");
    const by = query.vin ? "vin" : query.email ? "email" : query.visitorId ? "visitorId" : "customerId";
    await auditRead(c, "profile.lookup", personSubject(found.profile.id, { by }));
    return c.json(view(found.profile, found.household));
  },
});

const ConsentBody = z
  .object({
    source: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .meta({ description: "Where the change was made, kept with it", example: "preference-center" }),
    marketing: z
      .object({ email: z.boolean(), sms: z.boolean(), push: z.boolean(), in_vehicle: z.boolean(), web: z.boolean() })
      .partial()
      .optional(),
    profilingObjection: z.boolean().optional(),
    drivingDataConsent: z.boolean().optional(),
    locationDataConsent: z.boolean().optional(),
    driverComparisonConsent: z.boolean().optional().meta({
      description: "Compare this person's driving with the household's other drivers in the monthly driving report",
    }),
    quietHours: z
      .object({
        start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
        end: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/),
      })
      .nullable()
      .optional(),
    preferredDealerId: z.string().max(64).nullable().optional(),
    preferredChannel: z.enum(["email", "sms", "push", "in_vehicle", "web", "phone"]).nullable().optional(),
    timeZone: TimeZone.optional(),
    notInterested: z
      .array(z.enum(["sales", "service", "retention", "info", "safety"]))
      .max(5)
      .optional(),
    country: CountryCode.nullable()
      .optional()
      .meta({ description: "The person's country: it decides the brand's marketing-consent rule (opt-in or opt-out)" }),
    // issue 10
    locale: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, "must be a language tag such as de or de-AT")
      .nullable()
      .optional()
      .meta({ description: "The person's language: creatives in it when the action has them" }),
    reminders: z.boolean().optional().meta({ description: "Service reminders by email and app (false: unsubscribed)" }),
  })
  .strict()
  .meta({ minProperties: 2, description: "`source` and at least one consent or preference" });

export const putConsent = defineOperation({
  method: "put",
  path: "/v1/profiles/:profileId/consent",
  auth: { kinds: ["server"], scope: "events:write" },
  problems: ["not-found"],
  schema: {
    tags: ["Profiles"],
    operationId: "putConsent",
    summary: "Change consent and preferences; each change is kept with its time and source",
    request: { params: ProfileParam, body: { content: { "application/json": { schema: ConsentBody } } } },
    responses: {
      "200": { description: "The updated profile", content: { "application/json": { schema: ProfileResponse } } },
    },
  },
  example: {
    body: {
      source: "preference-center",
      marketing: { email: true, sms: false },
      profilingObjection: false,
      quietHours: { start: "21:00", end: "07:30" },
      timeZone: "America/Chicago",
    },
  },
  async handle(c, { params, body }) {
    const scope = callerScope(c);
    const profileId = params.profileId as string;
    const ctx = await serviceContext(c, { subject: profileId });
    await profileInScope(ctx, scope, profileId);
    const { source, marketing, profilingObjection, drivingDataConsent, locationDataConsent, ...rest } = body;
    const { driverComparisonConsent, reminders, ...prefs } = rest;
    const at = new Date(ctx.now).toISOString();
    const stamp = `${ctx.now.toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
    const consent = {
      marketing,
      profilingObjection,
      drivingDataConsent,
      locationDataConsent,
      driverComparisonConsent,
      reminders,
      source,
    };
    const events = [];
    const consentFields = [marketing, profilingObjection, drivingDataConsent, locationDataConsent, reminders];
    if ([...consentFields, driverComparisonConsent].some((x) => x !== undefined)) {
      events.push({
        id: `consent-${stamp}`,
        type: "consent_changed",
        occurredAt: at,
        source,
        data: JSON.parse(JSON.stringify(consent)),
      });
    }
    if (Object.values(prefs).some((x) => x !== undefined)) {
      events.push({ id: `prefs-${stamp}`, type: "preference_changed", occurredAt: at, source, data: prefs });
    }
    if (!events.length)
      throw new Problem("validation-failed", "Nothing to change.", {
        errors: [{ in: "body", pointer: "", reason: "give at least one consent or preference" }],
      });
    const changed = Object.keys(body).filter((k) => k !== "source" && body[k as keyof typeof body] !== undefined);
    const { results, outbox } = await ingestEvents(ctx, events, {
      extra: (rs) =>
        rs.some((r) => r.status === "accepted")
          ? [c.var.deps.store.audit.insert(audit(c, "consent.change", personSubject(profileId, { source, changed })))]
          : [],
    });
    const bad = results.find((r) => r.status === "rejected");
    if (bad?.status === "rejected")
      throw new Problem("validation-failed", bad.reasons.map((r) => `${r.pointer}: ${r.reason}`).join("; "), {
        errors: bad.reasons.map((r) => ({ in: "body", ...r })),
      });
    pokeOutbox(c, outbox ?? 0);
    const found = await profileInScope(ctx, scope, profileId);
    return c.json(view(found.profile, found.household));
  },
});

export const exportProfileOp = defineOperation({
  method: "get",
  path: "/v1/profiles/:profileId/export",
  auth: { kinds: ["server"], scope: "profiles:read" },
  problems: ["not-found"],
  schema: {
    tags: ["Profiles"],
    operationId: "exportProfile",
    summary: "Everything held on the person, as JSON (right of access)",
    request: { params: ProfileParam },
    responses: {
      "200": {
        description: "The export",
        content: { "application/json": { schema: z.record(z.string(), z.unknown()).meta({ id: "ProfileExport" }) } },
      },
    },
  },
  example: {},
  async handle(c, { params }) {
    const out = await exportProfile(await serviceContext(c), callerScope(c), params.profileId as string);
    await auditRead(c, "profile.export", personSubject(out.profileId));
    return c.json(out);
  },
});

export const eraseProfile = defineOperation({
  method: "delete",
  path: "/v1/profiles/:profileId",
  auth: { kinds: ["server"], scope: "profiles:erase" },
  problems: ["not-found"],
  schema: {
    tags: ["Profiles"],
    operationId: "eraseProfile",
    summary: "Erase the person from every table, leaving only a tombstone without personal data",
    request: { params: ProfileParam },
    responses: {
      "200": {
        description: "Erased",
        content: {
          "application/json": {
            schema: z.object({ erasureId: z.string(), eventsErased: z.number().int(), erasedAt: z.string() }),
          },
        },
      },
    },
  },
  example: {},
  async handle(c, { params }) {
    const erased = await erase(await serviceContext(c), callerScope(c), params.profileId as string, auditStamp(c));
    pokeOutbox(c);
    return c.json(erased);
  },
});

export const unmergeProfiles = defineOperation({
  method: "post",
  path: "/v1/profiles/:profileId/unmerge",
  auth: { kinds: ["server"], scope: "events:write" },
  problems: ["not-found"],
  schema: {
    tags: ["Identities"],
    operationId: "unmergeProfiles",
    summary: "Undo a recorded merge: both people come back with their own events",
    request: {
      params: ProfileParam,
      body: { content: { "application/json": { schema: z.object({ mergeId: z.string().min(1).max(64) }) } } },
    },
    responses: {
      "200": {
        description: "Restored",
        content: {
          "application/json": {
            schema: z.object({ survivorId: z.string(), restoredId: z.string(), mergeId: z.string() }),
          },
        },
      },
    },
  },
  example: { body: { mergeId: "mrg_4bQm2kT9xYz01AbCdEfG" } },
  async handle(c, { params, body }) {
    return c.json(
      await unmerge(await serviceContext(c), callerScope(c), params.profileId as string, body.mergeId, auditStamp(c)),
    );
  },
});
