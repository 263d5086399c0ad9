/**
 * The one Drizzle schema (SQLite dialect) shared by D1 and libSQL.
 * Timestamps are epoch milliseconds; JSON columns hold small, validated documents.
 * Every index says which query it serves.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { LoggedCandidates } from "../domain/learning/pitwall";
import type { HouseholdDoc, Profile } from "../domain/profile/types";

/** An OEM brand: the unit of data ownership. */
export const tenants = sqliteTable(
  "tenants",
  {
    id: text("id").primaryKey(),
    slug: text("slug").notNull(),
    name: text("name").notNull(),
    /** Per-tenant salt for hashing emails and phone numbers: the same address is unlinkable across brands. */
    hashSalt: text("hash_salt").notNull(),
    /** The brand's makes as decoded from VINs (uppercase); other makes are off-brand vehicles. */
    makes: text("makes", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    createdAt: integer("created_at").notNull(),
    // ---- issue 8 (guardrails): the brand's own settings, e.g. its marketing-consent default (domain/tenant-settings.ts).
    // Read with the person in the decision's one query.
    settings: text("settings", { mode: "json" }).$type<unknown>().notNull().default(sql`'{}'`),
    // ---- end issue 8
    // ---- issue 9 (state under concurrency) ----
    /** Per-tenant secret for sealed decision ids and visitor tokens; set on first use (null for older tenants). */
    secret: text("secret"),
  },
  (t) => [
    // CLI: find a tenant by its slug
    uniqueIndex("tenants_slug_uq").on(t.slug),
  ],
);

/** A rooftop of one brand. A multi-brand group has one record per brand, linked by groupId. */
export const dealers = sqliteTable(
  "dealers",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    code: text("code").notNull(),
    name: text("name").notNull(),
    timeZone: text("time_zone").notNull(),
    city: text("city"),
    country: text("country"),
    latitude: real("latitude"),
    longitude: real("longitude"),
    groupId: text("group_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    // listDealers: a tenant's dealers by name; the code is unique within a brand
    uniqueIndex("dealers_tenant_code_uq").on(t.tenantId, t.code),
    // dealers of one group within a brand (never across brands)
    index("dealers_tenant_group_idx").on(t.tenantId, t.groupId),
  ],
);

/** API keys: only the SHA-256 of the key is stored; the prefix is for display. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    kind: text("kind", { enum: ["server", "publishable", "vehicle"] }).notNull(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    hash: text("hash").notNull(),
    scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    dealerId: text("dealer_id").references(() => dealers.id),
    vin: text("vin"),
    allowedOrigins: text("allowed_origins", { mode: "json" }).$type<string[]>(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
    revokedAt: integer("revoked_at"),
    // ---- issue 8 (keys): rotation keeps the key id; the previous secret stays valid until previousExpiresAt.
    previousHash: text("previous_hash"),
    previousExpiresAt: integer("previous_expires_at"),
    // ---- end issue 8
  },
  (t) => [
    // authenticate: every request looks its key up by hash
    uniqueIndex("api_keys_hash_uq").on(t.hash),
    // authenticate during a rotation's overlap: the previous secret (issue 8)
    uniqueIndex("api_keys_previous_hash_uq").on(t.previousHash),
    // listKeys: a tenant's keys, newest first
    index("api_keys_tenant_created_idx").on(t.tenantId, t.createdAt),
  ],
);

/**
 * One row per person: the compact profile (`doc`), the contact log written after decisions, and the scope
 * columns every read filters on. A merged-away person keeps its row (doc null, mergedInto set) for unmerge.
 */
export const profiles = sqliteTable(
  "profiles",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    dealerId: text("dealer_id"),
    householdId: text("household_id"),
    mergedInto: text("merged_into"),
    doc: text("doc", { mode: "json" }).$type<Profile>(),
    contacts: text("contacts", { mode: "json" }).$type<unknown>(),
    version: integer("version").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    // ---- issue 9 (state under concurrency) ----
    /** Version of `contacts`, apart from the profile's: decisions write contacts conditionally on it. */
    contactsVersion: integer("contacts_version").notNull().default(0),
  },
  (t) => [
    // household recompute: the members of a household
    index("profiles_tenant_household_idx").on(t.tenantId, t.householdId),
  ],
);

/** A household: people and their vehicles (off-brand included), keyed by the CRM's household reference. */
export const households = sqliteTable(
  "households",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    ref: text("ref").notNull(),
    doc: text("doc", { mode: "json" }).$type<HouseholdDoc>().notNull(),
    contacts: text("contacts", { mode: "json" }).$type<unknown>(),
    updatedAt: integer("updated_at").notNull(),
    // ---- issue 9 (state under concurrency) ----
    /** Version of `doc`: every write of the household document is conditional on it. */
    version: integer("version").notNull().default(0),
    /** Version of `contacts` (household-level contacts), apart from the document's. */
    contactsVersion: integer("contacts_version").notNull().default(0),
  },
  (t) => [
    // ingestion: find a household by the CRM reference carried on events
    uniqueIndex("households_tenant_ref_uq").on(t.tenantId, t.ref),
  ],
);

/** The identity graph: every identifier of a person. Emails and phones are salted SHA-256 values. */
export const identities = sqliteTable(
  "identities",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    value: text("value").notNull(),
    kind: text("kind", { enum: ["visitor", "customer", "email", "phone", "device", "vin"] }).notNull(),
    personId: text("person_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    // resolve: (tenant, value[, kind]) -> person, for decide and for a batch of events (value IN ...)
    primaryKey({ columns: [t.tenantId, t.value, t.kind] }),
    // export, erasure and merges: all identifiers of a person
    index("identities_tenant_person_idx").on(t.tenantId, t.personId),
  ],
);

/**
 * Events, stored once per tenant forever (the primary key is the client's id). Erasure scrubs a row to a
 * tombstone (status "erased", no person, no payload) so that a replay of the same event is refused.
 */
export const events = sqliteTable(
  "events",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    id: text("id").notNull(),
    type: text("type").notNull(),
    status: text("status", { enum: ["stored", "erased"] }).notNull(),
    personId: text("person_id"),
    /** The person the event first resolved to; unmerge gives the event back to it. */
    originPersonId: text("origin_person_id"),
    occurredAt: integer("occurred_at").notNull(),
    receivedAt: integer("received_at").notNull(),
    dealerId: text("dealer_id"),
    payload: text("payload", { mode: "json" }).$type<{
      identifiers: { kind: string; value: string }[];
      data: unknown;
      householdRef?: string;
      source?: string;
    }>(),
  },
  (t) => [
    // idempotency: one row per (tenant, event id)
    primaryKey({ columns: [t.tenantId, t.id] }),
    // profile replay and export: a person's events in time order
    index("events_tenant_person_time_idx").on(t.tenantId, t.personId, t.occurredAt),
    // unmerge: events that first belonged to a person
    index("events_tenant_origin_idx").on(t.tenantId, t.originPersonId),
    // ---- issue 11 (ingestion speed): replaces issue 10's events_tenant_type_time_idx (tenant, type, time) ----
    // getDrivingReport: a month of trip summaries across the tenant (the same model's). Partial: every event wrote
    // an entry of the full index at a random place (its time within its type), a page of each COMMIT per event,
    // for one read of one type (docs/scale.md). The uplift report finds conversions through the person index.
    index("events_tenant_trip_time_idx").on(t.tenantId, t.occurredAt).where(sql`type = 'trip_summary'`),
    // ---- end issue 11
  ],
);

/** Recorded merges: when, which event, which identifiers moved; reversible by unmerge. */
export const merges = sqliteTable(
  "merges",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    survivorId: text("survivor_id").notNull(),
    absorbedId: text("absorbed_id").notNull(),
    eventId: text("event_id"),
    reason: text("reason").notNull(),
    moved: text("moved", { mode: "json" }).$type<{ kind: string; value: string }[]>().notNull(),
    createdAt: integer("created_at").notNull(),
    undoneAt: integer("undone_at"),
  },
  (t) => [
    // export/erasure/unmerge: merges a person took part in
    index("merges_tenant_survivor_idx").on(t.tenantId, t.survivorId),
    index("merges_tenant_absorbed_idx").on(t.tenantId, t.absorbedId),
  ],
);

/** Erasure tombstones: that a person was erased and when; no personal data. */
export const erasures = sqliteTable("erasures", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id")
    .notNull()
    .references(() => tenants.id),
  erasedAt: integer("erased_at").notNull(),
  eventsScrubbed: integer("events_scrubbed").notNull(),
});

/**
 * VIN decodes, keyed by the pattern part of the VIN (positions 1-8 and 10-11, without the serial number),
 * so the cache holds vehicle types, never a vehicle of a person.
 */
export const vinDecodes = sqliteTable("vin_decodes", {
  pattern: text("pattern").primaryKey(),
  data: text("data", { mode: "json" }).$type<unknown>().notNull(),
  decodedAt: integer("decoded_at").notNull(),
});

/** Idempotency-Key replays for POST /v1/events: the request's hash and the response given. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    status: integer("status").notNull(),
    response: text("response").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    // replay lookup by (tenant, key)
    primaryKey({ columns: [t.tenantId, t.key] }),
    // issue 9: retention deletes records older than the replay window, oldest first
    index("idempotency_keys_created_idx").on(t.createdAt),
  ],
);

/** The action catalogue: one row per action (tenant-wide, or owned by one dealer). */
export const actions = sqliteTable(
  "actions",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    id: text("id").notNull(),
    dealerId: text("dealer_id"),
    doc: text("doc", { mode: "json" }).$type<unknown>().notNull(),
    updatedAt: integer("updated_at").notNull(),
    // --- issue 11 (cold start): the VALIDATOR_VERSION the doc passed when it was stored; a catalogue load
    // compiles such actions as stored, without checking them again (domain/decide/catalog.ts). Null: check again.
    checkedWith: text("checked_with"),
    // --- end issue 11
  },
  (t) => [
    // listActions and the catalogue load: a tenant's actions
    primaryKey({ columns: [t.tenantId, t.id] }),
  ],
);

/** Per-tenant versions of what decisions cache per isolate: the catalogue. Read with the person, in one query. */
export const catalogVersions = sqliteTable("catalog_versions", {
  tenantId: text("tenant_id")
    .primaryKey()
    .references(() => tenants.id),
  version: integer("version").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Learner statistics per (action, channel, segment): shows and successes, added to the catalogue's prior. */
export const learnerStats = sqliteTable(
  "learner_stats",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    key: text("key").notNull(),
    shows: integer("shows").notNull().default(0),
    successes: integer("successes").notNull().default(0),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    // the learner cache loads a tenant's rows; updates address one key
    primaryKey({ columns: [t.tenantId, t.key] }),
  ],
);

/** The decision log: what was shown, why, and with what probability (for off-policy evaluation). */
export const decisions = sqliteTable(
  "decisions",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    id: text("id").notNull(),
    personId: text("person_id"),
    /** The key that asked: browser and car keys may report outcomes only of their own decisions. */
    keyId: text("key_id").notNull(),
    channel: text("channel").notNull(),
    placement: text("placement").notNull(),
    segment: text("segment").notNull(),
    catalogVersion: integer("catalog_version").notNull(),
    degraded: integer("degraded", { mode: "boolean" }).notNull(),
    shown: text("shown", { mode: "json" })
      .$type<{ actionId: string; category: string; score: number; propensity: number; placement?: string }[]>()
      .notNull(),
    createdAt: integer("created_at").notNull(),
    /**
     * Each placement's candidate set (every eligible action's posterior, prior and base score, and which were shown),
     * so off-policy evaluation can replay another learner setting on the log (src/domain/learning/pitwall.ts).
     */
    candidates: text("candidates", { mode: "json" }).$type<LoggedCandidates[]>(),
  },
  (t) => [
    // the decision log by id within the tenant (export; the outcome path reads the sealed id instead)
    primaryKey({ columns: [t.tenantId, t.id] }),
    // attribution by person and action within a window; erasure of a person's decisions
    index("decisions_tenant_person_time_idx").on(t.tenantId, t.personId, t.createdAt),
    // issue 9: retention deletes decisions older than the outcome window, oldest first
    index("decisions_created_idx").on(t.createdAt),
  ],
);

/** Outcomes of shown actions; one per (decision, action, type), so a retry changes nothing. */
export const outcomes = sqliteTable(
  "outcomes",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    decisionId: text("decision_id").notNull(),
    actionId: text("action_id").notNull(),
    type: text("type").notNull(),
    personId: text("person_id"),
    occurredAt: integer("occurred_at").notNull(),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [
    // idempotency of recordOutcome
    primaryKey({ columns: [t.tenantId, t.decisionId, t.actionId, t.type] }),
    // erasure: a person's outcomes
    index("outcomes_tenant_person_idx").on(t.tenantId, t.personId),
    // issue 9: retention deletes old outcomes, oldest first
    index("outcomes_received_idx").on(t.receivedAt),
  ],
);

// ---- issue 9 (state under concurrency): conditional writes and erasure of replayable responses ----

/**
 * Never holds a row. A batch follows each conditional write with
 * `INSERT INTO write_conflicts SELECT … WHERE changes() < n`: when the write changed fewer rows than expected
 * (a claim lost, a version moved) the insert happens, its CHECK fails, and the whole batch rolls back.
 */
export const writeConflicts = sqliteTable("write_conflicts", { what: text("what").notNull() }, () => [
  check("write_conflict", sql`0`),
]);

/** Which people an Idempotency-Key response names, so that erasing a person erases the responses too. */
export const idempotencyPeople = sqliteTable(
  "idempotency_people",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    personId: text("person_id").notNull(),
    key: text("key").notNull(),
  },
  (t) => [
    // erasure: the Idempotency-Key records that name a person
    primaryKey({ columns: [t.tenantId, t.personId, t.key] }),
  ],
);

// ---- issue 8 (audit): who read or changed what, by key id and request id ----
/**
 * The audit log: every read of a profile, export, erasure, consent change, link/unmerge, key change and catalogue
 * or settings change. `personId` is the person an entry is about: erasure deletes those entries and leaves one
 * saying that an erasure happened (subject: the erasure id), without the person's identifiers.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    at: integer("at").notNull(),
    /** The API key that acted; null for the admin CLI. */
    keyId: text("key_id"),
    /** The request's X-Request-Id (or "cli:<command>"). */
    requestId: text("request_id").notNull(),
    action: text("action").notNull(),
    subjectType: text("subject_type").notNull(),
    subjectId: text("subject_id"),
    personId: text("person_id"),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [
    // listAudit: a tenant's entries newest first, paged by (at, id); filters by action and time on the same index
    index("audit_tenant_at_idx").on(t.tenantId, t.at, t.id),
    // listAudit ?subject= and erasure: the entries about one person
    index("audit_tenant_person_idx").on(t.tenantId, t.personId),
    // listAudit ?subject= for other subjects (a key, an action, an erasure)
    index("audit_tenant_subject_idx").on(t.tenantId, t.subjectId),
  ],
);
// ---- end issue 8 (audit)

// ---- issue 10 (channels): service capacity and bookings, email reminders, webhooks, outbox and leads ----

/** A dealer's published service capacity: one row per (dealer, start, resource); `booked` never exceeds `capacity`. */
export const serviceSlots = sqliteTable(
  "service_slots",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    dealerId: text("dealer_id").notNull(),
    startAt: integer("start_at").notNull(),
    durationMin: integer("duration_min").notNull(),
    /** A service bay, or a bay with a loaner car. */
    resource: text("resource", { enum: ["bay", "loaner"] }).notNull(),
    capacity: integer("capacity").notNull(),
    /** Bookings holding this slot; every booking increments it only while `booked < capacity` (a guarded write). */
    booked: integer("booked").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    // putServiceSlots: one slot per dealer, start and resource (upserts address it)
    uniqueIndex("service_slots_dealer_start_uq").on(t.tenantId, t.dealerId, t.startAt, t.resource),
    // the decisions' slot cache and listServiceSlots: a tenant's slots in a time window, by start
    index("service_slots_tenant_start_idx").on(t.tenantId, t.startAt),
  ],
);

/** A booked service slot. `tokenId` is the single-use booking link's id: one booking per link, ever. */
export const bookings = sqliteTable(
  "bookings",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    dealerId: text("dealer_id").notNull(),
    slotId: text("slot_id").notNull(),
    personId: text("person_id").notNull(),
    status: text("status", { enum: ["booked", "cancelled"] }).notNull(),
    tokenId: text("token_id"),
    /** The decision that offered the slot (sealed id), and its action: the outcome is attributed to them. */
    decisionId: text("decision_id"),
    actionId: text("action_id"),
    createdAt: integer("created_at").notNull(),
    cancelledAt: integer("cancelled_at"),
  },
  (t) => [
    // a booking link books once: the second use finds this row
    uniqueIndex("bookings_tenant_token_uq").on(t.tenantId, t.tokenId),
    // listBookings: a dealer's bookings, newest first
    index("bookings_tenant_dealer_created_idx").on(t.tenantId, t.dealerId, t.createdAt),
    // erasure and the person's upcoming bookings
    index("bookings_tenant_person_idx").on(t.tenantId, t.personId),
  ],
);

/** What a service-reminder run sent a person on a day (UTC): a second run that day returns it and contacts no one. */
export const reminderSends = sqliteTable(
  "reminder_sends",
  {
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    day: text("day").notNull(),
    personId: text("person_id").notNull(),
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    // idempotency of a day's run: one row per (tenant, day, person); erasure by person
    primaryKey({ columns: [t.tenantId, t.day, t.personId] }),
    // retention: old runs, oldest first
    index("reminder_sends_created_idx").on(t.createdAt),
  ],
);

/** An outbound webhook endpoint of a tenant: URL, the event types it receives, its Standard Webhooks secret. */
export const webhooks = sqliteTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    url: text("url").notNull(),
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    /** `whsec_` + base64: signs every delivery (it must be readable to sign; shown once at creation). */
    secret: text("secret").notNull(),
    description: text("description"),
    createdAt: integer("created_at").notNull(),
    deletedAt: integer("deleted_at"),
  },
  (t) => [
    // listWebhooks and the fan-out in a change's batch: a tenant's live endpoints
    index("webhooks_tenant_idx").on(t.tenantId, t.createdAt),
  ],
);

/**
 * The outbox: one row per event message (its id is the `webhook-id` a receiver dedupes by), written in the atomic
 * batch of the change that caused it. `seq` orders the lead feed. Contact details in `payload` are dropped once
 * every subscribed endpoint has the message (`contactPurgedAt`); erasing the person deletes their rows.
 */
export const outboxMessages = sqliteTable(
  "outbox_messages",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    type: text("type").notNull(),
    personId: text("person_id"),
    payload: text("payload", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer("created_at").notNull(),
    contactPurgedAt: integer("contact_purged_at"),
  },
  (t) => [
    // deliveries and replays address a message by id
    uniqueIndex("outbox_messages_id_uq").on(t.id),
    // the lead feed: a tenant's messages of one type after a cursor
    index("outbox_messages_tenant_type_seq_idx").on(t.tenantId, t.type, t.seq),
    // erasure: a person's messages
    index("outbox_messages_tenant_person_idx").on(t.tenantId, t.personId),
    // retention: old messages, oldest first
    index("outbox_messages_created_idx").on(t.createdAt),
  ],
);

/** One message to one endpoint: its attempts, the next one, and the last answer (the delivery log). */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id),
    webhookId: text("webhook_id").notNull(),
    messageId: text("message_id").notNull(),
    personId: text("person_id"),
    status: text("status", { enum: ["pending", "delivered", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** When the next attempt is due; while an attempt is in flight, when its lease ends. */
    nextAttemptAt: integer("next_attempt_at").notNull(),
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [
    // the dispatcher: pending deliveries that are due
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    // listWebhookDeliveries: an endpoint's log, newest first
    index("webhook_deliveries_tenant_webhook_idx").on(t.tenantId, t.webhookId, t.createdAt),
    // the queue consumer and the contact purge: a message's deliveries
    index("webhook_deliveries_message_idx").on(t.messageId),
    // erasure: a person's deliveries
    index("webhook_deliveries_tenant_person_idx").on(t.tenantId, t.personId),
  ],
);
// ---- end issue 10
