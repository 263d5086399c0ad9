/**
 * Event ingestion, in five phases: prepare (validate each event alone) → load (what the store says of the
 * batch's events and identifiers, in batched reads) → resolve (pure: people, links, merges, moves, refusals —
 * src/domain/profile/resolve.ts) → project (pure: profiles and households) → persist (one atomic batch of
 * conditional writes). When a concurrent writer wins a conditional write, the whole attempt runs again from a
 * fresh read; when the retries run out the caller gets 503 and nothing was written.
 */
import { foldedContacts, placeInHouseholds, projectionNeeds, projectPeople } from "../domain/profile/batch";
import type { DomainEvent } from "../domain/profile/events";
import type { ProjectionContext } from "../domain/profile/project";
import { identKey, resolveBatch, type PreparedEvent, type ResolvePlan } from "../domain/profile/resolve";
import type { Principal } from "../http/context";
import { newSortableId } from "../lib/crypto";
import type { Store } from "../store";
import type { EventRow, PersonRow } from "../store/customers";
import type { Tenant } from "../store/tenants";
import { dealersOf } from "./dealer-cache";
import { batchStatements } from "./ingest-write";
import { LEAD_TYPES, prepareEvent, referencedDealers, type Reason } from "./prepare-events";
import { outboxMessage, outboxStatements } from "./outbox";
import type { NewMessage } from "../store/outbox";
import { withRetries, type RetryPolicy } from "./retry";
import { VinService, type Decoded } from "./vins";
import type { Batchable } from "../store/db";

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
  /**
   * Statements for the same atomic batch, given the results (e.g. an audit entry for a link). Called in every attempt
   * (after its reads), so it may read too and throw a Problem to refuse (a booking whose slot filled meanwhile).
   */
  extra?: (results: EventResult[]) => Batchable[] | Promise<Batchable[]>;
  /** How the batch is retried (default WRITE_RETRIES); a caller with its own loop may take one attempt. */
  policy?: RetryPolicy;
}

export interface IngestOutcome {
  results: EventResult[];
  /** The stored response of an earlier request with the same Idempotency-Key. */
  replayed?: { requestHash: string; status: number; response: string };
  /** The response text stored with the Idempotency-Key (when one was given). */
  response?: string;
  /** issue 10: outbox messages this batch wrote (the dispatcher is woken when there are any). */
  outbox?: number;
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
    opts.policy,
  );
}

/** One read → resolve → project → write attempt. */
async function attempt(
  ctx: IngestContext,
  prepared: readonly PreparedEvent[],
  results: EventResult[],
  opts: IngestOptions,
): Promise<IngestOutcome> {
  const { store, tenant, now } = ctx;
  const repo = store.customers;
  const values = [...new Set(prepared.flatMap((p) => [...p.ids.map((i) => i.value), ...p.vins]))];

  // Load: duplicates, owners of the identifiers (with their versions), the subject, an earlier response.
  const refs = ctx.principal.dealerId
    ? [...new Set(prepared.flatMap((p) => (p.householdRef ? [p.householdRef] : [])))]
    : [];
  const [known, owned, subjectRows, prior, householdDealers] = await Promise.all([
    repo.eventStatuses(
      tenant.id,
      prepared.map((p) => p.event.id),
    ),
    repo.resolveIdentities(tenant.id, values, now),
    ctx.subject ? repo.peopleByIds(tenant.id, [ctx.subject], now) : Promise.resolve([]),
    opts.idempotency ? store.idempotency.get(tenant.id, opts.idempotency.key) : Promise.resolve(undefined),
    repo.householdDealers(tenant.id, refs),
  ]);
  if (prior) return { results, replayed: prior };
  const fresh = newEvents(prepared, known, results);
  const people = new Map<string, PersonRow>();
  const owners = new Map<string, string>();
  for (const o of owned) {
    owners.set(identKey(o), o.person.id);
    people.set(o.person.id, o.person);
  }
  for (const s of subjectRows) people.set(s.id, s);

  // Resolve (pure): people, links, merges, moves, refusals.
  const plan = resolveBatch({
    events: fresh,
    owners,
    people: new Map(
      [...people.values()].map((r) => [
        r.id,
        { id: r.id, dealerId: r.dealerId, createdAt: r.createdAt, known: r.known, personIds: r.personIds },
      ]),
    ),
    caller: { kind: ctx.principal.kind, dealerId: ctx.principal.dealerId, vin: ctx.principal.vin },
    households: householdDealers,
    subject: ctx.subject ?? null,
    now,
    newPersonId: () => newSortableId("prs", now),
    newMergeId: () => newSortableId("mrg", now),
  });

  // Load what projecting needs: histories to replay, households with their members, merged people's identifiers.
  const needs = projectionNeeds(plan, people);
  const [history, households, absorbedIds] = await Promise.all([
    needs.historyOf.length ? repo.eventsOf(tenant.id, needs.historyOf) : Promise.resolve([]),
    repo.householdsWithMembers(tenant.id, [...new Set(needs.newRef.values())], needs.oldHouseholds),
    plan.merges.length
      ? repo.identitiesOf(
          tenant.id,
          plan.merges.map((m) => m.absorbed),
        )
      : Promise.resolve([]),
  ]);
  const past = history.map((r) => ({ personId: r.personId, event: toDomainEvent(r) }));
  const decodes = await ctx.vins.decodeMany([...new Set([...fresh, ...past].flatMap((x) => vinsOf(x.event)))]);

  // Project (pure): profiles, households, folded contact logs.
  const docs = projectPeople(plan, people, needs, past, projectionContext(tenant, decodes));
  const placed = placeInHouseholds(plan, people, needs, docs, households, () => newSortableId("hh", now));
  fillResults(plan, fresh, results);

  // Persist: one atomic batch of guarded writes (and the Idempotency-Key record, if any).
  const statements = batchStatements(store, {
    tenantId: tenant.id,
    now,
    fresh,
    plan,
    people,
    docs,
    householdOf: placed.householdOf,
    households: placed.rows,
    contacts: foldedContacts(plan, people),
    absorbedIds,
  });
  let response: string | undefined;
  if (opts.idempotency) {
    response = opts.idempotency.render(results);
    // Every person the stored response names (accepted events, and the merges and notes): erasing any of them
    // erases the response too.
    const named = [...new Set(response.match(/\bprs_[A-Za-z0-9]+/g) ?? [])];
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
  // issue 10: leads and consent changes leave through the outbox, in the same atomic batch.
  const messages = outboxMessagesOf(tenant.id, plan, fresh, owned, now);
  for (const m of messages) statements.push(...outboxStatements(store, m));
  if (opts.extra) statements.push(...(await opts.extra(results)));
  if (statements.length) await store.database.batch(statements);
  return { results, outbox: messages.length, ...(response !== undefined ? { response } : {}) };
}

/**
 * The outbox messages of a batch: `lead.created` for a quote request or a booked test drive (with the contact
 * details the event carried), `consent.changed` for a consent change. Named by person id and, when known, customer id.
 */
function outboxMessagesOf(
  tenantId: string,
  plan: ResolvePlan,
  fresh: readonly PreparedEvent[],
  owned: readonly { kind: string; value: string; person: { id: string } }[],
  now: number,
): NewMessage[] {
  const byIndex = new Map(fresh.map((p) => [p.index, p]));
  const out: NewMessage[] = [];
  for (const r of plan.resolutions) {
    if (r.status !== "resolved" || r.serviceOnly) continue;
    const p = byIndex.get(r.index)!;
    const e = p.event;
    if (!LEAD_TYPES.has(e.type) && e.type !== "consent_changed") continue;
    const personId = plan.live(r.origin);
    const customerId =
      p.ids.find((i) => i.kind === "customer")?.value ??
      owned.find((o) => o.kind === "customer" && plan.live(o.person.id) === personId)?.value ??
      null;
    const at = new Date(e.occurredAt).toISOString();
    if (e.type === "consent_changed")
      out.push(
        outboxMessage(
          tenantId,
          "consent.changed",
          personId,
          { personId, customerId, eventId: e.id, at, change: e.data },
          now,
        ),
      );
    else
      out.push(
        outboxMessage(
          tenantId,
          "lead.created",
          personId,
          {
            leadId: e.id,
            kind: e.type === "quote_request" ? "quote" : "test_drive",
            eventId: e.id,
            personId,
            customerId,
            dealerId: e.dealerId,
            at,
            details: e.data,
            ...(p.contact ? { contact: p.contact } : {}),
          },
          now,
        ),
      );
  }
  return out;
}

/** Events not stored before (nor earlier in this batch); the others' results are set here. */
function newEvents(
  prepared: readonly PreparedEvent[],
  known: ReadonlyMap<string, string>,
  results: EventResult[],
): PreparedEvent[] {
  const seen = new Set<string>();
  const fresh: PreparedEvent[] = [];
  for (const p of prepared) {
    const status = known.get(p.event.id);
    if (status === "erased")
      results[p.index] = {
        index: p.index,
        id: p.clientId,
        status: "rejected",
        reasons: [{ pointer: "/id", reason: "this event belonged to an erased person and is refused" }],
      };
    else if (status || seen.has(p.event.id)) results[p.index] = { index: p.index, id: p.clientId, status: "duplicate" };
    else {
      seen.add(p.event.id);
      fresh.push(p);
    }
  }
  return fresh;
}

/** Each resolved event's result: its person (not for service on someone else's car), merges, notes; or why not. */
function fillResults(plan: ResolvePlan, fresh: readonly PreparedEvent[], results: EventResult[]): void {
  const byIndex = new Map(fresh.map((p) => [p.index, p]));
  for (const r of plan.resolutions) {
    const id = byIndex.get(r.index)!.clientId;
    results[r.index] =
      r.status === "refused"
        ? { index: r.index, id, status: "rejected", reasons: [{ pointer: r.pointer, reason: r.reason }] }
        : {
            index: r.index,
            id,
            status: "accepted",
            ...(r.serviceOnly ? {} : { personId: plan.live(r.origin) }),
            ...(r.mergeIds.length ? { merges: r.mergeIds } : {}),
            ...(r.notes.length ? { notes: r.notes } : {}),
          };
  }
}
