/**
 * Identity resolution and ownership, pure: given a batch's validated events, what the store says their
 * identifiers belong to, and who is asking, decide for each event the person it is about (an existing one or a
 * new one), the identifiers to claim, the merges to make, the VINs that change keeper — or a refusal. Every
 * write of the identity graph goes through here, so the ownership rules live here and nowhere else:
 *
 * - a dealer-bound key acts only on people of its own dealer (or on people it creates, or on a record of a car
 *   that belongs to nobody yet); an event that names anyone else by any identifier is refused, creates no link,
 *   merge or move, and the refusal names no person and no dealer. The one exception is service a dealer did on
 *   another dealer's car: a `service_visit` naming only the VIN is added to that car's history, moves no one
 *   and answers without a person id;
 * - a publishable key names only the visitor of a token Pitwall issued to it, and no VIN;
 * - a vehicle key names only its own VIN;
 * - naming a household (`householdRef`) is a write about every member: browser and car keys may not, a dealer-bound
 *   key only when every member of an existing household is its dealer's.
 *
 * Example: `resolveBatch({ events, owners, people, caller: { kind: "server", dealerId: null, vin: null }, now,
 * newPersonId, newMergeId })`.
 */
import type { KeyKind } from "../keys";
import type { DomainEvent, EventType } from "./events";
import type { IdentityKind } from "./identity";

export interface Ident {
  kind: IdentityKind;
  value: string;
}

/** A validated event of the batch: its identifiers as stored (emails and phones hashed) and the VINs it names. */
export interface PreparedEvent {
  index: number;
  /** The event as stored: its id in the key's namespace (see eventNamespace). */
  event: DomainEvent;
  /** The id as the client sent it, for the answer. */
  clientId: string;
  /** The identifier fields the request named (`visitorToken`, `customerId`, `vin`, …). */
  fields: readonly string[];
  /** Identifiers on the event, VINs included (a visitor token already verified and turned into its visitor). */
  ids: Ident[];
  /** VINs named by the identifiers or by `data.vin`. */
  vins: string[];
  householdRef?: string;
  source?: string;
  /** issue 10: the contact details a lead event carried (email, phone as given, normalized); only for the outbox. */
  contact?: { email?: string; phone?: string };
}

/** What the store says about a person an identifier belongs to. */
export interface KnownPerson {
  id: string;
  dealerId: string | null;
  createdAt: number;
  /** Has a customer id: a known customer. */
  known: boolean;
  /** Identifiers that name a person (customer, email, phone, visitor); 0 for the record of a car alone. */
  personIds: number;
}

/** Who is asking. */
export interface Caller {
  kind: KeyKind;
  /** The dealer a key is bound to, or null for a brand-wide key. */
  dealerId: string | null;
  /** The VIN a vehicle key is bound to. */
  vin: string | null;
}

export interface ResolveInput {
  /** In request order. */
  events: readonly PreparedEvent[];
  /** Stored identifier -> person, keyed by `identKey`. */
  owners: ReadonlyMap<string, string>;
  /** Every person `owners` names (and the subject). */
  people: ReadonlyMap<string, KnownPerson>;
  caller: Caller;
  /** For a dealer-bound caller: the dealers of the live members of each existing household an event names, by ref. */
  households?: ReadonlyMap<string, readonly (string | null)[]>;
  /** Every event is about this person (a consent change by profile id, already checked to be in scope). */
  subject?: string | null;
  now: number;
  newPersonId: () => string;
  newMergeId: () => string;
}

export type Resolution =
  | { index: number; status: "refused"; reason: string; pointer: string }
  | {
      index: number;
      status: "resolved";
      /** The person the event first resolved to (unmerge gives it back to them). */
      origin: string;
      /** Recorded on another dealer's car: adds to its history, moves no one, and the answer names no one. */
      serviceOnly: boolean;
      notes: string[];
      mergeIds: string[];
    };

export interface MergePlan {
  id: string;
  survivor: string;
  absorbed: string;
  eventId: string;
  reason: string;
  /** Identifiers this batch had attached to the absorbed person before the merge (stored ones are read later). */
  batchIds: Ident[];
}

export interface ResolvePlan {
  resolutions: Resolution[];
  /** New identifiers: identKey -> the (final) person that claims them. */
  claims: Map<string, { ident: Ident; personId: string }>;
  /** Stored identifiers that change person other than through a merge (a VIN's new keeper). */
  moves: { ident: Ident; from: string; to: string }[];
  merges: MergePlan[];
  /** People created by this batch, with their creation time. */
  created: Map<string, { createdAt: number }>;
  /** Stored people whose rows must still be at the version read: everyone this batch changes. */
  touched: Set<string>;
  /** The final person of an id (after this batch's merges). */
  live(id: string): string;
  /** Final person -> the events of this batch it now holds, in request order. */
  eventsOf: Map<string, PreparedEvent[]>;
  /** Final person -> whether it has a customer id after this batch. */
  known: Map<string, boolean>;
  /** The final person an identifier belongs to after this batch, or undefined (a stored event keeps only its own). */
  ownerOf(i: Ident): string | undefined;
}

/** Key of an identifier in `owners`. */
export const identKey = (i: Ident): string => `${i.kind}\u0000${i.value}`;

/** Events whose VIN moves to the person who sends it (a change of keeper). */
export const OWNERSHIP_EVENTS: ReadonlySet<EventType> = new Set(["purchase", "lease_started", "loan_started"]);
/** Identifier kinds that name a person; a record with none of them is the record of a car. */
export const PERSON_KINDS: ReadonlySet<IdentityKind> = new Set(["customer", "email", "phone", "visitor"]);
/** Strongest first: when two known customers collide, the event follows the strongest identifier. */
const STRENGTH: readonly IdentityKind[] = ["customer", "email", "phone", "device", "visitor"];

/**
 * The namespace of a key's event ids: a brand-wide server key writes in the brand's own; every other key in one of
 * its own (a dealer's, a browser key's, a car key's), so that no key can claim an id another key will use (a
 * browser sending the id of the quote request the brand's backend is about to send). Example:
 * `eventNamespace({ kind: "publishable", dealerId: null, vin: null }, "key_1") === "key_1/"`.
 */
export function eventNamespace(caller: Caller, keyId: string): string {
  if (caller.kind === "server") return caller.dealerId ? `${caller.dealerId}/` : "";
  return `${keyId}/`;
}

/** What a refusal says: that the key may not write it, never whose it is or where. */
export const OUT_OF_SCOPE = "refused: an identifier of this event belongs to no one this key may write about";

/**
 * Whether a browser or car key may name these identifiers at all (checked on the raw request too, where one
 * foreign identifier refuses the whole request). Returns the reason, or null. Example:
 * `subjectRefusal({ kind: "publishable", dealerId: null, vin: null }, ["email"], undefined)` is a reason.
 */
export function subjectRefusal(
  caller: Caller,
  fields: readonly string[],
  dataVin: unknown,
  vin?: unknown,
): string | null {
  if (caller.kind === "publishable") {
    if (fields.some((f) => f !== "visitorToken") || !fields.length)
      return "a publishable key names its visitor only by the visitorToken Pitwall issued to it";
    if (dataVin !== undefined) return "a publishable key may not name a VIN";
  }
  if (caller.kind === "vehicle") {
    if (fields.some((f) => f !== "vin") || vin !== caller.vin || (dataVin !== undefined && dataVin !== caller.vin))
      return "a vehicle key may only send events for its own VIN";
  }
  return null;
}

interface State extends KnownPerson {
  isNew: boolean;
}

/** Resolves a batch; pure and deterministic for a given input and id generators. */
export function resolveBatch(input: ResolveInput): ResolvePlan {
  const { caller, now } = input;
  const owner = new Map(input.owners);
  const people = new Map<string, State>();
  for (const p of input.people.values()) people.set(p.id, { ...p, isNew: false });
  const mergedInto = new Map<string, string>();
  const live = (id: string): string => {
    let cur = id;
    while (mergedInto.has(cur)) cur = mergedInto.get(cur)!;
    return cur;
  };
  const claims = new Map<string, { ident: Ident; personId: string }>();
  const claimedBy = new Map<string, Ident[]>();
  const moves = new Map<string, { ident: Ident; from: string; to: string }>();
  const merges: MergePlan[] = [];
  const created = new Map<string, { createdAt: number }>();
  const touched = new Set<string>();
  const resolutions: Resolution[] = [];
  const eventsOf = new Map<string, PreparedEvent[]>();
  const origins = new Map<PreparedEvent, string>();

  const state = (id: string): State => people.get(live(id))!;
  const inScope = (p: State): boolean =>
    !caller.dealerId || p.isNew || p.dealerId === caller.dealerId || (p.personIds === 0 && p.dealerId === null);
  const newPerson = (): State => {
    const id = input.newPersonId();
    const s: State = { id, dealerId: caller.dealerId, createdAt: now, known: false, personIds: 0, isNew: true };
    people.set(id, s);
    created.set(id, { createdAt: now });
    return s;
  };
  const attach = (i: Ident, to: State) => {
    const k = identKey(i);
    const stored = input.owners.get(k);
    if (stored === undefined) {
      if (!claims.has(k)) {
        claims.set(k, { ident: i, personId: to.id });
        claimedBy.set(to.id, [...(claimedBy.get(to.id) ?? []), i]);
        if (PERSON_KINDS.has(i.kind)) to.personIds++;
        if (i.kind === "customer") to.known = true;
      }
    }
    owner.set(k, to.id);
  };
  const merge = (
    survivor: State,
    absorbed: State,
    e: PreparedEvent,
    reason: string,
    notes: string[],
    ids: string[],
  ) => {
    mergedInto.set(absorbed.id, survivor.id);
    survivor.known ||= absorbed.known;
    survivor.personIds += absorbed.personIds;
    if (!absorbed.isNew) touched.add(absorbed.id);
    if (!survivor.isNew) touched.add(survivor.id);
    const id = input.newMergeId();
    merges.push({
      id,
      survivor: survivor.id,
      absorbed: absorbed.id,
      eventId: e.event.id,
      reason,
      batchIds: claimedBy.get(absorbed.id) ?? [],
    });
    ids.push(id);
    notes.push(`merged ${absorbed.id} into ${survivor.id}`);
  };
  /** The survivor of a merge: the known customer, else the older record. */
  const survivorOf = (a: State, b: State): State => {
    if (a.known !== b.known) return a.known ? a : b;
    return a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? a : b) : a.id < b.id ? a : b;
  };

  for (const e of [...input.events].sort((x, y) => x.index - y.index)) {
    const refused = (reason: string, pointer = "/identifiers") =>
      resolutions.push({ index: e.index, status: "refused", reason, pointer });
    const why = input.subject
      ? null
      : subjectRefusal(
          caller,
          e.fields,
          (e.event.data as { vin?: unknown }).vin,
          e.ids.find((i) => i.kind === "vin")?.value,
        );
    if (why) {
      refused(why);
      continue;
    }
    if (e.householdRef) {
      if (caller.kind !== "server") {
        refused(`a ${caller.kind} key may not name a household`, "/householdRef");
        continue;
      }
      const members = caller.dealerId ? input.households?.get(e.householdRef) : undefined;
      if (members?.some((d) => d !== caller.dealerId)) {
        refused(OUT_OF_SCOPE, "/householdRef");
        continue;
      }
    }
    const strong = e.ids
      .filter((i) => i.kind !== "vin")
      .sort((a, b) => STRENGTH.indexOf(a.kind) - STRENGTH.indexOf(b.kind));
    const vinIds: Ident[] = e.vins.map((value) => ({ kind: "vin", value }));
    const ownerOf = (i: Ident): State | undefined => {
      const o = owner.get(identKey(i));
      return o === undefined ? undefined : state(o);
    };
    const named = [...new Set([...strong, ...vinIds].map(ownerOf).filter((s): s is State => !!s))];
    const subject = input.subject ? state(input.subject) : null;
    if (subject) named.push(subject);
    const outside = named.filter((p) => !inScope(p));
    const notes: string[] = [];
    const mergeIds: string[] = [];

    if (outside.length) {
      // Service done on another dealer's car, named by its VIN alone: history for the car, no move, no reveal.
      const serviceOnly =
        e.event.type === "service_visit" && strong.length === 0 && named.length === 1 && vinIds.length === 1;
      if (!serviceOnly) {
        refused(OUT_OF_SCOPE);
        continue;
      }
      const keeper = outside[0]!;
      if (!keeper.isNew) touched.add(keeper.id);
      origins.set(e, keeper.id);
      resolutions.push({ index: e.index, status: "resolved", origin: keeper.id, serviceOnly: true, notes, mergeIds });
      continue;
    }

    const strongPeople = [...new Set(strong.map(ownerOf).filter((s): s is State => !!s))];
    const vinPeople = [...new Set(vinIds.map(ownerOf).filter((s): s is State => !!s))];
    let target: State;
    if (subject) target = subject;
    else if (strong.length === 0 && vinPeople.length > 0)
      target = vinPeople[0]!; // a car speaking for itself
    else if (strongPeople.length === 0) target = newPerson();
    else {
      target = strongPeople[0]!;
      for (const other0 of strongPeople.slice(1)) {
        const other = state(other0.id);
        if (other.id === target.id) continue;
        if (target.known && other.known && e.event.type !== "identities_linked") {
          notes.push(`not linked: identifiers of two known customers (${target.id}, ${other.id})`);
          continue;
        }
        const survivor = survivorOf(target, other);
        merge(survivor, survivor === target ? other : target, e, `event ${e.event.type}`, notes, mergeIds);
        target = survivor;
      }
    }
    // Identifiers that belong to nobody (or already to the target) are linked to it.
    for (const i of strong) {
      const o = ownerOf(i);
      if (!o || o.id === target.id) attach(i, target);
    }
    for (const i of vinIds) {
      const current = ownerOf(i);
      if (current && current.id !== target.id && current.personIds === 0) {
        // Telemetry that arrived before the keeper was known: the car's record joins its keeper.
        merge(target, current, e, "vehicle-only record joined its keeper", notes, mergeIds);
      } else if (!current) attach(i, target);
      else if (current.id !== target.id && OWNERSHIP_EVENTS.has(e.event.type)) {
        notes.push(`vehicle ${i.value} changed keeper`);
        const k = identKey(i);
        if (claims.has(k)) claims.set(k, { ident: i, personId: target.id });
        else {
          const stored = input.owners.get(k)!;
          moves.set(k, { ident: i, from: stored, to: target.id });
          if (!current.isNew) touched.add(current.id);
        }
        owner.set(k, target.id);
      }
    }
    if (!target.isNew) touched.add(target.id);
    origins.set(e, target.id);
    resolutions.push({ index: e.index, status: "resolved", origin: target.id, serviceOnly: false, notes, mergeIds });
  }

  for (const c of claims.values()) c.personId = live(c.personId);
  const finalMoves = [...moves.values()].map((m) => ({ ...m, to: live(m.to) })).filter((m) => m.from !== m.to);
  for (const [e, o] of origins) {
    const id = live(o);
    eventsOf.set(id, [...(eventsOf.get(id) ?? []), e]);
  }
  for (const list of eventsOf.values()) list.sort((a, b) => a.index - b.index);
  const known = new Map<string, boolean>();
  for (const [id, s] of people) if (!mergedInto.has(id)) known.set(id, s.known);
  return {
    resolutions: resolutions.sort((a, b) => a.index - b.index),
    claims,
    moves: finalMoves,
    merges,
    created,
    touched,
    live,
    eventsOf,
    known,
    ownerOf: (i) => {
      const o = owner.get(identKey(i));
      return o === undefined ? undefined : live(o);
    },
  };
}
