/**
 * Event ingestion, in five phases: prepare (validate each event alone) → load (what the store says of the
 * batch's events and identifiers, in batched reads) → resolve (pure: people, links, merges, moves, refusals —
 * src/domain/profile/resolve.ts) → project (pure: profiles and households) → persist (one atomic batch of
 * conditional writes). When a concurrent writer wins a conditional write, the whole attempt runs again from a
 * fresh read; when the retries run out the caller gets 503 and nothing was written.
 */
import { foldContacts, type ContactLog } from "../domain/decide/contacts";
import type { DomainEvent } from "../domain/profile/events";
import { householdDoc } from "../domain/profile/household";
import { applyEvent, eventKey, project, type ProjectionContext } from "../domain/profile/project";
import {
  identKey,
  resolveBatch,
  type KnownPerson,
  type PreparedEvent,
  type ResolvePlan,
} from "../domain/profile/resolve";
import type { Profile } from "../domain/profile/types";
import type { Principal } from "../http/context";
import { newId } from "../lib/crypto";
import type { Store } from "../store";
import type { Batchable } from "../store/db";
import type { EventRow, HouseholdState, PersonRow } from "../store/customers";
import type { Tenant } from "../store/tenants";
import { dealersOf } from "./dealer-cache";
import { prepareEvent, referencedDealers, type Reason } from "./prepare-events";
import { withRetries } from "./retry";
import { VinService, type Decoded } from "./vins";

export const MAX_BATCH = 500;
export type { Reason };

export type EventResult =
  | { index: number; id: string; status: "accepted"; personId?: string; merges?: string[]; notes?: string[] }
  | { index: number; id: string; status: "duplicate" }
  | { index: number; id: string | null; status: "rejected"; reasons: Reason[] };

export interface IngestContext {
  tenant: Tenant;
  principal: Principal;
  store: Store;
  vins: VinService;
  now: number;
  /** Uniform [0, 1) for retry jitter. */
  random?: () => number;
  /** Set when every event is about this already-known person (consent changes by profile id). */
  subject?: string;
}

export interface IngestOptions {
  /** Replays the first response of a request sent with this key (409 for another body, decided by the caller). */
  idempotency?: { key: string; requestHash: string; render: (results: EventResult[]) => string };
}

export interface IngestOutcome {
  results: EventResult[];
  /** The stored response of an earlier request with the same Idempotency-Key. */
  replayed?: { requestHash: string; status: number; response: string };
  /** The response text stored with the Idempotency-Key (when one was given). */
  response?: string;
}

/** A stored event row back to the projection's form. */
export function toDomainEvent(r: EventRow): DomainEvent {
  return {
    id: r.id,
    type: r.type,
    occurredAt: r.occurredAt,
    receivedAt: r.receivedAt,
    dealerId: r.dealerId,
    data: r.payload!.data,
    ...((r.payload as { serviceOnly?: boolean }).serviceOnly ? { serviceOnly: true } : {}),
  } as DomainEvent;
}

/** The projection context of a tenant and a set of decodes. */
export function projectionContext(tenant: Tenant, decodes: Map<string, Decoded | null>): ProjectionContext {
  return { brandMakes: tenant.makes, vin: (vin) => VinService.info(decodes.get(vin)) };
}

const vinsOf = (e: DomainEvent): string[] => {
  const v = (e.data as { vin?: string }).vin;
  return v ? [v] : [];
};

/** Ingests a batch: every event stored at most once, resolved, projected and written atomically. */
export async function ingestEvents(
  ctx: IngestContext,
  raws: readonly unknown[],
  opts: IngestOptions = {},
): Promise<IngestOutcome> {
  const dealers = await dealersOf(ctx.store, ctx.tenant.id, ctx.now, referencedDealers(raws));
  const results: EventResult[] = new Array(raws.length);
  const prepared: PreparedEvent[] = [];
  for (let i = 0; i < raws.length; i++) {
    const r = await prepareEvent(raws[i], i, ctx, dealers);
    if (Array.isArray(r)) {
      const rawId = (raws[i] as { id?: unknown } | null)?.id;
      results[i] = { index: i, id: typeof rawId === "string" ? rawId : null, status: "rejected", reasons: r };
    } else prepared.push(r);
  }
  return withRetries(
    "ingest events",
    ctx.store.database,
    ctx.random ?? Math.random,
    () => attempt(ctx, prepared, [...results], opts),
    ctx.tenant.id,
  );
}

/** One read-resolve-project-write attempt. */
async function attempt(
  ctx: IngestContext,
  prepared: readonly PreparedEvent[],
  results: EventResult[],
  opts: IngestOptions,
): Promise<IngestOutcome> {
  const { store, tenant, now } = ctx;
  const repo = store.customers;
  const values = [...new Set(prepared.flatMap((p) => [...p.ids.map((i) => i.value), ...p.vins]))];

  // Load: duplicates, owners of the identifiers, the subject, an earlier response — in parallel.
  const [known, owned, subjectRows, prior] = await Promise.all([
    repo.eventStatuses(
      tenant.id,
      prepared.map((p) => p.event.id),
    ),
    repo.resolveIdentities(tenant.id, values, now),
    ctx.subject ? repo.peopleByIds(tenant.id, [ctx.subject], now) : Promise.resolve([]),
    opts.idempotency ? store.idempotency.get(tenant.id, opts.idempotency.key) : Promise.resolve(undefined),
  ]);
  if (prior) return { results, replayed: prior };

  const seen = new Set<string>();
  const fresh: PreparedEvent[] = [];
  for (const p of prepared) {
    const status = known.get(p.event.id);
    if (status === "erased")
      results[p.index] = {
        index: p.index,
        id: p.event.id,
        status: "rejected",
        reasons: [{ pointer: "/id", reason: "this event belonged to an erased person and is refused" }],
      };
    else if (status || seen.has(p.event.id)) results[p.index] = { index: p.index, id: p.event.id, status: "duplicate" };
    else {
      seen.add(p.event.id);
      fresh.push(p);
    }
  }

  const rows = new Map<string, PersonRow>();
  const owners = new Map<string, string>();
  for (const o of owned) {
    owners.set(identKey(o), o.person.id);
    rows.set(o.person.id, o.person);
  }
  for (const s of subjectRows) rows.set(s.id, s);
  const people = new Map<string, KnownPerson>(
    [...rows.values()].map((r) => [
      r.id,
      { id: r.id, dealerId: r.dealerId, createdAt: r.createdAt, known: r.known, personIds: r.personIds },
    ]),
  );
  const plan = resolveBatch({
    events: fresh,
    owners,
    people,
    caller: { kind: ctx.principal.kind, dealerId: ctx.principal.dealerId, vin: ctx.principal.vin },
    subject: ctx.subject ?? null,
    now,
    newPersonId: () => newId("prs"),
    newMergeId: () => newId("mrg"),
  });

  const written = await persist(ctx, fresh, plan, rows, results, opts);
  return written;
}

/** Loads what projection needs (history, households, merge records, decodes), projects, and writes. */
async function persist(
  ctx: IngestContext,
  fresh: readonly PreparedEvent[],
  plan: ResolvePlan,
  rows: ReadonlyMap<string, PersonRow>,
  results: EventResult[],
  opts: IngestOptions,
): Promise<IngestOutcome> {
  const { store, tenant, now } = ctx;
  const repo = store.customers;
  const absorbedOf = new Map<string, string[]>(); // final survivor -> stored absorbed people
  for (const m of plan.merges) {
    const s = plan.live(m.survivor);
    if (rows.get(m.absorbed)?.hasRow) absorbedOf.set(s, [...(absorbedOf.get(s) ?? []), m.absorbed]);
  }
  const affected = [...plan.eventsOf.keys()];
  const replay = affected.filter((id) => {
    const row = rows.get(id);
    const doc = row?.doc;
    return (
      absorbedOf.has(id) ||
      !doc ||
      row.mergedInto !== null ||
      plan.eventsOf.get(id)!.some((p) => eventKey(p.event) < doc.lastKey)
    );
  });
  const historyOf = replay.flatMap((id) => [...(rows.get(id)?.hasRow ? [id] : []), ...(absorbedOf.get(id) ?? [])]);
  const newRef = new Map<string, string>(); // person -> household ref of its latest event that names one
  for (const [id, list] of plan.eventsOf) {
    const withRef = list.filter((p) => p.householdRef).sort((a, b) => (eventKey(a.event) < eventKey(b.event) ? -1 : 1));
    if (withRef.length) newRef.set(id, withRef.at(-1)!.householdRef!);
  }
  const oldHouseholds = [
    ...affected.map((id) => rows.get(id)?.householdId),
    ...plan.merges.map((m) => rows.get(m.absorbed)?.householdId),
  ].filter((h): h is string => !!h);
  const [history, households, absorbedIds] = await Promise.all([
    historyOf.length ? repo.eventsOf(tenant.id, historyOf) : Promise.resolve([]),
    repo.householdsWithMembers(tenant.id, [...new Set(newRef.values())], [...new Set(oldHouseholds)]),
    plan.merges.length
      ? repo.identitiesOf(
          tenant.id,
          plan.merges.map((m) => m.absorbed),
        )
      : Promise.resolve([]),
  ]);
  const decodes = await ctx.vins.decodeMany([
    ...new Set([...fresh.flatMap((p) => vinsOf(p.event)), ...history.flatMap((r) => vinsOf(toDomainEvent(r)))]),
  ]);
  const pctx = projectionContext(tenant, decodes);

  // Project: replay where needed, else apply the new events to the stored profile.
  const docs = new Map<string, Profile>();
  const replaySet = new Set(replay);
  for (const [id, list] of plan.eventsOf) {
    const newEvents = list.map((p) => eventOf(p, plan));
    if (replaySet.has(id)) {
      const mine = new Set([id, ...(absorbedOf.get(id) ?? [])]);
      const past = history.filter((r) => r.personId && mine.has(r.personId)).map(toDomainEvent);
      docs.set(id, project([...past, ...newEvents], pctx));
    } else {
      const doc = structuredClone(rows.get(id)!.doc!);
      for (const e of [...newEvents].sort((a, b) => (eventKey(a) < eventKey(b) ? -1 : 1))) applyEvent(doc, e, pctx);
      docs.set(id, doc);
    }
  }

  // Households: who lives where after this batch, and each touched household's document from its members.
  const byRef = new Map(households.map((h) => [h.ref, h]));
  const byId = new Map(households.map((h) => [h.id, h]));
  const householdOf = new Map<string, string | null>();
  const touchedHouseholds = new Set<string>(oldHouseholds);
  const freshHouseholds = new Map<string, HouseholdState>();
  for (const id of affected) {
    const ref = newRef.get(id);
    let hid = rows.get(id)?.householdId ?? null;
    if (ref) {
      let h = byRef.get(ref) ?? freshHouseholds.get(ref);
      if (!h) {
        h = { id: newId("hh"), ref, version: 0, members: new Map() };
        freshHouseholds.set(ref, h);
        byId.set(h.id, h);
      }
      hid = h.id;
    }
    householdOf.set(id, hid);
    if (hid) touchedHouseholds.add(hid);
  }
  const leaving = new Set(plan.merges.map((m) => m.absorbed));
  const householdRows: { id: string; ref: string; version: number | null; doc: ReturnType<typeof householdDoc> }[] = [];
  for (const hid of touchedHouseholds) {
    const h = byId.get(hid);
    if (!h) continue;
    const members = new Map<string, Profile>();
    for (const [pid, doc] of h.members) if (!leaving.has(pid) && !householdOf.has(pid)) members.set(pid, doc);
    for (const [pid, at] of householdOf) if (at === hid) members.set(pid, docs.get(pid)!);
    const isFresh = [...freshHouseholds.values()].includes(h);
    householdRows.push({ id: h.id, ref: h.ref, version: isFresh ? null : h.version, doc: householdDoc(members) });
  }

  // Results, in request order.
  for (const r of plan.resolutions) {
    const p = fresh.find((f) => f.index === r.index)!;
    if (r.status === "refused")
      results[r.index] = {
        index: r.index,
        id: p.event.id,
        status: "rejected",
        reasons: [{ pointer: r.pointer, reason: r.reason }],
      };
    else
      results[r.index] = {
        index: r.index,
        id: p.event.id,
        status: "accepted",
        ...(r.serviceOnly ? {} : { personId: plan.live(r.origin) }),
        ...(r.mergeIds.length ? { merges: r.mergeIds } : {}),
        ...(r.notes.length ? { notes: r.notes } : {}),
      };
  }

  // Persist: one batch, every conditional write guarded.
  const statements: Batchable[] = [];
  const accepted = plan.resolutions.filter((r) => r.status === "resolved");
  const byIndex = new Map(fresh.map((p) => [p.index, p]));
  statements.push(
    ...repo.insertEvents(
      tenant.id,
      accepted.map((r) => {
        const p = byIndex.get(r.index)!;
        return {
          id: p.event.id,
          type: p.event.type,
          personId: plan.live(r.origin),
          originPersonId: r.origin,
          occurredAt: p.event.occurredAt,
          receivedAt: now,
          dealerId: p.event.dealerId,
          payload: {
            identifiers: p.ids,
            data: p.event.data,
            ...(p.householdRef ? { householdRef: p.householdRef } : {}),
            ...(p.source ? { source: p.source } : {}),
            ...(r.serviceOnly ? { serviceOnly: true } : {}),
          },
        };
      }),
    ),
  );
  const movedOf = (m: ResolvePlan["merges"][number]) => {
    const stored = absorbedIds.filter((i) => i.personId === m.absorbed).map((i) => ({ kind: i.kind, value: i.value }));
    return [...stored, ...m.batchIds.filter((b) => !stored.some((s) => s.kind === b.kind && s.value === b.value))];
  };
  for (const m of plan.merges)
    statements.push(
      ...repo.mergeStatements({
        id: m.id,
        tenantId: tenant.id,
        survivorId: m.survivor,
        absorbedId: m.absorbed,
        eventId: m.eventId,
        reason: m.reason,
        moved: movedOf(m),
        createdAt: now,
        undoneAt: null,
      }),
    );
  for (const mv of plan.moves) statements.push(...repo.moveIdentity(tenant.id, mv.ident, mv.from, mv.to));
  statements.push(
    ...repo.claimIdentities(
      tenant.id,
      [...plan.claims.values()].map((c) => ({ kind: c.ident.kind, value: c.ident.value, personId: c.personId })),
      now,
    ),
  );

  // People: new ones inserted, stored ones rewritten at the version read, merged-away ones marked.
  const contactsOf = (id: string) => (rows.get(id)?.contacts as ContactLog | null) ?? null;
  const folded = new Map<string, ContactLog | null>();
  for (const m of plan.merges) {
    const s = plan.live(m.survivor);
    folded.set(s, foldContacts(folded.has(s) ? folded.get(s)! : contactsOf(s), contactsOf(m.absorbed)));
  }
  const inserts: Parameters<typeof repo.insertProfiles>[1] = [];
  const updates: Parameters<typeof repo.updateProfiles>[1] = [];
  for (const id of affected) {
    const row = rows.get(id);
    const doc = docs.get(id)!;
    if (!row?.hasRow)
      inserts.push({
        id,
        dealerId: doc.dealerId,
        householdId: householdOf.get(id) ?? null,
        mergedInto: null,
        doc,
        contacts: folded.get(id) ?? null,
        createdAt: plan.created.get(id)?.createdAt ?? now,
      });
    else
      updates.push({ id, version: row.version, doc, dealerId: doc.dealerId, householdId: householdOf.get(id) ?? null });
  }
  for (const m of plan.merges) {
    const row = rows.get(m.absorbed);
    if (row?.hasRow) statements.push(...repo.absorbProfile(tenant.id, m.absorbed, row.version, m.survivor, now));
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
  statements.push(...repo.insertProfiles(tenant.id, inserts, now), ...repo.updateProfiles(tenant.id, updates, now));
  const onlyTouched = [...plan.touched].filter(
    (id) => !plan.eventsOf.has(id) && !leaving.has(id) && rows.get(id)?.hasRow,
  );
  statements.push(
    ...repo.touchProfiles(
      tenant.id,
      onlyTouched.map((id) => ({ id, version: rows.get(id)!.version })),
      now,
    ),
  );
  for (const [id, log] of folded)
    if (rows.get(id)?.hasRow && log !== contactsOf(id))
      statements.push(...repo.setContacts(tenant.id, id, rows.get(id)!.contactsVersion, log));
  statements.push(...repo.saveHouseholds(tenant.id, householdRows, now));

  let response: string | undefined;
  if (opts.idempotency) {
    response = opts.idempotency.render(results);
    const named = results.flatMap((r) => (r.status === "accepted" && r.personId ? [r.personId] : []));
    statements.push(
      ...repo.idempotencyStatements(
        {
          tenantId: tenant.id,
          key: opts.idempotency.key,
          requestHash: opts.idempotency.requestHash,
          status: 200,
          response,
          createdAt: now,
        },
        named,
      ),
    );
  }
  if (statements.length) await store.database.batch(statements);
  return { results, ...(response !== undefined ? { response } : {}) };
}

/** The domain event of a prepared one, marked when it is service on someone else's car. */
function eventOf(p: PreparedEvent, plan: ResolvePlan): DomainEvent {
  const r = plan.resolutions.find((x) => x.index === p.index);
  return r?.status === "resolved" && r.serviceOnly ? ({ ...p.event, serviceOnly: true } as DomainEvent) : p.event;
}

/** The household document (kept here for callers of the old location). */
export { householdDoc };
