/**
 * Event ingestion: validate each event alone, store each at most once per tenant, resolve its identifiers
 * to one person (linking and merging where an event carries two), and project it into the person's profile
 * and household, all written in one atomic batch. A batch of N events costs a handful of round trips.
 */
import type { z } from "zod";
import {
  EVENT_DATA,
  EventEnvelopeSchema,
  SubjectEventEnvelopeSchema,
  type DomainEvent,
  type EventType,
} from "../domain/profile/events";
import {
  FIELD_KIND,
  HASHED_KINDS,
  hashInput,
  normalizeEmail,
  normalizePhone,
  type IdentityKind,
} from "../domain/profile/identity";
import { applyEvent, eventKey, project, type ProjectionContext } from "../domain/profile/project";
import type { HouseholdDoc, Profile } from "../domain/profile/types";
import type { Principal } from "../http/context";
import { newId, sha256Hex } from "../lib/crypto";
import type { Store } from "../store";
import type { Batchable } from "../store/db";
import type { EventRow, HouseholdRow, ProfileRow } from "../store/customers";
import type { Tenant } from "../store/tenants";
import { dealersOf } from "./dealer-cache";
import { VinService, type Decoded } from "./vins";

export const MAX_BATCH = 500;
const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** Events whose VIN moves to the person who sends it (a change of keeper). */
const OWNERSHIP: ReadonlySet<EventType> = new Set(["purchase", "lease_started", "loan_started"]);
/** Strongest first: when two known customers collide, the event follows the strongest identifier. */
const STRENGTH: IdentityKind[] = ["customer", "email", "phone", "device", "visitor"];

export interface Reason {
  pointer: string;
  reason: string;
}
export type EventResult =
  | { index: number; id: string; status: "accepted"; personId: string; merges?: string[]; notes?: string[] }
  | { index: number; id: string; status: "duplicate" }
  | { index: number; id: string | null; status: "rejected"; reasons: Reason[] };

export interface IngestContext {
  tenant: Tenant;
  principal: Principal;
  store: Store;
  vins: VinService;
  now: number;
  /** Set when every event is about this already-known person (consent changes by profile id). */
  subject?: string;
}

interface Ident {
  kind: IdentityKind;
  value: string;
}
interface Prepared {
  index: number;
  event: DomainEvent;
  householdRef?: string;
  source?: string;
  ids: Ident[];
  vins: string[];
}

const key = (i: Ident) => `${i.kind}\u0000${i.value}`;

function issuesToReasons(issues: z.core.$ZodIssue[], prefix = ""): Reason[] {
  return issues.map((i) => ({ pointer: prefix + "/" + i.path.map(String).join("/"), reason: i.message }));
}

/** Validates and normalizes one event; identifiers leave as stored values (emails/phones hashed). */
async function prepare(
  raw: unknown,
  index: number,
  ctx: IngestContext,
  dealers: ReadonlyMap<string, unknown>,
): Promise<Prepared | Reason[]> {
  const env = (ctx.subject ? SubjectEventEnvelopeSchema : EventEnvelopeSchema).safeParse(raw);
  if (!env.success) return issuesToReasons(env.error.issues);
  const e = env.data;
  const dataParsed = EVENT_DATA[e.type].safeParse(e.data);
  if (!dataParsed.success) return issuesToReasons(dataParsed.error.issues, "/data");
  const data = dataParsed.data as Record<string, unknown>;
  const reasons: Reason[] = [];
  const occurredAt = Date.parse(e.occurredAt);
  if (occurredAt > ctx.now + FUTURE_TOLERANCE_MS)
    reasons.push({ pointer: "/occurredAt", reason: "is more than 5 minutes in the future" });

  const p = ctx.principal; // publishable and vehicle keys were held to their subject by the route
  let dealerId = (data.dealerId as string | undefined) ?? e.dealerId ?? null;
  if (p.dealerId) {
    if (dealerId && dealerId !== p.dealerId)
      reasons.push({ pointer: "/dealerId", reason: "a dealer-bound key may only send events for its own dealer" });
    dealerId = p.dealerId;
  }
  for (const [ptr, d] of [
    ["/dealerId", e.dealerId],
    ["/data/dealerId", data.dealerId],
    ["/data/preferredDealerId", data.preferredDealerId],
  ] as const) {
    if (typeof d === "string" && !dealers.has(d))
      reasons.push({ pointer: ptr, reason: "no such dealer in this brand" });
  }

  const ids: Ident[] = [];
  for (const [field, rawValue] of Object.entries(e.identifiers)) {
    if (rawValue === undefined || rawValue === "") continue;
    const kind = FIELD_KIND[field as keyof typeof FIELD_KIND];
    let value: string | null = rawValue;
    if (kind === "email") value = normalizeEmail(rawValue);
    else if (kind === "phone") value = normalizePhone(rawValue);
    else if (kind === "vin") {
      const v = ctx.vins.validate(rawValue);
      if (!v.ok) {
        reasons.push({ pointer: "/identifiers/vin", reason: `${v.rule}: ${v.message}` });
        continue;
      }
    }
    if (value === null) {
      reasons.push({
        pointer: `/identifiers/${field}`,
        reason: kind === "email" ? "is not an email address" : "is not an E.164 phone number such as +4930123456",
      });
      continue;
    }
    ids.push({
      kind,
      value: HASHED_KINDS.has(kind) ? await sha256Hex(hashInput(ctx.tenant.hashSalt, kind, value)) : value,
    });
  }
  const vins = ids.filter((i) => i.kind === "vin").map((i) => i.value);
  if (typeof data.vin === "string") {
    const v = ctx.vins.validate(data.vin);
    if (!v.ok) reasons.push({ pointer: "/data/vin", reason: `${v.rule}: ${v.message}` });
    else if (!vins.includes(data.vin)) vins.push(data.vin);
  }
  if (reasons.length) return reasons;
  const event = { id: e.id, type: e.type, occurredAt, receivedAt: ctx.now, dealerId, data } as DomainEvent;
  return {
    index,
    event,
    ...(e.householdRef ? { householdRef: e.householdRef } : {}),
    ...(e.source ? { source: e.source } : {}),
    ids,
    vins,
  };
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
  } as DomainEvent;
}

function vinsOf(e: DomainEvent): string[] {
  const v = (e.data as { vin?: string }).vin;
  return v ? [v] : [];
}

interface PersonState {
  id: string;
  row: ProfileRow | undefined;
  householdId: string | null;
  createdAt: number;
  newEvents: DomainEvent[];
  replay: boolean;
  /** What merge decisions need of the stored identifiers; read only when a merge is considered. */
  stored?: { hasCustomer: boolean; strongIds: number };
  /** Identifiers this batch added. */
  added: { customer: boolean; strong: number };
}

/** Dealer ids named anywhere in a batch (validated later, event by event). */
function referencedDealers(raws: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const r of raws) {
    const e = r as { dealerId?: unknown; data?: { dealerId?: unknown; preferredDealerId?: unknown } } | null;
    for (const d of [e?.dealerId, e?.data?.dealerId, e?.data?.preferredDealerId])
      if (typeof d === "string") out.push(d);
  }
  return out;
}

/** Ingests a batch; `extra(results)` may add statements (an Idempotency-Key record) to the same atomic batch. */
export async function ingestEvents(
  ctx: IngestContext,
  raws: readonly unknown[],
  extra: (results: EventResult[]) => Batchable[] = () => [],
): Promise<EventResult[]> {
  const { store, tenant, now } = ctx;
  const repo = store.customers;
  const tenantId = tenant.id;
  const dealers = await dealersOf(store, tenantId, now, referencedDealers(raws));

  const results: EventResult[] = new Array(raws.length);
  const prepared: Prepared[] = [];
  for (let i = 0; i < raws.length; i++) {
    const r = await prepare(raws[i], i, ctx, dealers);
    if (Array.isArray(r)) {
      const rawId = (raws[i] as { id?: unknown } | null)?.id;
      results[i] = { index: i, id: typeof rawId === "string" ? rawId : null, status: "rejected", reasons: r };
    } else prepared.push(r);
  }

  // At most once per tenant, forever: earlier requests, and repeats within this batch.
  const known = await repo.eventStatuses(
    tenantId,
    prepared.map((p) => p.event.id),
  );
  const seen = new Set<string>();
  const fresh: Prepared[] = [];
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
  if (!fresh.length) {
    const x = extra(results);
    if (x.length) await store.database.batch(x);
    return results;
  }

  // Resolve identifiers to people.
  const idMap = new Map<string, string>(); // ident key -> person
  for (const r of await repo.identitiesByValues(tenantId, [
    ...new Set(fresh.flatMap((p) => [...p.ids.map((i) => i.value), ...p.vins])),
  ])) {
    idMap.set(key({ kind: r.kind, value: r.value }), r.personId);
  }
  const people = new Map<string, PersonState>();
  const loadPeople = async (ids: string[]) => {
    const missing = ids.filter((id) => !people.has(id));
    if (!missing.length) return;
    const rows = await repo.profilesByIds(tenantId, missing);
    for (const id of missing) {
      const row = rows.find((r) => r.id === id);
      people.set(id, {
        id,
        row,
        householdId: row?.householdId ?? null,
        createdAt: row?.createdAt ?? now,
        newEvents: [],
        replay: false,
        added: { customer: false, strong: 0 },
      });
    }
  };
  const facts = async (...states: PersonState[]) => {
    const unknown = states.filter((s) => !s.stored && s.row);
    const idents = unknown.length
      ? await repo.identitiesOf(
          tenantId,
          unknown.map((s) => s.id),
        )
      : [];
    for (const s of states) {
      if (!s.stored) {
        const own = idents.filter((i) => i.personId === s.id);
        s.stored = {
          hasCustomer: own.some((i) => i.kind === "customer"),
          strongIds: own.filter((i) => i.kind !== "vin").length,
        };
      }
    }
    return states.map((s) => ({
      hasCustomer: s.stored!.hasCustomer || s.added.customer,
      strongIds: s.stored!.strongIds + s.added.strong,
    }));
  };
  await loadPeople([...new Set(idMap.values())]);

  const mergedInto = new Map<string, string>(); // absorbed -> survivor
  const live = (id: string): string => {
    let cur = id;
    while (mergedInto.has(cur)) cur = mergedInto.get(cur)!;
    return cur;
  };
  const mergeRows: Parameters<Store["customers"]["insertMerge"]>[0][] = [];
  const identityWrites = new Map<string, Ident>();
  const origin = new Map<Prepared, string>();
  const notes = new Map<Prepared, string[]>();
  const mergeIdsOf = new Map<Prepared, string[]>();
  const note = (p: Prepared, text: string) => notes.set(p, [...(notes.get(p) ?? []), text]);

  const merge = async (survivor: PersonState, absorbed: PersonState, p: Prepared, reason: string) => {
    const moved = (await repo.identitiesOf(tenantId, [absorbed.id])).map((i) => ({ kind: i.kind, value: i.value }));
    for (const [k, person] of idMap)
      if (person === absorbed.id) {
        idMap.set(k, survivor.id);
        const [kind, value] = k.split("\u0000") as [IdentityKind, string];
        if (!moved.some((m) => m.kind === kind && m.value === value)) moved.push({ kind, value });
        identityWrites.set(k, { kind, value });
      }
    mergedInto.set(absorbed.id, survivor.id);
    const [a] = await facts(absorbed);
    survivor.added.customer ||= a!.hasCustomer;
    survivor.added.strong += a!.strongIds;
    survivor.newEvents.push(...absorbed.newEvents);
    absorbed.newEvents = [];
    survivor.replay = true;
    const mergeId = newId("mrg");
    mergeRows.push({
      id: mergeId,
      tenantId,
      survivorId: survivor.id,
      absorbedId: absorbed.id,
      eventId: p.event.id,
      reason,
      moved,
      createdAt: now,
      undoneAt: null,
    });
    mergeIdsOf.set(p, [...(mergeIdsOf.get(p) ?? []), mergeId]);
    note(p, `merged ${absorbed.id} into ${survivor.id}`);
  };
  /** The survivor of a merge: the known customer, else the older record. */
  const older = async (a: PersonState, b: PersonState) => {
    const [fa, fb] = await facts(a, b);
    if (fa!.hasCustomer !== fb!.hasCustomer) return fa!.hasCustomer ? a : b;
    return a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? a : b) : a.id < b.id ? a : b;
  };

  for (const p of fresh.sort((a, b) => a.index - b.index)) {
    const strong = p.ids
      .filter((i) => i.kind !== "vin")
      .sort((a, b) => STRENGTH.indexOf(a.kind) - STRENGTH.indexOf(b.kind));
    const vinIds: Ident[] = p.vins.map((value) => ({ kind: "vin", value }));
    const strongPeople = [
      ...new Set(
        strong
          .map((i) => idMap.get(key(i)))
          .filter((x): x is string => !!x)
          .map(live),
      ),
    ];
    const vinPeople = [
      ...new Set(
        vinIds
          .map((i) => idMap.get(key(i)))
          .filter((x): x is string => !!x)
          .map(live),
      ),
    ];
    await loadPeople([...strongPeople, ...vinPeople]);

    let target: PersonState;
    if (ctx.subject) {
      await loadPeople([ctx.subject]);
      target = people.get(live(ctx.subject))!;
    } else if (strongPeople.length === 0 && strong.length === 0 && vinPeople.length > 0) {
      target = people.get(vinPeople[0]!)!; // a car speaking for itself
    } else if (strongPeople.length === 0) {
      const id = newId("prs");
      target = {
        id,
        row: undefined,
        householdId: null,
        createdAt: now,
        newEvents: [],
        replay: false,
        stored: { hasCustomer: false, strongIds: 0 },
        added: { customer: false, strong: 0 },
      };
      people.set(id, target);
    } else {
      target = people.get(strongPeople[0]!)!;
      for (const otherId of strongPeople.slice(1)) {
        const other = people.get(live(otherId))!;
        if (other.id === target.id) continue;
        const [ft, fo] = await facts(target, other);
        if (ft!.hasCustomer && fo!.hasCustomer && p.event.type !== "identities_linked") {
          note(p, `not linked: identifiers of two known customers (${target.id}, ${other.id})`);
          continue;
        }
        const survivor = await older(target, other);
        await merge(survivor, survivor === target ? other : target, p, `event ${p.event.type}`);
        target = survivor;
      }
    }
    // Link the event's identifiers that belong to nobody (or to the absorbed) to the target.
    for (const i of strong) {
      const owner = idMap.get(key(i));
      if (!owner || live(owner) === target.id) {
        if (!owner) target.added.strong++;
        if (i.kind === "customer") target.added.customer = true;
        idMap.set(key(i), target.id);
        identityWrites.set(key(i), i);
      }
    }
    for (const i of vinIds) {
      const owner = idMap.get(key(i));
      const current = owner ? people.get(live(owner)) : undefined;
      if (current && current.id !== target.id && (await facts(current))[0]!.strongIds === 0) {
        await merge(target, current, p, "vehicle-only record joined its keeper"); // telemetry before the keeper was known
      } else if (!owner || (current && current.id !== target.id && OWNERSHIP.has(p.event.type))) {
        if (current) note(p, `vehicle ${i.value} changed keeper`);
        idMap.set(key(i), target.id);
        identityWrites.set(key(i), i);
      }
    }
    target.newEvents.push(p.event);
    origin.set(p, target.id);
  }

  // Households named by events.
  const refs = [...new Set(fresh.map((p) => p.householdRef).filter((r): r is string => !!r))];
  const hhByRef = new Map<string, HouseholdRow | { id: string; ref: string; isNew: true }>();
  for (const h of await repo.householdsByRefs(tenantId, refs)) hhByRef.set(h.ref, h);
  for (const ref of refs) if (!hhByRef.has(ref)) hhByRef.set(ref, { id: newId("hh"), ref, isNew: true });
  const touchedHouseholds = new Set<string>();
  for (const p of fresh) {
    const person = people.get(live(origin.get(p)!))!;
    if (person.householdId) touchedHouseholds.add(person.householdId);
    if (p.householdRef) {
      person.householdId = hhByRef.get(p.householdRef)!.id;
      touchedHouseholds.add(person.householdId);
    }
  }

  // Project: incrementally where the new events come after the profile, else by replaying every event.
  const affected = [...people.values()].filter((s) => s.newEvents.length && !mergedInto.has(s.id));
  for (const s of affected) {
    const doc = s.row?.doc;
    s.replay ||= !!doc && s.newEvents.some((e) => eventKey(e) < doc.lastKey);
  }
  const replayIds = affected
    .filter((s) => s.replay)
    .flatMap((s) => [s.id, ...[...mergedInto].filter(([, to]) => live(to) === s.id).map(([from]) => from)]);
  const history = replayIds.length ? await repo.eventsOf(tenantId, replayIds) : [];
  const vinSet = new Set<string>([
    ...fresh.flatMap((p) => vinsOf(p.event)),
    ...history.flatMap((r) => vinsOf(toDomainEvent(r))),
  ]);
  const decodes = await ctx.vins.decodeMany([...vinSet]);
  const pctx = projectionContext(tenant, decodes);

  const docs = new Map<string, Profile>();
  for (const s of affected) {
    if (s.replay || !s.row?.doc) {
      const mine = new Set([s.id, ...[...mergedInto].filter(([, to]) => live(to) === s.id).map(([from]) => from)]);
      const past = history.filter((r) => r.personId && mine.has(r.personId)).map(toDomainEvent);
      docs.set(s.id, project([...past, ...s.newEvents], pctx));
    } else {
      const doc = structuredClone(s.row.doc);
      for (const e of [...s.newEvents].sort((a, b) => (eventKey(a) < eventKey(b) ? -1 : 1))) applyEvent(doc, e, pctx);
      docs.set(s.id, doc);
    }
  }

  for (const [k, person] of idMap) if (mergedInto.has(person)) idMap.set(k, live(person));
  for (let i = 0; i < raws.length; i++) {
    const p = fresh.find((f) => f.index === i);
    if (p)
      results[i] = {
        index: i,
        id: p.event.id,
        status: "accepted",
        personId: live(origin.get(p)!),
        ...(mergeIdsOf.get(p) ? { merges: mergeIdsOf.get(p)! } : {}),
        ...(notes.get(p) ? { notes: notes.get(p)! } : {}),
      };
  }

  const statements: Batchable[] = [];
  statements.push(
    ...repo.insertEvents(
      fresh.map((p) => ({
        tenantId,
        id: p.event.id,
        type: p.event.type,
        status: "stored" as const,
        personId: live(origin.get(p)!),
        originPersonId: origin.get(p)!,
        occurredAt: p.event.occurredAt,
        receivedAt: now,
        dealerId: p.event.dealerId,
        payload: {
          identifiers: p.ids,
          data: p.event.data,
          ...(p.householdRef ? { householdRef: p.householdRef } : {}),
          ...(p.source ? { source: p.source } : {}),
        },
      })),
    ),
  );
  for (const [absorbed, survivor] of mergedInto) {
    statements.push(
      repo.moveEvents(tenantId, absorbed, live(survivor)),
      repo.moveIdentities(tenantId, absorbed, live(survivor)),
    );
  }
  statements.push(
    ...repo.upsertIdentities(
      [...identityWrites.entries()].map(([k, i]) => ({
        tenantId,
        kind: i.kind,
        value: i.value,
        personId: live(idMap.get(k)!),
        createdAt: now,
      })),
    ),
  );
  for (const m of mergeRows) statements.push(repo.insertMerge(m));
  const saveRows = [
    ...affected.map((s) => ({
      id: s.id,
      tenantId,
      dealerId: docs.get(s.id)!.dealerId,
      householdId: s.householdId,
      mergedInto: null,
      doc: docs.get(s.id)!,
      createdAt: s.row?.createdAt ?? now,
      updatedAt: now,
      expectedVersion: s.row?.version ?? 0,
    })),
    ...[...mergedInto.keys()].map((absorbed) => {
      const s = people.get(absorbed)!;
      return {
        id: s.id,
        tenantId,
        dealerId: null,
        householdId: null,
        mergedInto: live(absorbed),
        doc: null,
        createdAt: s.createdAt,
        updatedAt: now,
        expectedVersion: s.row?.version ?? 0,
      };
    }),
  ];
  const saveStatements = repo.saveProfiles(saveRows);
  const firstSave = statements.length;
  statements.push(...saveStatements);
  statements.push(...(await householdStatements(ctx, [...touchedHouseholds], docs, people, hhByRef)));
  statements.push(...extra(results));

  const out = await store.database.batch(statements);
  const saved = out
    .slice(firstSave, firstSave + saveStatements.length)
    .reduce((n: number, r) => n + store.database.changes(r), 0);
  if (saved < saveRows.length)
    await rebuildProfiles(
      ctx,
      affected.map((s) => s.id),
    );
  return results;
}

/** The projection context of a tenant and a set of decodes. */
export function projectionContext(tenant: Tenant, decodes: Map<string, Decoded | null>): ProjectionContext {
  return { brandMakes: tenant.makes, vin: (vin) => VinService.info(decodes.get(vin)) };
}

/** Recomputes household docs from their members (the in-memory docs win over stored ones). */
async function householdStatements(
  ctx: IngestContext,
  householdIds: string[],
  docs: Map<string, Profile>,
  people: Map<string, { id: string; householdId: string | null }>,
  hhByRef: Map<string, HouseholdRow | { id: string; ref: string; isNew: true }>,
): Promise<Batchable[]> {
  if (!householdIds.length) return [];
  const repo = ctx.store.customers;
  const tenantId = ctx.tenant.id;
  const stored = await repo.householdsByIds(tenantId, householdIds);
  const members = await repo.membersOf(tenantId, householdIds);
  const out: Batchable[] = [];
  for (const hid of householdIds) {
    const ref = stored.find((h) => h.id === hid)?.ref ?? [...hhByRef.values()].find((h) => h.id === hid)?.ref;
    if (!ref) continue;
    const rows = new Map<string, Profile>();
    for (const m of members)
      if (m.doc && (people.get(m.id)?.householdId ?? m.householdId) === hid) rows.set(m.id, docs.get(m.id) ?? m.doc);
    for (const [id, s] of people) if (s.householdId === hid && docs.has(id)) rows.set(id, docs.get(id)!);
    out.push(repo.upsertHousehold({ id: hid, tenantId, ref, doc: householdDoc(rows), updatedAt: ctx.now }));
  }
  return out;
}

/** The household document: members, every member's vehicles, open complaints across members. */
export function householdDoc(members: Map<string, Profile>): HouseholdDoc {
  const ids = [...members.keys()].sort();
  return {
    members: ids,
    vehicles: ids.flatMap((id) =>
      members.get(id)!.vehicles.map((v) => ({
        vin: v.vin,
        make: v.make,
        model: v.model,
        year: v.year,
        powertrain: v.powertrain,
        onBrand: v.onBrand,
        personId: id,
      })),
    ),
    openComplaints: ids.reduce((n, id) => n + members.get(id)!.voice.openComplaints.length, 0),
  };
}

/** Rebuilds profiles from their stored events (after a concurrent write, an unmerge or an erasure). */
export async function rebuildProfiles(ctx: IngestContext, personIds: string[], attempt = 0): Promise<void> {
  const repo = ctx.store.customers;
  const tenantId = ctx.tenant.id;
  const rows = (await repo.profilesByIds(tenantId, personIds)).filter((r) => !r.mergedInto);
  const history = await repo.eventsOf(
    tenantId,
    rows.map((r) => r.id),
  );
  const decodes = await ctx.vins.decodeMany([...new Set(history.flatMap((r) => vinsOf(toDomainEvent(r))))]);
  const pctx = projectionContext(ctx.tenant, decodes);
  // Household membership is a function of the events too: the latest householdRef a person's events carry.
  const lastRef = new Map<string, string>();
  for (const h of history) if (h.personId && h.payload?.householdRef) lastRef.set(h.personId, h.payload.householdRef);
  const byRef = new Map(
    (await repo.householdsByRefs(tenantId, [...new Set(lastRef.values())])).map((h) => [h.ref, h.id]),
  );
  const docs = new Map<string, Profile>();
  const statements: Batchable[] = [];
  const people = new Map<string, { id: string; householdId: string | null }>();
  const hh = new Set<string>();
  for (const r of rows) {
    const doc = project(history.filter((h) => h.personId === r.id).map(toDomainEvent), pctx);
    const householdId = byRef.get(lastRef.get(r.id) ?? "") ?? r.householdId;
    docs.set(r.id, doc);
    people.set(r.id, { id: r.id, householdId });
    for (const h of [r.householdId, householdId]) if (h) hh.add(h);
  }
  statements.push(
    ...repo.saveProfiles(
      rows.map(({ contacts: _c, version, ...r }) => ({
        ...r,
        householdId: people.get(r.id)!.householdId,
        dealerId: docs.get(r.id)!.dealerId,
        doc: docs.get(r.id)!,
        updatedAt: ctx.now,
        expectedVersion: version,
      })),
    ),
  );
  const saveCount = statements.length;
  statements.push(...(await householdStatements(ctx, [...hh], docs, people, new Map())));
  if (!statements.length) return;
  const out = await ctx.store.database.batch(statements);
  const saved = out.slice(0, saveCount).reduce((n: number, r) => n + ctx.store.database.changes(r), 0);
  if (saved < rows.length && attempt < 3)
    await rebuildProfiles(
      ctx,
      rows.map((r) => r.id),
      attempt + 1,
    );
}
