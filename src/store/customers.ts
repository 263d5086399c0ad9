/**
 * Customer 360 storage: identities, events, profiles, households, merges. Reads take the caller's scope;
 * writes are returned as statements so a service can run them in one atomic batch, each conditional write
 * followed by its guard (conflicts.ts). Row sets travel as one JSON parameter (`json_each`), so a batch of 500
 * events is a handful of statements on D1 (100 bound parameters per statement) as on libSQL. Documents (event
 * payloads, profiles, households) travel inside that parameter as JSON values, not as JSON strings within it:
 * `json_extract` of an object gives its JSON text, so each document is serialized once, unescaped (issue 11).
 */
import { and, asc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { HouseholdDoc, Profile } from "../domain/profile/types";
import { expectChanged } from "./conflicts";
import { chunk, type Batchable, type Database } from "./db";
import {
  erasures,
  events,
  households,
  identities,
  idempotencyKeys,
  idempotencyPeople,
  merges,
  profiles,
  vinDecodes,
} from "./schema";
import type { Scope } from "./scope";

export type ProfileRow = typeof profiles.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type HouseholdRow = typeof households.$inferSelect;
export type IdentityRow = typeof identities.$inferSelect;
export type MergeRow = typeof merges.$inferSelect;

/** A person as ingestion reads it: the row (if any) and what the identity graph says of them. */
export interface PersonRow {
  id: string;
  /** False when identities name a person whose row is missing (never written by this code). */
  hasRow: boolean;
  dealerId: string | null;
  householdId: string | null;
  mergedInto: string | null;
  createdAt: number;
  version: number;
  contactsVersion: number;
  doc: Profile | null;
  contacts: unknown;
  /** Identifiers that name a person (customer, email, phone, visitor). */
  personIds: number;
  known: boolean;
}

/** A household with its live members' documents, read in one statement (so the version covers the members). */
export interface HouseholdState {
  id: string;
  ref: string;
  version: number;
  members: Map<string, Profile>;
}

const parse = <T>(v: unknown): T | null => (typeof v === "string" ? (JSON.parse(v) as T) : ((v as T) ?? null));
/**
 * Rows as JSON parameters of at most ~256 kB each (D1: 2 MB per value; libSQL: no practical limit), each with its
 * row count (for its guard).
 */
function jsonChunks<T>(rows: readonly T[]): { json: string; n: number }[] {
  if (!rows.length) return [];
  const whole = JSON.stringify(rows); // the usual case: one chunk, one pass
  if (whole.length <= 256_000) return [{ json: whole, n: rows.length }];
  const out: { json: string; n: number }[] = [];
  let cur: string[] = [];
  let size = 0;
  for (const r of rows) {
    const s = JSON.stringify(r);
    if (cur.length && size + s.length > 256_000) {
      out.push({ json: `[${cur.join(",")}]`, n: cur.length });
      cur = [];
      size = 0;
    }
    cur.push(s);
    size += s.length + 1;
  }
  if (cur.length) out.push({ json: `[${cur.join(",")}]`, n: cur.length });
  return out;
}

/** A live person (in scope) behind an identifier, with their household: the lookup's one indexed read. */
const byIdentitySql = (dealer: boolean) => `
  select p.id, p.tenant_id, p.dealer_id, p.household_id, p.doc, p.contacts, p.version, p.created_at, p.updated_at,
         p.contacts_version, h.id as h_id, h.ref as h_ref, h.doc as h_doc, h.contacts as h_contacts,
         h.updated_at as h_updated_at, h.version as h_version, h.contacts_version as h_contacts_version
  from identities i
  join profiles p on p.id = i.person_id and p.tenant_id = i.tenant_id
  left join households h on h.id = p.household_id and h.tenant_id = p.tenant_id
  where i.tenant_id = ?1 and i.value = ?2 and i.kind = ?3 and p.merged_into is null${dealer ? " and p.dealer_id = ?4" : ""}
  limit 1`;
const BY_IDENTITY = byIdentitySql(false);
const BY_IDENTITY_DEALER = byIdentitySql(true);

export class CustomerRepo {
  constructor(private readonly d: Database) {}

  private inChunks<T, R>(values: readonly T[], perValue: number, q: (part: T[]) => Promise<R[]>): Promise<R[]> {
    return Promise.all(chunk(values, perValue, this.d.maxParams - 4).map(q)).then((parts) => parts.flat());
  }

  private run(q: ReturnType<typeof sql>): Batchable {
    return this.d.db.run(q) as unknown as Batchable;
  }

  // ---- reads ----

  /** Existing events among `ids`, with their status. */
  async eventStatuses(tenantId: string, ids: readonly string[]): Promise<Map<string, EventRow["status"]>> {
    if (!ids.length) return new Map();
    const rows = await this.d.db.all<{ id: string; status: EventRow["status"] }>(
      sql`select id, status from events where tenant_id = ${tenantId} and id in (select value from json_each(${JSON.stringify(ids)}))`,
    );
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  private personColumns = sql`p.id as id, p.dealer_id as dealer_id, p.household_id as household_id,
      p.merged_into as merged_into, p.created_at as created_at, p.version as version,
      p.contacts_version as contacts_version, p.doc as doc, p.contacts as contacts`;

  private personFacts(personId: ReturnType<typeof sql>) {
    return sql`(select count(*) from identities x where x.tenant_id = ${sql.raw("t_id")} and x.person_id = ${personId}
        and x.kind in ('customer', 'email', 'phone', 'visitor')) as person_ids,
      exists (select 1 from identities x where x.tenant_id = ${sql.raw("t_id")} and x.person_id = ${personId}
        and x.kind = 'customer') as known`;
  }

  private toPerson(r: Record<string, unknown>, id: string, now: number): PersonRow {
    const hasRow = r.id !== null && r.id !== undefined;
    return {
      id,
      hasRow,
      dealerId: (r.dealer_id as string) ?? null,
      householdId: (r.household_id as string) ?? null,
      mergedInto: (r.merged_into as string) ?? null,
      createdAt: hasRow ? Number(r.created_at) : now,
      version: hasRow ? Number(r.version) : 0,
      contactsVersion: hasRow ? Number(r.contacts_version) : 0,
      doc: parse<Profile>(r.doc),
      contacts: parse(r.contacts),
      personIds: Number(r.person_ids ?? 0),
      known: Boolean(Number(r.known ?? 0)),
    };
  }

  /**
   * The ingestion read: every stored identifier among `values` with the person it belongs to (row, versions,
   * and how many person identifiers they have), in one statement.
   */
  async resolveIdentities(
    tenantId: string,
    values: readonly string[],
    now: number,
  ): Promise<{ kind: IdentityRow["kind"]; value: string; person: PersonRow }[]> {
    if (!values.length) return [];
    const rows = await this.d.db.all<Record<string, unknown>>(sql`
      select i.kind as kind, i.value as value, i.person_id as person_id, ${this.personColumns},
        ${this.personFacts(sql`i.person_id`)}
      from (select ${tenantId} as t_id) t
      join identities i on i.tenant_id = t.t_id and i.value in (select value from json_each(${JSON.stringify(values)}))
      left join profiles p on p.tenant_id = t.t_id and p.id = i.person_id`);
    return rows.map((r) => ({
      kind: r.kind as IdentityRow["kind"],
      value: String(r.value),
      person: this.toPerson(r, String(r.person_id), now),
    }));
  }

  /** People by id, as `resolveIdentities` reads them. */
  async peopleByIds(tenantId: string, ids: readonly string[], now: number): Promise<PersonRow[]> {
    if (!ids.length) return [];
    const rows = await this.d.db.all<Record<string, unknown>>(sql`
      select ${this.personColumns}, ${this.personFacts(sql`p.id`)}
      from (select ${tenantId} as t_id) t
      join profiles p on p.tenant_id = t.t_id and p.id in (select value from json_each(${JSON.stringify(ids)}))`);
    return rows.map((r) => this.toPerson(r, String(r.id), now));
  }

  /** Households named by reference or id, each with its live members' documents, in one statement. */
  /** The dealers of the live members of the households with these refs (ownership of a `householdRef`). */
  async householdDealers(tenantId: string, refs: readonly string[]): Promise<Map<string, (string | null)[]>> {
    const out = new Map<string, (string | null)[]>();
    if (!refs.length) return out;
    const rows = await this.d.db.all<{ ref: string; dealer_id: string | null }>(sql`
      select h.ref as ref, p.dealer_id as dealer_id
      from households h
      join profiles p on p.tenant_id = h.tenant_id and p.household_id = h.id and p.merged_into is null
      where h.tenant_id = ${tenantId} and h.ref in (select value from json_each(${JSON.stringify(refs)}))`);
    for (const r of rows) out.set(r.ref, [...(out.get(r.ref) ?? []), r.dealer_id ?? null]);
    return out;
  }

  async householdsWithMembers(
    tenantId: string,
    refs: readonly string[],
    ids: readonly string[],
  ): Promise<HouseholdState[]> {
    if (!refs.length && !ids.length) return [];
    const rows = await this.d.db.all<Record<string, unknown>>(sql`
      select h.id as id, h.ref as ref, h.version as version, p.id as member_id, p.doc as member_doc
      from households h
      left join profiles p on p.tenant_id = h.tenant_id and p.household_id = h.id and p.merged_into is null
      where +h.tenant_id = ${tenantId}
        and h.id in (
          select id from households where tenant_id = ${tenantId}
            and ref in (select value from json_each(${JSON.stringify(refs)}))
          union select value from json_each(${JSON.stringify(ids)}))`);
    const out = new Map<string, HouseholdState>();
    for (const r of rows) {
      const id = String(r.id);
      const h = out.get(id) ?? { id, ref: String(r.ref), version: Number(r.version), members: new Map() };
      const doc = parse<Profile>(r.member_doc);
      if (r.member_id && doc) h.members.set(String(r.member_id), doc);
      out.set(id, h);
    }
    return [...out.values()];
  }

  async identitiesOf(tenantId: string, personIds: readonly string[]): Promise<IdentityRow[]> {
    return this.inChunks(personIds, 1, (part) =>
      this.d.db
        .select()
        .from(identities)
        .where(and(eq(identities.tenantId, tenantId), inArray(identities.personId, part))),
    );
  }

  async profilesByIds(tenantId: string, ids: readonly string[]): Promise<ProfileRow[]> {
    return this.inChunks(ids, 1, (part) =>
      this.d.db
        .select()
        .from(profiles)
        .where(and(eq(profiles.tenantId, tenantId), inArray(profiles.id, part))),
    );
  }

  /**
   * The uplift report's population: every live person in scope created before `to`, with their household, and
   * which of them had an event of `types` in [from, to) — one query over the tenant's people (a report, not a
   * decision); each person's conversions found through the (tenant, person, time) index, as no index leads with
   * the event type (issue 11: the write path no longer maintains one for every event).
   */
  async conversionPopulation(scope: Scope, types: readonly string[], from: number, to: number) {
    const rows = await this.d.db.all<{ id: string; household_id: string | null; converted: number }>(sql`
      select p.id as id, p.household_id as household_id,
        exists (select 1 from events e
          where e.tenant_id = p.tenant_id and e.person_id = p.id and e.occurred_at >= ${from} and e.occurred_at < ${to}
            and e.status = 'stored' and e.type in (select value from json_each(${JSON.stringify(types)}))) as converted
      from profiles p
      where p.tenant_id = ${scope.tenantId} and p.merged_into is null and p.created_at < ${to}
        ${scope.dealerId ? sql`and p.dealer_id = ${scope.dealerId}` : sql``}`);
    return {
      people: rows.map((r) => ({ id: r.id, householdId: r.household_id ?? null })),
      converted: new Set(rows.filter((r) => Number(r.converted)).map((r) => r.id)),
    };
  }

  /** Stored events of these people, oldest first. */
  async eventsOf(tenantId: string, personIds: readonly string[]): Promise<EventRow[]> {
    return this.inChunks(personIds, 1, (part) =>
      this.d.db
        .select()
        .from(events)
        .where(and(eq(events.tenantId, tenantId), inArray(events.personId, part), eq(events.status, "stored")))
        .orderBy(asc(events.occurredAt), asc(events.id)),
    );
  }

  async mergesOf(tenantId: string, personId: string): Promise<MergeRow[]> {
    return this.d.db
      .select()
      .from(merges)
      .where(and(eq(merges.tenantId, tenantId), or(eq(merges.survivorId, personId), eq(merges.absorbedId, personId))));
  }

  async merge(tenantId: string, id: string): Promise<MergeRow | undefined> {
    return this.d.db
      .select()
      .from(merges)
      .where(and(eq(merges.tenantId, tenantId), eq(merges.id, id)))
      .get();
  }

  /**
   * The decision read: identity -> live profile (+ its household) in one indexed query. A dealer-bound
   * scope sees only profiles of its dealer.
   */
  async byIdentity(
    scope: Scope,
    kind: IdentityRow["kind"],
    value: string,
  ): Promise<{ profile: ProfileRow; household: HouseholdRow | null } | undefined> {
    // Fixed SQL, kept prepared by the driver: the lookup route's one read.
    const rows = await this.d.query<Record<string, unknown>>(
      scope.dealerId ? BY_IDENTITY_DEALER : BY_IDENTITY,
      scope.dealerId ? [scope.tenantId, value, kind, scope.dealerId] : [scope.tenantId, value, kind],
    );
    const r = rows[0];
    if (!r) return undefined;
    const json = <T>(v: unknown): T | null => (typeof v === "string" ? (JSON.parse(v) as T) : ((v as T) ?? null));
    const profile: ProfileRow = {
      id: String(r.id),
      tenantId: String(r.tenant_id),
      dealerId: (r.dealer_id as string | null) ?? null,
      householdId: (r.household_id as string | null) ?? null,
      mergedInto: null,
      doc: json(r.doc),
      contacts: json(r.contacts),
      version: Number(r.version),
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
      contactsVersion: Number(r.contacts_version),
    };
    const household: HouseholdRow | null =
      r.h_id === null || r.h_id === undefined
        ? null
        : {
            id: String(r.h_id),
            tenantId: String(r.tenant_id),
            ref: String(r.h_ref),
            doc: json(r.h_doc)!,
            contacts: json(r.h_contacts),
            updatedAt: Number(r.h_updated_at),
            version: Number(r.h_version),
            contactsVersion: Number(r.h_contacts_version),
          };
    return { profile, household };
  }

  /** A live profile by id, in scope. */
  async byId(scope: Scope, id: string): Promise<{ profile: ProfileRow; household: HouseholdRow | null } | undefined> {
    const rows = await this.d.db
      .select({ profile: profiles, household: households })
      .from(profiles)
      .leftJoin(households, and(eq(households.id, profiles.householdId), eq(households.tenantId, profiles.tenantId)))
      .where(
        and(
          eq(profiles.tenantId, scope.tenantId),
          eq(profiles.id, id),
          isNull(profiles.mergedInto),
          scope.dealerId ? eq(profiles.dealerId, scope.dealerId) : undefined,
        ),
      )
      .limit(1);
    return rows[0];
  }

  /** Person ids merged (transitively) into `personId`, with their versions, so erasure reaches them too. */
  async absorbedInto(tenantId: string, personId: string): Promise<{ id: string; version: number }[]> {
    const out: { id: string; version: number }[] = [];
    let frontier = [personId];
    while (frontier.length) {
      const rows = await this.d.db
        .select({ id: profiles.id, version: profiles.version })
        .from(profiles)
        .where(and(eq(profiles.tenantId, tenantId), inArray(profiles.mergedInto, frontier)));
      const fresh = rows.filter((r) => !out.some((o) => o.id === r.id));
      out.push(...fresh);
      frontier = fresh.map((r) => r.id);
    }
    return out;
  }

  async vinDecodes(patterns: readonly string[]): Promise<Map<string, unknown>> {
    const rows = await this.inChunks(patterns, 1, (part) =>
      this.d.db.select().from(vinDecodes).where(inArray(vinDecodes.pattern, part)),
    );
    return new Map(rows.map((r) => [r.pattern, r.data]));
  }

  async putVinDecodes(rows: { pattern: string; data: unknown }[], now: number): Promise<void> {
    if (!rows.length) return;
    await this.d.batch(
      chunk(rows, 3, this.d.maxParams).map((part) =>
        this.d.db
          .insert(vinDecodes)
          .values(part.map((r) => ({ ...r, decodedAt: now })))
          .onConflictDoNothing(),
      ) as unknown as Batchable[],
    );
  }

  // ---- guarded statements for a service's batch ----

  /** Inserts events that must all be new (a concurrent batch storing one of them aborts this one). */
  insertEvents(
    tenantId: string,
    rows: {
      id: string;
      type: string;
      personId: string;
      originPersonId: string;
      occurredAt: number;
      receivedAt: number;
      dealerId: string | null;
      payload: unknown;
    }[],
  ): Batchable[] {
    return jsonChunks(rows).flatMap(({ json, n }) => [
      this.run(sql`insert into events (tenant_id, id, type, status, person_id, origin_person_id, occurred_at,
          received_at, dealer_id, payload)
        select ${tenantId}, json_extract(value, '$.id'), json_extract(value, '$.type'), 'stored',
          json_extract(value, '$.personId'), json_extract(value, '$.originPersonId'),
          json_extract(value, '$.occurredAt'), json_extract(value, '$.receivedAt'), json_extract(value, '$.dealerId'),
          json_extract(value, '$.payload')
        from json_each(${json}) where true
        on conflict do nothing`),
      expectChanged(this.d.db, "event already stored", n),
    ]);
  }

  /** Claims identifiers nobody had: a concurrent claim of one of them aborts the batch. */
  claimIdentities(
    tenantId: string,
    rows: { kind: string; value: string; personId: string }[],
    now: number,
  ): Batchable[] {
    return jsonChunks(rows).flatMap(({ json, n }) => [
      this.run(sql`insert into identities (tenant_id, value, kind, person_id, created_at)
        select ${tenantId}, json_extract(value, '$.value'), json_extract(value, '$.kind'),
          json_extract(value, '$.personId'), ${now}
        from json_each(${json}) where true
        on conflict do nothing`),
      expectChanged(this.d.db, "identifier claimed concurrently", n),
    ]);
  }

  /** Moves one identifier from `from` to `to`, only if it still belongs to `from`. */
  moveIdentity(tenantId: string, ident: { kind: string; value: string }, from: string, to: string): Batchable[] {
    return [
      this.d.db
        .update(identities)
        .set({ personId: to })
        .where(
          and(
            eq(identities.tenantId, tenantId),
            eq(identities.value, ident.value),
            eq(identities.kind, ident.kind as IdentityRow["kind"]),
            eq(identities.personId, from),
          ),
        ),
      expectChanged(this.d.db, "identifier moved concurrently", 1),
    ];
  }

  /** A merge: recorded, and the absorbed person's events and identifiers moved to the survivor. */
  mergeStatements(row: typeof merges.$inferInsert): Batchable[] {
    const { tenantId, absorbedId, survivorId } = row;
    return [
      this.d.db.insert(merges).values(row),
      this.d.db
        .update(events)
        .set({ personId: survivorId })
        .where(and(eq(events.tenantId, tenantId), eq(events.personId, absorbedId))),
      this.d.db
        .update(identities)
        .set({ personId: survivorId })
        .where(and(eq(identities.tenantId, tenantId), eq(identities.personId, absorbedId))),
    ];
  }

  /** Inserts new people (and new absorbed records); a row that exists already aborts the batch. */
  insertProfiles(
    tenantId: string,
    rows: {
      id: string;
      dealerId: string | null;
      householdId: string | null;
      mergedInto: string | null;
      doc: Profile | null;
      contacts: unknown;
      createdAt: number;
    }[],
    now: number,
  ): Batchable[] {
    const payload = rows.map((r) => ({ ...r, doc: r.doc ?? null, contacts: r.contacts || null }));
    return jsonChunks(payload).flatMap(({ json, n }) => [
      this.run(sql`insert into profiles (id, tenant_id, dealer_id, household_id, merged_into, doc, contacts, version,
          contacts_version, created_at, updated_at)
        select json_extract(value, '$.id'), ${tenantId}, json_extract(value, '$.dealerId'),
          json_extract(value, '$.householdId'), json_extract(value, '$.mergedInto'), json_extract(value, '$.doc'),
          json_extract(value, '$.contacts'), 1, 0, json_extract(value, '$.createdAt'), ${now}
        from json_each(${json}) where true
        on conflict do nothing`),
      expectChanged(this.d.db, "person created concurrently", n),
    ]);
  }

  /**
   * Writes live people's documents, each only if its row is still at the version read (and live again: an
   * unmerge revives a merged-away record this way). A row that moved or vanished (erased) aborts the batch.
   */
  updateProfiles(
    tenantId: string,
    rows: { id: string; version: number; doc: Profile; dealerId: string | null; householdId: string | null }[],
    now: number,
  ): Batchable[] {
    // `+tenant_id`: not an index term, so SQLite joins json_each's rows to the table by primary key instead of
    // walking the tenant's whole index for each batch (which grew with the brand: tests/node/query-plans.test.ts).
    return jsonChunks(rows).flatMap(({ json, n }) => [
      this.run(sql`update profiles set doc = j.doc, dealer_id = j.dealer_id, household_id = j.household_id,
          merged_into = null, updated_at = ${now}, version = profiles.version + 1
        from (select json_extract(value, '$.id') as id, json_extract(value, '$.version') as v,
            json_extract(value, '$.doc') as doc, json_extract(value, '$.dealerId') as dealer_id,
            json_extract(value, '$.householdId') as household_id
          from json_each(${json})) as j
        where +profiles.tenant_id = ${tenantId} and profiles.id = j.id and profiles.version = j.v`),
      expectChanged(this.d.db, "profile changed concurrently", n),
    ]);
  }

  /** Bumps versions of people this batch changes without rewriting them (a VIN moved away from them). */
  touchProfiles(tenantId: string, rows: { id: string; version: number }[], now: number): Batchable[] {
    return jsonChunks(rows).flatMap(({ json, n }) => [
      this.run(sql`update profiles set version = profiles.version + 1, updated_at = ${now}
        from (select json_extract(value, '$.id') as id, json_extract(value, '$.version') as v
          from json_each(${json})) as j
        where +profiles.tenant_id = ${tenantId} and profiles.id = j.id and profiles.version = j.v`),
      expectChanged(this.d.db, "profile changed concurrently", n),
    ]);
  }

  /** Marks a stored person as merged into `survivorId`; late contact writes to it then fail too. */
  absorbProfile(tenantId: string, id: string, version: number, survivorId: string, now: number): Batchable[] {
    return [
      this.run(sql`update profiles set merged_into = ${survivorId}, doc = null, dealer_id = null, household_id = null,
          version = version + 1, contacts_version = contacts_version + 1, updated_at = ${now}
        where tenant_id = ${tenantId} and id = ${id} and version = ${version}`),
      expectChanged(this.d.db, "merged person changed concurrently", 1),
    ];
  }

  /** Replaces a person's contact log if it is still at the version read. */
  setContacts(tenantId: string, id: string, contactsVersion: number, contacts: unknown): Batchable[] {
    return [
      this.run(sql`update profiles set contacts = ${contacts === null ? null : JSON.stringify(contacts)},
          contacts_version = contacts_version + 1
        where tenant_id = ${tenantId} and id = ${id} and contacts_version = ${contactsVersion}`),
      expectChanged(this.d.db, "contacts changed concurrently", 1),
    ];
  }

  /** Writes household documents: new ones (a concurrent creation of the same reference aborts) and stored ones
   * at the version read. */
  saveHouseholds(
    tenantId: string,
    rows: { id: string; ref: string; version: number | null; doc: HouseholdDoc }[],
    now: number,
  ): Batchable[] {
    const fresh = rows.filter((r) => r.version === null);
    const stored = rows.filter((r) => r.version !== null);
    return [
      ...jsonChunks(fresh).flatMap(({ json, n }) => [
        this.run(sql`insert into households (id, tenant_id, ref, doc, updated_at, version, contacts_version)
          select json_extract(value, '$.id'), ${tenantId}, json_extract(value, '$.ref'), json_extract(value, '$.doc'),
            ${now}, 1, 0
          from json_each(${json}) where true
          on conflict do nothing`),
        expectChanged(this.d.db, "household created concurrently", n),
      ]),
      ...jsonChunks(stored).flatMap(({ json, n }) => [
        this.run(sql`update households set doc = j.doc, updated_at = ${now}, version = households.version + 1
          from (select json_extract(value, '$.id') as id, json_extract(value, '$.version') as v,
              json_extract(value, '$.doc') as doc
            from json_each(${json})) as j
          where +households.tenant_id = ${tenantId} and households.id = j.id and households.version = j.v`),
        expectChanged(this.d.db, "household changed concurrently", n),
      ]),
    ];
  }

  /** Deletes a household no one lives in any more, if it is still at the version read. */
  deleteHousehold(tenantId: string, id: string, version: number): Batchable[] {
    return [
      this.d.db
        .delete(households)
        .where(and(eq(households.tenantId, tenantId), eq(households.id, id), eq(households.version, version))),
      expectChanged(this.d.db, "household changed concurrently", 1),
    ];
  }

  // ---- unmerge ----

  /** Gives the listed identifiers back to `toPerson` where they still point at `fromPerson`. */
  reassignIdentities(
    tenantId: string,
    moved: { kind: string; value: string }[],
    toPerson: string,
    fromPerson: string,
  ): Batchable {
    const values = moved.map((m) => m.value);
    return this.d.db
      .update(identities)
      .set({ personId: toPerson })
      .where(
        and(
          eq(identities.tenantId, tenantId),
          eq(identities.personId, fromPerson),
          inArray(identities.value, values.length ? values : [""]),
        ),
      );
  }

  moveEventsByOrigin(tenantId: string, origin: string, toPerson: string): Batchable {
    return this.d.db
      .update(events)
      .set({ personId: toPerson })
      .where(and(eq(events.tenantId, tenantId), eq(events.originPersonId, origin), eq(events.status, "stored")));
  }

  /** Marks a merge undone, only once (a concurrent unmerge of the same merge aborts this one). */
  markMergeUndone(tenantId: string, id: string, now: number): Batchable[] {
    return [
      this.d.db
        .update(merges)
        .set({ undoneAt: now })
        .where(and(eq(merges.tenantId, tenantId), eq(merges.id, id), isNull(merges.undoneAt))),
      expectChanged(this.d.db, "merge undone concurrently", 1),
    ];
  }

  // ---- erasure ----

  /**
   * Statements that remove people from every table — only if each is still at the version read, so a merge or
   * an event that lands meanwhile makes the erasure start again rather than miss it — leaving event tombstones,
   * an erasure record, and no Idempotency-Key response that names them.
   */
  eraseStatements(
    tenantId: string,
    people: readonly { id: string; version: number }[],
    erasureId: string,
    eventsScrubbed: number,
    now: number,
  ): Batchable[] {
    const ids = people.map((p) => p.id);
    const idsJson = JSON.stringify(ids);
    return [
      this.run(sql`delete from profiles where tenant_id = ${tenantId} and exists (
          select 1 from json_each(${JSON.stringify(people)}) j
          where json_extract(j.value, '$.id') = profiles.id and json_extract(j.value, '$.version') = profiles.version)`),
      expectChanged(this.d.db, "erased person changed concurrently", people.length),
      this.d.db
        .update(events)
        .set({ status: "erased", personId: null, originPersonId: null, dealerId: null, payload: null, type: "erased" })
        .where(
          and(eq(events.tenantId, tenantId), or(inArray(events.personId, ids), inArray(events.originPersonId, ids))),
        ),
      this.d.db.delete(identities).where(and(eq(identities.tenantId, tenantId), inArray(identities.personId, ids))),
      this.d.db
        .delete(merges)
        .where(
          and(eq(merges.tenantId, tenantId), or(inArray(merges.survivorId, ids), inArray(merges.absorbedId, ids))),
        ),
      this.run(sql`delete from idempotency_keys where tenant_id = ${tenantId} and key in (
          select key from idempotency_people where tenant_id = ${tenantId}
            and person_id in (select value from json_each(${idsJson})))`),
      this.run(sql`delete from idempotency_people where tenant_id = ${tenantId}
          and person_id in (select value from json_each(${idsJson}))`),
      this.d.db.insert(erasures).values({ id: erasureId, tenantId, erasedAt: now, eventsScrubbed }),
    ];
  }

  /** The Idempotency-Key record of a request and the people its response names, with a guard: a concurrent
   * request with the same key aborts this batch (it then replays the other's response). */
  idempotencyStatements(row: typeof idempotencyKeys.$inferInsert, personIds: readonly string[]): Batchable[] {
    return [
      this.d.db.insert(idempotencyKeys).values(row).onConflictDoNothing(),
      expectChanged(this.d.db, "idempotency key used concurrently", 1),
      ...chunk([...new Set(personIds)], 3, this.d.maxParams).map((part) =>
        this.d.db
          .insert(idempotencyPeople)
          .values(part.map((personId) => ({ tenantId: row.tenantId, personId, key: row.key })))
          .onConflictDoNothing(),
      ),
    ];
  }
}
