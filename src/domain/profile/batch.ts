/**
 * What a resolved batch does to profiles, households and contact logs — pure, between the ingestion's reads
 * and its writes: which histories must be read (replays, merges), the profiles after the batch, who lives in
 * which household and each touched household's document, and the survivors' folded contact logs.
 */
import { foldContacts, type ContactLog } from "../decide/contacts";
import type { DomainEvent } from "./events";
import { householdDoc } from "./household";
import { applyEvent, eventKey, project, type ProjectionContext } from "./project";
import type { PreparedEvent, ResolvePlan } from "./resolve";
import type { HouseholdDoc, Profile } from "./types";

/** A person as stored when the batch was read. */
export interface StoredPerson {
  id: string;
  hasRow: boolean;
  doc: Profile | null;
  mergedInto: string | null;
  householdId: string | null;
  contacts: unknown;
}

/** A household with its live members' documents, as read in one statement with its version. */
export interface HouseholdMembers {
  id: string;
  ref: string;
  version: number;
  members: Map<string, Profile>;
}

export interface ProjectionNeeds {
  /** Final person -> the stored people merged into it by this batch. */
  absorbedOf: Map<string, string[]>;
  /** People whose profile is projected again from every event (new ones, merged, late events). */
  replay: Set<string>;
  /** Whose stored events must be read for the replays. */
  historyOf: string[];
  /** Person -> the household reference of its latest event that names one. */
  newRef: Map<string, string>;
  /** Households the batch's people lived in before it (theirs or an absorbed person's). */
  oldHouseholds: string[];
}

const byKey = (a: { occurredAt: number; id: string }, b: { occurredAt: number; id: string }) =>
  eventKey(a) < eventKey(b) ? -1 : 1;

/** What must be read before projecting. */
export function projectionNeeds(plan: ResolvePlan, people: ReadonlyMap<string, StoredPerson>): ProjectionNeeds {
  const absorbedOf = new Map<string, string[]>();
  for (const m of plan.merges) {
    const s = plan.live(m.survivor);
    if (people.get(m.absorbed)?.hasRow) absorbedOf.set(s, [...(absorbedOf.get(s) ?? []), m.absorbed]);
  }
  const replay = new Set<string>();
  for (const [id, events] of plan.eventsOf) {
    const row = people.get(id);
    const doc = row?.doc;
    if (absorbedOf.has(id) || !doc || row.mergedInto !== null || events.some((p) => eventKey(p.event) < doc.lastKey))
      replay.add(id);
  }
  const historyOf = [...replay].flatMap((id) => [
    ...(people.get(id)?.hasRow ? [id] : []),
    ...(absorbedOf.get(id) ?? []),
  ]);
  const newRef = new Map<string, string>();
  for (const [id, list] of plan.eventsOf) {
    const withRef = list.filter((p) => p.householdRef).sort((a, b) => byKey(a.event, b.event));
    if (withRef.length) newRef.set(id, withRef.at(-1)!.householdRef!);
  }
  const oldHouseholds = [
    ...new Set(
      [
        ...[...plan.eventsOf.keys()].map((id) => people.get(id)?.householdId),
        ...plan.merges.map((m) => people.get(m.absorbed)?.householdId),
      ].filter((h): h is string => !!h),
    ),
  ];
  return { absorbedOf, replay, historyOf, newRef, oldHouseholds };
}

/** A batch event as the projection sees it: service on someone else's car is marked so. */
export function batchEvent(p: PreparedEvent, plan: ResolvePlan): DomainEvent {
  const r = plan.resolutions.find((x) => x.index === p.index);
  return r?.status === "resolved" && r.serviceOnly ? ({ ...p.event, serviceOnly: true } as DomainEvent) : p.event;
}

/**
 * Profiles after the batch: replayed from every event where needed, else the new events applied to the stored
 * profile. `history`: the stored events of `needs.historyOf`, with the person each belonged to.
 */
export function projectPeople(
  plan: ResolvePlan,
  people: ReadonlyMap<string, StoredPerson>,
  needs: ProjectionNeeds,
  history: readonly { personId: string | null; event: DomainEvent }[],
  ctx: ProjectionContext,
): Map<string, Profile> {
  const docs = new Map<string, Profile>();
  for (const [id, list] of plan.eventsOf) {
    const fresh = list.map((p) => batchEvent(p, plan));
    if (needs.replay.has(id)) {
      const mine = new Set([id, ...(needs.absorbedOf.get(id) ?? [])]);
      const past = history.filter((h) => h.personId && mine.has(h.personId)).map((h) => h.event);
      docs.set(id, project([...past, ...fresh], ctx));
    } else {
      const doc = structuredClone(people.get(id)!.doc!);
      for (const e of [...fresh].sort(byKey)) applyEvent(doc, e, ctx);
      docs.set(id, doc);
    }
  }
  return docs;
}

/**
 * Who lives where after the batch (an event's `householdRef` moves its person; absorbed people leave), and the
 * document of every household touched, from all its members. A reference not stored yet becomes a household
 * with `newHouseholdId()` and `version: null`.
 */
export function placeInHouseholds(
  plan: ResolvePlan,
  people: ReadonlyMap<string, StoredPerson>,
  needs: ProjectionNeeds,
  docs: ReadonlyMap<string, Profile>,
  households: readonly HouseholdMembers[],
  newHouseholdId: () => string,
): {
  householdOf: Map<string, string | null>;
  rows: { id: string; ref: string; version: number | null; doc: HouseholdDoc }[];
} {
  const byRef = new Map(households.map((h) => [h.ref, h]));
  const byId = new Map(households.map((h) => [h.id, h]));
  const fresh = new Set<HouseholdMembers>();
  const householdOf = new Map<string, string | null>();
  const touched = new Set<string>(needs.oldHouseholds);
  for (const id of plan.eventsOf.keys()) {
    const ref = needs.newRef.get(id);
    let hid = people.get(id)?.householdId ?? null;
    if (ref) {
      let h = byRef.get(ref);
      if (!h) {
        h = { id: newHouseholdId(), ref, version: 0, members: new Map() };
        fresh.add(h);
        byRef.set(ref, h);
        byId.set(h.id, h);
      }
      hid = h.id;
    }
    householdOf.set(id, hid);
    if (hid) touched.add(hid);
  }
  const leaving = new Set(plan.merges.map((m) => m.absorbed));
  const rows: { id: string; ref: string; version: number | null; doc: HouseholdDoc }[] = [];
  for (const hid of touched) {
    const h = byId.get(hid);
    if (!h) continue;
    const members = new Map<string, Profile>();
    for (const [pid, doc] of h.members) if (!leaving.has(pid) && !householdOf.has(pid)) members.set(pid, doc);
    for (const [pid, at] of householdOf) if (at === hid) members.set(pid, docs.get(pid)!);
    rows.push({ id: h.id, ref: h.ref, version: fresh.has(h) ? null : h.version, doc: householdDoc(members) });
  }
  return { householdOf, rows };
}

/** Survivors' contact logs with what each absorbed person was shown, dismissed and ignored folded in. */
export function foldedContacts(
  plan: ResolvePlan,
  people: ReadonlyMap<string, StoredPerson>,
): Map<string, ContactLog | null> {
  const of = (id: string) => (people.get(id)?.contacts as ContactLog | null) ?? null;
  const out = new Map<string, ContactLog | null>();
  for (const m of plan.merges) {
    const s = plan.live(m.survivor);
    out.set(s, foldContacts(out.has(s) ? out.get(s)! : of(s), of(m.absorbed)));
  }
  return out;
}
