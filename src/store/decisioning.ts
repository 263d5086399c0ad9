/** Catalogue, learner statistics, decision log and outcomes. */
import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import type { HouseholdDoc, Profile } from "../domain/profile/types";
import { readTenantSettings, type TenantSettings } from "../domain/tenant-settings";
import type { Scope } from "./scope";
import { expectChanged } from "./conflicts";
import { raw, type Batchable, type Database } from "./db";
import { actions, catalogVersions, decisions, learnerStats, outcomes } from "./schema";

export type ActionRow = typeof actions.$inferSelect;
/** An action to store: `checkedWith` is the VALIDATOR_VERSION it passed just now (omitted: checked again on load). */
export type ActionPut = Omit<ActionRow, "checkedWith"> & { checkedWith?: string | null };
export type DecisionRow = typeof decisions.$inferSelect;
export type StatsRow = typeof learnerStats.$inferSelect;

export interface DecisionRead {
  catalogVersion: number;
  /** The brand's settings (its marketing-consent default), read in the same query. */
  settings: TenantSettings;
  /** The tenant's secret (sealed decision ids, visitor tokens); null for a tenant created before it existed. */
  secret: string | null;
  person: {
    id: string;
    dealerId: string | null;
    householdId: string | null;
    doc: Profile;
    contacts: unknown;
    /** Version of `contacts`: the decision writes its contact conditionally on it. */
    contactsVersion: number;
    household: HouseholdDoc | null;
    householdContacts: unknown;
    householdContactsVersion: number;
  } | null;
}

/** What the outcome path reads before writing: whether it is a retry, and the person's contact log. */
export interface OutcomeState {
  recorded: boolean;
  person: { contacts: unknown; contactsVersion: number } | null;
}

// The decision path's writes as fixed SQL (kept prepared): the contact, the log row, the learner's shows.
const SET_CONTACTS = `update profiles set contacts = ?1, contacts_version = contacts_version + 1
  where tenant_id = ?2 and id = ?3 and contacts_version = ?4 and merged_into is null`;
const SET_HOUSEHOLD_CONTACTS = `update households set contacts = ?1, contacts_version = contacts_version + 1
  where tenant_id = ?2 and id = ?3 and contacts_version = ?4`;
/** expectChanged (conflicts.ts) as fixed SQL. */
const EXPECT_CHANGED = "insert into write_conflicts (what) select ?1 where changes() < ?2";
/** A decision is logged about a person only while that person exists, so a log never outlives an erasure. */
const LOG_DECISION = `insert into decisions (tenant_id, id, person_id, key_id, channel, placement, segment,
    catalog_version, degraded, shown, created_at, candidates)
  select ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12
  where ?3 is null or exists (select 1 from profiles where tenant_id = ?1 and id = ?3)
  on conflict do nothing`;
/** Adds [key, shows, successes] triples to learner arms. */
const STATS_DELTA = `insert into learner_stats (tenant_id, key, shows, successes, updated_at)
  select ?1, value ->> 0, value ->> 1, value ->> 2, ?3 from json_each(?2) where true
  on conflict (tenant_id, key) do update set shows = shows + excluded.shows,
    successes = successes + excluded.successes, updated_at = excluded.updated_at`;

/**
 * The decision's one read (see decisionRead): by an identifier (`?2` its value, `?3` its kind) or by a person id
 * (`?2`, straight from profiles: no identity join); a last parameter narrows it to a dealer-bound key's dealer.
 */
const decisionReadSql = (dealer: boolean, byPerson = false) => `
      select cv.version as catalog_version, tn.settings as settings, tn.secret as secret, p.id as id,
             p.dealer_id as dealer_id, p.household_id as household_id, p.doc as doc, p.contacts as contacts,
             p.contacts_version as contacts_version, h.doc as hdoc, h.contacts as hcontacts,
             h.contacts_version as hcontacts_version
      from (select ?1 as tenant_id) t
      left join tenants tn on tn.id = t.tenant_id
      left join catalog_versions cv on cv.tenant_id = t.tenant_id
      ${byPerson ? "" : "left join identities i on i.tenant_id = t.tenant_id and i.value = ?2 and i.kind = ?3"}
      left join profiles p on p.id = ${byPerson ? "?2" : "i.person_id"} and p.tenant_id = t.tenant_id and p.merged_into is null${dealer ? ` and p.dealer_id = ?${byPerson ? 3 : 4}` : ""}
      left join households h on h.id = p.household_id and h.tenant_id = t.tenant_id
      limit 1`;
const DECISION_READ = decisionReadSql(false);
const DECISION_READ_DEALER = decisionReadSql(true);
const PERSON_READ = decisionReadSql(false, true);
const PERSON_READ_DEALER = decisionReadSql(true, true);

const parse = <T>(v: unknown): T | null => (typeof v === "string" ? (JSON.parse(v) as T) : ((v as T) ?? null));

export class DecisioningRepo {
  constructor(private readonly d: Database) {}

  private run(q: ReturnType<typeof sql>): Batchable {
    return this.d.db.run(q) as unknown as Batchable;
  }

  /**
   * The decision's one read: the catalogue version, the tenant's secret, and the person behind an identifier
   * (live, in scope) with their household and contact-log versions, in one indexed query. Always one row;
   * `person` is null for an unknown subject. Kind `person` names a profile id (the reminder job).
   */
  async decisionRead(scope: Scope, kind: string, value: string): Promise<DecisionRead> {
    // Fixed SQL, kept prepared by the driver (no query builder on the decision path).
    const dealer = scope.dealerId ? [scope.dealerId] : [];
    const rows =
      kind === "person"
        ? await this.d.query<Record<string, unknown>>(
            scope.dealerId ? PERSON_READ_DEALER : PERSON_READ,
            [scope.tenantId, value, ...dealer],
            { hot: true },
          )
        : await this.d.query<Record<string, unknown>>(
            scope.dealerId ? DECISION_READ_DEALER : DECISION_READ,
            [scope.tenantId, value, kind, ...dealer],
            { hot: true },
          );
    const r = rows[0] ?? {};
    const doc = parse<Profile>(r.doc);
    return {
      catalogVersion: Number(r.catalog_version ?? 0),
      settings: readTenantSettings(r.settings),
      secret: (r.secret as string | null) ?? null,
      person:
        r.id && doc
          ? {
              id: String(r.id),
              dealerId: (r.dealer_id as string) ?? null,
              householdId: (r.household_id as string) ?? null,
              doc,
              contacts: parse(r.contacts),
              contactsVersion: Number(r.contacts_version ?? 0),
              household: parse<HouseholdDoc>(r.hdoc),
              householdContacts: parse(r.hcontacts),
              householdContactsVersion: Number(r.hcontacts_version ?? 0),
            }
          : null,
    };
  }

  /**
   * A decision's contact, before it is answered: the person's (and household's) new contact logs, each only if
   * still at the version the decision read. A concurrent decision or outcome for the same person — or the
   * person's erasure or merge — aborts the batch: the decision reads again and decides again.
   */
  recordContacts(
    tenantId: string,
    person: { id: string; contactsVersion: number; contacts: unknown },
    household: { id: string; contactsVersion: number; contacts: unknown } | null,
  ): Batchable[] {
    return [
      raw(SET_CONTACTS, [JSON.stringify(person.contacts), tenantId, person.id, person.contactsVersion]),
      raw(EXPECT_CHANGED, ["contacts changed concurrently", 1]),
      ...(household
        ? [
            raw(SET_HOUSEHOLD_CONTACTS, [
              JSON.stringify(household.contacts),
              tenantId,
              household.id,
              household.contactsVersion,
            ]),
            raw(EXPECT_CHANGED, ["household contacts changed concurrently", 1]),
          ]
        : []),
    ];
  }

  /** A contact written after the answer (it counts against no cap): conditional on the version, without a guard;
   * the caller reads the change count and tries again with a fresh log when it changed nothing. */
  appendContacts(tenantId: string, personId: string, contactsVersion: number, contacts: unknown): Batchable {
    return raw(SET_CONTACTS, [JSON.stringify(contacts), tenantId, personId, contactsVersion]);
  }

  /** Current contact logs of live people (for a write-behind that lost to a concurrent writer). */
  async contactsOf(tenantId: string, ids: readonly string[]) {
    if (!ids.length) return [];
    return this.d.db.all<{ id: string; contacts: string | null; contacts_version: number }>(sql`
      select id, contacts, contacts_version from profiles
      where tenant_id = ${tenantId} and merged_into is null
        and id in (select value from json_each(${JSON.stringify(ids)}))`);
  }

  /** The catalogue and its version, read in one statement (rows are never cached under another version). */
  async catalog(tenantId: string): Promise<{ version: number; rows: ActionRow[] }> {
    const rows = await this.d.db.all<Record<string, unknown>>(sql`
      select cv.version as version, a.id as id, a.dealer_id as dealer_id, a.doc as doc, a.updated_at as updated_at,
             a.checked_with as checked_with
      from (select ${tenantId} as tenant_id) t
      left join catalog_versions cv on cv.tenant_id = t.tenant_id
      left join actions a on a.tenant_id = t.tenant_id
      order by a.id`);
    return {
      version: Number(rows[0]?.version ?? 0),
      rows: rows
        .filter((r) => r.id !== null && r.id !== undefined)
        .map((r) => ({
          tenantId,
          id: String(r.id),
          dealerId: (r.dealer_id as string) ?? null,
          doc: parse(r.doc),
          updatedAt: Number(r.updated_at),
          checkedWith: (r.checked_with as string | null) ?? null,
        })),
    };
  }

  async catalogVersion(tenantId: string): Promise<number> {
    const row = await this.d.db
      .select({ v: catalogVersions.version })
      .from(catalogVersions)
      .where(eq(catalogVersions.tenantId, tenantId))
      .get();
    return row?.v ?? 0;
  }

  async action(tenantId: string, id: string): Promise<ActionRow | undefined> {
    return this.d.db
      .select()
      .from(actions)
      .where(and(eq(actions.tenantId, tenantId), eq(actions.id, id)))
      .get();
  }

  /** Upserts an action and bumps the catalogue version, atomically (with `extra`, e.g. its audit entry). */
  async putAction(put: ActionPut, extra: Batchable[] = []): Promise<number> {
    const row: ActionRow = { ...put, checkedWith: put.checkedWith ?? null };
    await this.d.batch([
      this.d.db
        .insert(actions)
        .values(row)
        .onConflictDoUpdate({
          target: [actions.tenantId, actions.id],
          set: { doc: row.doc, dealerId: row.dealerId, updatedAt: row.updatedAt, checkedWith: row.checkedWith },
        }),
      this.bump(row.tenantId, row.updatedAt),
      ...extra,
    ]);
    return this.catalogVersion(row.tenantId);
  }

  async deleteAction(tenantId: string, id: string, now: number, extra: Batchable[] = []): Promise<boolean> {
    const [res] = await this.d.batch([
      this.d.db.delete(actions).where(and(eq(actions.tenantId, tenantId), eq(actions.id, id))),
      this.bump(tenantId, now),
      ...extra,
    ]);
    return this.d.changes(res) > 0;
  }

  private bump(tenantId: string, now: number): Batchable {
    return this.d.db
      .insert(catalogVersions)
      .values({ tenantId, version: 1, updatedAt: now })
      .onConflictDoUpdate({
        target: catalogVersions.tenantId,
        set: { version: sql`${catalogVersions.version} + 1`, updatedAt: now },
      });
  }

  async stats(tenantId: string): Promise<StatsRow[]> {
    return this.d.db.select().from(learnerStats).where(eq(learnerStats.tenantId, tenantId));
  }

  /** Adds shows and successes to learner arms, all in one statement per chunk. */
  statsDelta(tenantId: string, deltas: { key: string; shows: number; successes: number }[], now: number): Batchable[] {
    // One JSON parameter for all arms (fixed SQL, kept prepared; D1's 100-parameter limit never applies).
    if (!deltas.length) return [];
    return [raw(STATS_DELTA, [tenantId, JSON.stringify(deltas.map((d) => [d.key, d.shows, d.successes])), now])];
  }

  /** Logs a decision — about a person only while that person exists, so a log never outlives an erasure. */
  logDecision(row: DecisionRow): Batchable {
    return raw(LOG_DECISION, [
      row.tenantId,
      row.id,
      row.personId,
      row.keyId,
      row.channel,
      row.placement,
      row.segment,
      row.catalogVersion,
      row.degraded ? 1 : 0,
      JSON.stringify(row.shown),
      row.createdAt,
      row.candidates ? JSON.stringify(row.candidates) : null,
    ]);
  }

  async decision(tenantId: string, id: string): Promise<DecisionRow | undefined> {
    return this.d.db
      .select()
      .from(decisions)
      .where(and(eq(decisions.tenantId, tenantId), eq(decisions.id, id)))
      .get();
  }

  /** The decisions that showed `actionId` to the person since `since`, newest first (at most 200 read). */
  async showing(tenantId: string, personId: string, actionId: string, since: number): Promise<DecisionRow[]> {
    const rows = await this.d.db
      .select()
      .from(decisions)
      .where(and(eq(decisions.tenantId, tenantId), eq(decisions.personId, personId), gte(decisions.createdAt, since)))
      .orderBy(desc(decisions.createdAt))
      .limit(200);
    return rows.filter((r) => r.shown.some((s) => s.actionId === actionId));
  }

  /** Whether this outcome was recorded already, and the person's contact log, in one statement. */
  async outcomeState(
    tenantId: string,
    decisionId: string,
    actionId: string,
    type: string,
    personId: string | null,
  ): Promise<OutcomeState> {
    const rows = await this.d.db.all<Record<string, unknown>>(sql`
      select exists (select 1 from outcomes o where o.tenant_id = t.tenant_id and o.decision_id = ${decisionId}
               and o.action_id = ${actionId} and o.type = ${type}) as recorded,
             p.id as id, p.contacts as contacts, p.contacts_version as contacts_version
      from (select ${tenantId} as tenant_id) t
      left join profiles p on p.tenant_id = t.tenant_id and p.id = ${personId ?? ""} and p.merged_into is null
      limit 1`);
    const r = rows[0] ?? {};
    return {
      recorded: Boolean(Number(r.recorded ?? 0)),
      person: r.id ? { contacts: parse(r.contacts), contactsVersion: Number(r.contacts_version ?? 0) } : null,
    };
  }

  /**
   * An outcome, once: the insert must insert (a concurrent retry of the same outcome aborts this batch; so does
   * the person's erasure), the learner counts a success only for the first positive outcome of the action in
   * the decision, and the person's contact log changes only if still at the version read.
   */
  outcomeStatements(
    row: typeof outcomes.$inferInsert,
    success: { key: string; positiveTypes: readonly string[] } | null,
    contacts: { personId: string; contactsVersion: number; contacts: unknown } | null,
  ): Batchable[] {
    const exists = row.personId
      ? sql`exists (select 1 from profiles where tenant_id = ${row.tenantId} and id = ${row.personId})`
      : sql`1`;
    const out: Batchable[] = [
      this.run(sql`insert into outcomes (tenant_id, decision_id, action_id, type, person_id, occurred_at, received_at)
        select ${row.tenantId}, ${row.decisionId}, ${row.actionId}, ${row.type}, ${row.personId ?? null},
          ${row.occurredAt}, ${row.receivedAt}
        where ${exists}
        on conflict do nothing`),
      expectChanged(this.d.db, "outcome recorded concurrently", 1),
    ];
    if (success)
      out.push(
        this.run(sql`insert into learner_stats (tenant_id, key, shows, successes, updated_at)
          select ${row.tenantId}, ${success.key}, 0, 1, ${row.receivedAt}
          where not exists (select 1 from outcomes o where o.tenant_id = ${row.tenantId}
            and o.decision_id = ${row.decisionId} and o.action_id = ${row.actionId}
            and o.type in (select value from json_each(${JSON.stringify(success.positiveTypes)}))
            and o.type != ${row.type})
          on conflict (tenant_id, key) do update set successes = successes + 1, updated_at = excluded.updated_at`),
      );
    if (contacts)
      out.push(
        this.run(sql`update profiles set contacts = ${JSON.stringify(contacts.contacts)},
            contacts_version = contacts_version + 1
          where tenant_id = ${row.tenantId} and id = ${contacts.personId}
            and contacts_version = ${contacts.contactsVersion}`),
        expectChanged(this.d.db, "contacts changed concurrently", 1),
      );
    return out;
  }

  /** Retention: deletes up to `limit` decision logs created before `before`; returns how many. */
  async expireDecisions(before: number, limit: number): Promise<number> {
    const [r] = await this.d.batch([
      this.run(sql`delete from decisions where rowid in (
        select rowid from decisions where created_at < ${before} order by created_at limit ${limit})`),
    ]);
    return this.d.changes(r);
  }

  /** Retention: deletes up to `limit` outcomes received before `before`; returns how many. */
  async expireOutcomes(before: number, limit: number): Promise<number> {
    const [r] = await this.d.batch([
      this.run(sql`delete from outcomes where rowid in (
        select rowid from outcomes where received_at < ${before} order by received_at limit ${limit})`),
    ]);
    return this.d.changes(r);
  }

  /**
   * The decision log for off-policy evaluation: decisions since `since` that kept their candidate sets, oldest first,
   * with the actions that had a positive outcome (click, accept, convert) in each.
   */
  async evaluationLog(tenantId: string, since = 0) {
    const rows = await this.d.db
      .select({ id: decisions.id, shown: decisions.shown, candidates: decisions.candidates })
      .from(decisions)
      .where(and(eq(decisions.tenantId, tenantId), gte(decisions.createdAt, since)))
      .orderBy(decisions.createdAt);
    const positive = await this.d.db
      .select({ decisionId: outcomes.decisionId, actionId: outcomes.actionId })
      .from(outcomes)
      .where(and(eq(outcomes.tenantId, tenantId), inArray(outcomes.type, ["click", "accept", "convert"])));
    const won = new Set(positive.map((o) => `${o.decisionId}\u0000${o.actionId}`));
    return rows
      .filter((r) => r.candidates)
      .map((r) => ({
        ...r,
        candidates: r.candidates!,
        positive: (actionId: string) => won.has(`${r.id}\u0000${actionId}`),
      }));
  }

  async decisionsOf(tenantId: string, personIds: string[]) {
    return this.d.db
      .select()
      .from(decisions)
      .where(and(eq(decisions.tenantId, tenantId), inArray(decisions.personId, personIds)));
  }

  /** Erasure: a person's decision log and outcomes. */
  eraseStatements(tenantId: string, personIds: string[]): Batchable[] {
    return [
      this.d.db.delete(outcomes).where(and(eq(outcomes.tenantId, tenantId), inArray(outcomes.personId, personIds))),
      this.d.db.delete(decisions).where(and(eq(decisions.tenantId, tenantId), inArray(decisions.personId, personIds))),
    ];
  }
}
