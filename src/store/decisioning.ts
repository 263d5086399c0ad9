/** Catalogue, learner statistics, decision log and outcomes. */
import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import type { HouseholdDoc, Profile } from "../domain/profile/types";
import { readTenantSettings, type TenantSettings } from "../domain/tenant-settings";
import type { Scope } from "./scope";
import { chunk, type Batchable, type Database } from "./db";
import { actions, catalogVersions, decisions, households, learnerStats, outcomes, profiles } from "./schema";

export type ActionRow = typeof actions.$inferSelect;
export type DecisionRow = typeof decisions.$inferSelect;
export type StatsRow = typeof learnerStats.$inferSelect;

export interface DecisionRead {
  catalogVersion: number;
  /** The brand's settings (its marketing-consent default), read in the same query. */
  settings: TenantSettings;
  person: {
    id: string;
    dealerId: string | null;
    householdId: string | null;
    doc: Profile;
    contacts: unknown;
    household: HouseholdDoc | null;
    householdContacts: unknown;
  } | null;
}

const parse = <T>(v: unknown): T | null => (typeof v === "string" ? (JSON.parse(v) as T) : ((v as T) ?? null));

export class DecisioningRepo {
  constructor(private readonly d: Database) {}

  /**
   * The decision's one read: the catalogue version, and the person behind an identifier (live, in scope)
   * with their household, in one indexed query. Always one row; `person` is null for an unknown subject.
   */
  async decisionRead(scope: Scope, kind: string, value: string): Promise<DecisionRead> {
    const dealer = scope.dealerId ? sql` and p.dealer_id = ${scope.dealerId}` : sql``;
    const rows = await this.d.db.all<Record<string, unknown>>(sql`
      select cv.version as catalog_version, tn.settings as settings, p.id as id, p.dealer_id as dealer_id, p.household_id as household_id,
             p.doc as doc, p.contacts as contacts, h.doc as hdoc, h.contacts as hcontacts
      from (select ${scope.tenantId} as tenant_id) t
      left join catalog_versions cv on cv.tenant_id = t.tenant_id
      left join tenants tn on tn.id = t.tenant_id
      left join identities i on i.tenant_id = t.tenant_id and i.value = ${value} and i.kind = ${kind}
      left join profiles p on p.id = i.person_id and p.tenant_id = t.tenant_id and p.merged_into is null${dealer}
      left join households h on h.id = p.household_id and h.tenant_id = t.tenant_id
      limit 1`);
    const r = rows[0] ?? {};
    const doc = parse<Profile>(r.doc);
    return {
      catalogVersion: Number(r.catalog_version ?? 0),
      settings: readTenantSettings(r.settings),
      person:
        r.id && doc
          ? {
              id: String(r.id),
              dealerId: (r.dealer_id as string) ?? null,
              householdId: (r.household_id as string) ?? null,
              doc,
              contacts: parse(r.contacts),
              household: parse<HouseholdDoc>(r.hdoc),
              householdContacts: parse(r.hcontacts),
            }
          : null,
    };
  }

  /** Writes a person's (and household's) contact logs after a decision or an outcome. */
  saveContacts(
    tenantId: string,
    personId: string,
    contacts: unknown,
    household: { id: string; contacts: unknown } | null,
  ): Batchable[] {
    return [
      this.d.db
        .update(profiles)
        .set({ contacts })
        .where(and(eq(profiles.tenantId, tenantId), eq(profiles.id, personId))),
      ...(household
        ? [
            this.d.db
              .update(households)
              .set({ contacts: household.contacts })
              .where(and(eq(households.tenantId, tenantId), eq(households.id, household.id))),
          ]
        : []),
    ];
  }

  async catalogVersion(tenantId: string): Promise<number> {
    const row = await this.d.db
      .select({ v: catalogVersions.version })
      .from(catalogVersions)
      .where(eq(catalogVersions.tenantId, tenantId))
      .get();
    return row?.v ?? 0;
  }

  /** The catalogue and its version, read together. */
  async catalog(tenantId: string): Promise<{ version: number; rows: ActionRow[] }> {
    const [rows, version] = await Promise.all([
      this.d.db.select().from(actions).where(eq(actions.tenantId, tenantId)).orderBy(actions.id),
      this.catalogVersion(tenantId),
    ]);
    return { version, rows };
  }

  async action(tenantId: string, id: string): Promise<ActionRow | undefined> {
    return this.d.db
      .select()
      .from(actions)
      .where(and(eq(actions.tenantId, tenantId), eq(actions.id, id)))
      .get();
  }

  /** Upserts an action and bumps the catalogue version, atomically (with `extra`, e.g. its audit entry). */
  async putAction(row: ActionRow, extra: Batchable[] = []): Promise<number> {
    await this.d.batch([
      this.d.db
        .insert(actions)
        .values(row)
        .onConflictDoUpdate({
          target: [actions.tenantId, actions.id],
          set: { doc: row.doc, dealerId: row.dealerId, updatedAt: row.updatedAt },
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
    return chunk(deltas, 5, this.d.maxParams).map((part) =>
      this.d.db
        .insert(learnerStats)
        .values(part.map((d) => ({ tenantId, ...d, updatedAt: now })))
        .onConflictDoUpdate({
          target: [learnerStats.tenantId, learnerStats.key],
          set: {
            shows: sql`${learnerStats.shows} + excluded.shows`,
            successes: sql`${learnerStats.successes} + excluded.successes`,
            updatedAt: sql`excluded.updated_at`,
          },
        }),
    );
  }

  logDecision(row: DecisionRow): Batchable {
    return this.d.db.insert(decisions).values(row).onConflictDoNothing();
  }

  async decision(tenantId: string, id: string): Promise<DecisionRow | undefined> {
    return this.d.db
      .select()
      .from(decisions)
      .where(and(eq(decisions.tenantId, tenantId), eq(decisions.id, id)))
      .get();
  }

  /** The latest decision that showed `actionId` to the person since `since`. */
  async latestShowing(
    tenantId: string,
    personId: string,
    actionId: string,
    since: number,
  ): Promise<DecisionRow | undefined> {
    const rows = await this.d.db
      .select()
      .from(decisions)
      .where(and(eq(decisions.tenantId, tenantId), eq(decisions.personId, personId), gte(decisions.createdAt, since)))
      .orderBy(desc(decisions.createdAt))
      .limit(200);
    return rows.find((r) => r.shown.some((s) => s.actionId === actionId));
  }

  /** Records an outcome once; true when it was new. */
  async recordOutcome(row: typeof outcomes.$inferInsert, extra: Batchable[]): Promise<boolean> {
    const [res] = await this.d.batch([this.d.db.insert(outcomes).values(row).onConflictDoNothing(), ...extra]);
    return this.d.changes(res) > 0;
  }

  async outcomesOf(tenantId: string, decisionId: string) {
    return this.d.db
      .select()
      .from(outcomes)
      .where(and(eq(outcomes.tenantId, tenantId), eq(outcomes.decisionId, decisionId)));
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
