/**
 * Customer 360 storage: identities, events, profiles, households, merges. Reads take the caller's scope;
 * writes are returned as statements so a service can run them in one atomic batch.
 */
import { and, asc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { HouseholdDoc } from "../domain/profile/types";
import { chunk, type Batchable, type Database } from "./db";
import { erasures, events, households, identities, merges, profiles, vinDecodes } from "./schema";
import type { Scope } from "./scope";

export type ProfileRow = typeof profiles.$inferSelect;
export type EventRow = typeof events.$inferSelect;
export type HouseholdRow = typeof households.$inferSelect;
export type IdentityRow = typeof identities.$inferSelect;
export type MergeRow = typeof merges.$inferSelect;

export class CustomerRepo {
  constructor(private readonly d: Database) {}

  private inChunks<T, R>(values: readonly T[], perValue: number, q: (part: T[]) => Promise<R[]>): Promise<R[]> {
    return Promise.all(chunk(values, perValue, this.d.maxParams - 4).map(q)).then((parts) => parts.flat());
  }

  /** Existing events among `ids`, with their status. */
  async eventStatuses(tenantId: string, ids: readonly string[]): Promise<Map<string, EventRow["status"]>> {
    const rows = await this.inChunks(ids, 1, (part) =>
      this.d.db
        .select({ id: events.id, status: events.status })
        .from(events)
        .where(and(eq(events.tenantId, tenantId), inArray(events.id, part))),
    );
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /** Identity rows for any of these values (the caller filters by kind). */
  async identitiesByValues(tenantId: string, values: readonly string[]): Promise<IdentityRow[]> {
    return this.inChunks(values, 1, (part) =>
      this.d.db
        .select()
        .from(identities)
        .where(and(eq(identities.tenantId, tenantId), inArray(identities.value, part))),
    );
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

  async eventsByOrigin(tenantId: string, personId: string): Promise<EventRow[]> {
    return this.d.db
      .select()
      .from(events)
      .where(and(eq(events.tenantId, tenantId), eq(events.originPersonId, personId), eq(events.status, "stored")));
  }

  async householdsByRefs(tenantId: string, refs: readonly string[]): Promise<HouseholdRow[]> {
    return this.inChunks(refs, 1, (part) =>
      this.d.db
        .select()
        .from(households)
        .where(and(eq(households.tenantId, tenantId), inArray(households.ref, part))),
    );
  }

  async householdsByIds(tenantId: string, ids: readonly string[]): Promise<HouseholdRow[]> {
    return this.inChunks(ids, 1, (part) =>
      this.d.db
        .select()
        .from(households)
        .where(and(eq(households.tenantId, tenantId), inArray(households.id, part))),
    );
  }

  /** Live members of these households. */
  async membersOf(tenantId: string, householdIds: readonly string[]): Promise<ProfileRow[]> {
    return this.inChunks(householdIds, 1, (part) =>
      this.d.db
        .select()
        .from(profiles)
        .where(and(eq(profiles.tenantId, tenantId), inArray(profiles.householdId, part), isNull(profiles.mergedInto))),
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
    const rows = await this.d.db
      .select({ profile: profiles, household: households })
      .from(identities)
      .innerJoin(profiles, and(eq(profiles.id, identities.personId), eq(profiles.tenantId, identities.tenantId)))
      .leftJoin(households, and(eq(households.id, profiles.householdId), eq(households.tenantId, profiles.tenantId)))
      .where(
        and(
          eq(identities.tenantId, scope.tenantId),
          eq(identities.value, value),
          eq(identities.kind, kind),
          isNull(profiles.mergedInto),
          scope.dealerId ? eq(profiles.dealerId, scope.dealerId) : undefined,
        ),
      )
      .limit(1);
    return rows[0];
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

  // ---- statements for a service's batch ----

  insertEvents(rows: (typeof events.$inferInsert)[]): Batchable[] {
    return chunk(rows, 10, this.d.maxParams).map((part) => this.d.db.insert(events).values(part).onConflictDoNothing());
  }

  upsertIdentities(rows: (typeof identities.$inferInsert)[]): Batchable[] {
    return chunk(rows, 5, this.d.maxParams).map((part) =>
      this.d.db
        .insert(identities)
        .values(part)
        .onConflictDoUpdate({
          target: [identities.tenantId, identities.value, identities.kind],
          set: { personId: sql`excluded.person_id` },
        }),
    );
  }

  /**
   * Inserts or replaces profiles, each only if its stored version is still the one it was read at
   * (`expectedVersion`, 0 for new): optimistic concurrency. Fewer changed rows than profiles means a
   * concurrent writer won somewhere; the caller then rebuilds those people from their events.
   */
  saveProfiles(rows: (Omit<ProfileRow, "version" | "contacts"> & { expectedVersion: number })[]): Batchable[] {
    return chunk(rows, 10, this.d.maxParams).map((part) =>
      this.d.db
        .insert(profiles)
        .values(part.map(({ expectedVersion, ...r }) => ({ ...r, version: expectedVersion + 1 })))
        .onConflictDoUpdate({
          target: profiles.id,
          set: {
            doc: sql`excluded.doc`,
            dealerId: sql`excluded.dealer_id`,
            householdId: sql`excluded.household_id`,
            mergedInto: sql`excluded.merged_into`,
            updatedAt: sql`excluded.updated_at`,
            version: sql`excluded.version`,
          },
          setWhere: sql`${profiles.version} = excluded.version - 1 and ${profiles.tenantId} = excluded.tenant_id`,
        }),
    );
  }

  moveEvents(tenantId: string, fromPerson: string, toPerson: string): Batchable {
    return this.d.db
      .update(events)
      .set({ personId: toPerson })
      .where(and(eq(events.tenantId, tenantId), eq(events.personId, fromPerson)));
  }

  moveEventsByOrigin(tenantId: string, origin: string, toPerson: string): Batchable {
    return this.d.db
      .update(events)
      .set({ personId: toPerson })
      .where(and(eq(events.tenantId, tenantId), eq(events.originPersonId, origin), eq(events.status, "stored")));
  }

  moveIdentities(tenantId: string, fromPerson: string, toPerson: string): Batchable {
    return this.d.db
      .update(identities)
      .set({ personId: toPerson })
      .where(and(eq(identities.tenantId, tenantId), eq(identities.personId, fromPerson)));
  }

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

  /** Makes a merged-away person live again (its doc is rebuilt from its events next). */
  revive(tenantId: string, personId: string, now: number): Batchable {
    return this.d.db
      .update(profiles)
      .set({ mergedInto: null, updatedAt: now })
      .where(and(eq(profiles.tenantId, tenantId), eq(profiles.id, personId)));
  }

  insertMerge(row: typeof merges.$inferInsert): Batchable {
    return this.d.db.insert(merges).values(row);
  }

  markMergeUndone(tenantId: string, id: string, now: number): Batchable {
    return this.d.db
      .update(merges)
      .set({ undoneAt: now })
      .where(and(eq(merges.tenantId, tenantId), eq(merges.id, id)));
  }

  upsertHousehold(row: { id: string; tenantId: string; ref: string; doc: HouseholdDoc; updatedAt: number }): Batchable {
    return this.d.db
      .insert(households)
      .values(row)
      .onConflictDoUpdate({
        target: households.id,
        set: { doc: sql`excluded.doc`, updatedAt: sql`excluded.updated_at` },
        setWhere: eq(households.tenantId, row.tenantId),
      });
  }

  // ---- erasure ----

  /** Statements that remove a person from every table, leaving event tombstones and an erasure record. */
  eraseStatements(
    tenantId: string,
    personIds: readonly string[],
    erasureId: string,
    eventsScrubbed: number,
    now: number,
  ): Batchable[] {
    const ids = [...personIds];
    return [
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
      this.d.db.delete(profiles).where(and(eq(profiles.tenantId, tenantId), inArray(profiles.id, ids))),
      this.d.db.insert(erasures).values({ id: erasureId, tenantId, erasedAt: now, eventsScrubbed }),
    ];
  }

  deleteHousehold(tenantId: string, id: string): Batchable {
    return this.d.db.delete(households).where(and(eq(households.tenantId, tenantId), eq(households.id, id)));
  }

  /** Person ids merged (transitively) into `personId`, so erasure reaches them too. */
  async absorbedInto(tenantId: string, personId: string): Promise<string[]> {
    const out: string[] = [];
    let frontier = [personId];
    while (frontier.length) {
      const rows = await this.d.db
        .select({ id: profiles.id })
        .from(profiles)
        .where(and(eq(profiles.tenantId, tenantId), inArray(profiles.mergedInto, frontier)));
      frontier = rows.map((r) => r.id).filter((id) => !out.includes(id));
      out.push(...frontier);
    }
    return out;
  }
}
