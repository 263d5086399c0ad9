/**
 * The last phase of ingestion: what a resolved, projected batch writes, as one list of guarded statements for
 * one atomic batch (conflicts.ts). Every claim must insert, every stored row must still be at the version read.
 */
import type { ContactLog } from "../domain/decide/contacts";
import type { HouseholdDoc, Profile } from "../domain/profile/types";
import type { PreparedEvent, ResolvePlan } from "../domain/profile/resolve";
import type { Store } from "../store";
import type { IdentityRow, PersonRow } from "../store/customers";
import type { Batchable } from "../store/db";

export interface BatchWrite {
  tenantId: string;
  now: number;
  fresh: readonly PreparedEvent[];
  plan: ResolvePlan;
  people: ReadonlyMap<string, PersonRow>;
  docs: ReadonlyMap<string, Profile>;
  householdOf: ReadonlyMap<string, string | null>;
  households: { id: string; ref: string; version: number | null; doc: HouseholdDoc }[];
  contacts: ReadonlyMap<string, ContactLog | null>;
  /** Stored identifiers of the people this batch merges away (for the merge records). */
  absorbedIds: readonly IdentityRow[];
}

/** The statements of one ingestion batch, in order: events, merges, moves, claims, people, households. */
export function batchStatements(store: Store, w: BatchWrite): Batchable[] {
  const repo = store.customers;
  const { tenantId, now, plan, people } = w;
  const byIndex = new Map(w.fresh.map((p) => [p.index, p]));
  const out: Batchable[] = [];

  out.push(
    ...repo.insertEvents(
      tenantId,
      plan.resolutions.flatMap((r) => {
        if (r.status !== "resolved") return [];
        const p = byIndex.get(r.index)!;
        return [
          {
            id: p.event.id,
            type: p.event.type,
            personId: plan.live(r.origin),
            originPersonId: r.origin,
            occurredAt: p.event.occurredAt,
            receivedAt: now,
            dealerId: p.event.dealerId,
            payload: {
              // Only the identifiers that are this person's: another person's (named but not linked: two known
              // customers) must not outlive that person's erasure in someone else's event.
              identifiers: p.ids.filter((i) => plan.ownerOf(i) === plan.live(r.origin)),
              data: p.event.data,
              ...(p.householdRef ? { householdRef: p.householdRef } : {}),
              ...(p.source ? { source: p.source } : {}),
              ...(r.serviceOnly ? { serviceOnly: true } : {}),
            },
          },
        ];
      }),
    ),
  );
  for (const m of plan.merges) {
    const stored = w.absorbedIds
      .filter((i) => i.personId === m.absorbed)
      .map((i) => ({ kind: i.kind, value: i.value }));
    const moved = [
      ...stored,
      ...m.batchIds.filter((b) => !stored.some((s) => s.kind === b.kind && s.value === b.value)),
    ];
    out.push(
      ...repo.mergeStatements({
        id: m.id,
        tenantId,
        survivorId: m.survivor,
        absorbedId: m.absorbed,
        eventId: m.eventId,
        reason: m.reason,
        moved,
        createdAt: now,
        undoneAt: null,
      }),
    );
  }
  for (const mv of plan.moves) out.push(...repo.moveIdentity(tenantId, mv.ident, mv.from, mv.to));
  out.push(
    ...repo.claimIdentities(
      tenantId,
      [...plan.claims.values()].map((c) => ({ kind: c.ident.kind, value: c.ident.value, personId: c.personId })),
      now,
    ),
  );

  // People: new ones inserted, stored ones rewritten at the version read, merged-away ones marked, people a VIN
  // moved away from touched, survivors' contact logs folded.
  const inserts: Parameters<typeof repo.insertProfiles>[1] = [];
  const updates: Parameters<typeof repo.updateProfiles>[1] = [];
  for (const [id, doc] of w.docs) {
    const row = people.get(id);
    const householdId = w.householdOf.get(id) ?? null;
    if (row?.hasRow) updates.push({ id, version: row.version, doc, dealerId: doc.dealerId, householdId });
    else
      inserts.push({
        id,
        dealerId: doc.dealerId,
        householdId,
        mergedInto: null,
        doc,
        contacts: w.contacts.get(id) ?? null,
        createdAt: plan.created.get(id)?.createdAt ?? now,
      });
  }
  const absorbed = new Set(plan.merges.map((m) => m.absorbed));
  for (const m of plan.merges) {
    const row = people.get(m.absorbed);
    if (row?.hasRow) out.push(...repo.absorbProfile(tenantId, m.absorbed, row.version, m.survivor, now));
    else
      inserts.push({
        id: m.absorbed,
        dealerId: null,
        householdId: null,
        mergedInto: m.survivor,
        doc: null,
        contacts: null,
        createdAt: plan.created.get(m.absorbed)?.createdAt ?? now,
      });
  }
  out.push(...repo.insertProfiles(tenantId, inserts, now), ...repo.updateProfiles(tenantId, updates, now));
  const touched = [...plan.touched].filter((id) => !w.docs.has(id) && !absorbed.has(id) && people.get(id)?.hasRow);
  out.push(
    ...repo.touchProfiles(
      tenantId,
      touched.map((id) => ({ id, version: people.get(id)!.version })),
      now,
    ),
  );
  for (const [id, log] of w.contacts) {
    const row = people.get(id);
    if (row?.hasRow && log !== row.contacts) out.push(...repo.setContacts(tenantId, id, row.contactsVersion, log));
  }
  out.push(...repo.saveHouseholds(tenantId, w.households, now));
  return out;
}
