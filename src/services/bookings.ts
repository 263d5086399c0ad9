/**
 * Service capacity and bookings. A booking is one atomic batch through the normal event path: the
 * `service_booked` event (projected onto the person, so reminders stop), the slot's place taken only while one is
 * left (a guarded write: 50 concurrent attempts on a one-place slot give exactly one booking), the booking row
 * (a booking link's id must be new: single use), and the `booking.created` outbox message. The outcome is then
 * attributed (`accept`) to the decision that offered the slot.
 */
import type { Principal } from "../http/context";
import { Problem } from "../http/problems";
import { newId } from "../lib/crypto";
import type { Scope } from "../store";
import type { BookingRow, SlotRow } from "../store/channels";
import { classify } from "../store/conflicts";
import { ingestEvents, type IngestContext } from "./ingest";
import { outboxMessage, outboxStatements } from "./outbox";
import { attributeOutcome, recordOutcome } from "./outcomes";
import { unavailable } from "./retry";
import type { SlotCache } from "./slot-cache";

/** The principal of a link a person clicked: the brand itself (the sealed token is the authority). */
export function linkPrincipal(tenantId: string): Principal {
  return {
    keyId: "link",
    tenantId,
    kind: "server",
    scopes: new Set(["events:write"]),
    dealerId: null,
    vin: null,
    origin: null,
  };
}

export interface SlotInput {
  start: string;
  durationMinutes: number;
  resource: "bay" | "loaner";
  capacity: number;
}

/** Publishes a dealer's capacity: each (start, resource) upserted; never below what is booked (409). */
export async function putSlots(ctx: IngestContext, cache: SlotCache, dealerId: string, input: SlotInput[]) {
  const { store, tenant, now } = ctx;
  const rows = input.map((s) => ({
    id: newId("slt"),
    startAt: Date.parse(s.start),
    durationMin: s.durationMinutes,
    resource: s.resource,
    capacity: s.capacity,
    createdAt: now,
    updatedAt: now,
  }));
  try {
    await store.database.batch(store.channels.putSlots(tenant.id, dealerId, rows));
  } catch (e) {
    if (classify(e) !== "conflict") throw e;
    const over = await store.channels.overbooked(
      tenant.id,
      dealerId,
      rows.map((r) => ({ startAt: r.startAt, resource: r.resource, capacity: r.capacity })),
    );
    if (!over.length) throw unavailable("conflict", "put service slots", e);
    throw new Problem(
      "capacity-below-bookings",
      over.map((o) => `${new Date(o.start_at).toISOString()} ${o.resource}: ${o.booked} booked`).join("; "),
      {
        errors: over.map((o) => ({
          in: "body",
          pointer: `/slots/${rows.findIndex((r) => r.startAt === o.start_at && r.resource === o.resource)}/capacity`,
          reason: `${o.booked} already booked`,
        })),
      },
    );
  } finally {
    cache.drop(tenant.id);
  }
  return store.channels.listSlots(
    tenant.id,
    dealerId,
    Math.min(...rows.map((r) => r.startAt)),
    Number.MAX_SAFE_INTEGER,
  );
}

export interface BookRequest {
  slotId: string;
  personId: string;
  decisionId: string | null;
  actionId: string | null;
  /** A booking link's id (single use), or null for bookSlot. */
  tokenId: string | null;
}

export type BookResult = { booking: BookingRow; slot: SlotRow; created: boolean };

/** Books a slot for a person, once; refuses with 409 when no place is left (re-read in every attempt). */
export async function book(ctx: IngestContext, cache: SlotCache, scope: Scope, req: BookRequest): Promise<BookResult> {
  const { store, tenant, now } = ctx;
  const slot = await store.channels.slot(tenant.id, req.slotId);
  if (!slot || (scope.dealerId && slot.dealerId !== scope.dealerId)) throw new Problem("not-found", "No such slot.");
  if (slot.startAt <= now) throw new Problem("slot-unavailable", "This slot has started.");
  const bookingId = newId("bkg");
  const row: BookingRow = {
    id: bookingId,
    tenantId: tenant.id,
    dealerId: slot.dealerId,
    slotId: slot.id,
    personId: req.personId,
    status: "booked",
    tokenId: req.tokenId,
    decisionId: req.decisionId,
    actionId: req.actionId,
    createdAt: now,
    cancelledAt: null,
  };
  let existing: BookingRow | undefined;
  const event = {
    id: `booked-${bookingId}`,
    type: "service_booked",
    occurredAt: new Date(now).toISOString(),
    source: req.tokenId ? "booking-link" : "api",
    data: {
      bookingId,
      slotId: slot.id,
      atDealerId: slot.dealerId,
      start: new Date(slot.startAt).toISOString(),
      durationMinutes: slot.durationMin,
      resource: slot.resource,
      ...(req.decisionId ? { decisionId: req.decisionId } : {}),
      ...(req.actionId ? { actionId: req.actionId } : {}),
    },
  };
  // One attempt at a time, each from a fresh read: a lost race for the slot answers 409 at once (the generic retry
  // queues retries per tenant, which would make 49 losers of one slot wait in line to learn it is full).
  let outcome: Awaited<ReturnType<typeof ingestEvents>> | null = null;
  for (let n = 0; ; n++) {
    try {
      outcome = await ingestEvents({ ...ctx, subject: req.personId }, [event], {
        policy: ONE_ATTEMPT,
        extra: async () => {
          // Every attempt reads again: a link used meanwhile, a slot that filled meanwhile.
          if (req.tokenId && (existing = await store.channels.bookingByToken(tenant.id, req.tokenId))) throw ALREADY;
          const now_ = await store.channels.slot(tenant.id, slot.id);
          if (!now_ || now_.booked >= now_.capacity)
            throw new Problem("slot-unavailable", "This slot is fully booked.");
          return [
            ...store.channels.takePlace(tenant.id, slot.id, now),
            ...store.channels.insertBooking(row),
            ...outboxStatements(
              store,
              outboxMessage(
                tenant.id,
                "booking.created",
                req.personId,
                {
                  bookingId,
                  personId: req.personId,
                  customerId: await store.channels.customerIdOf(tenant.id, req.personId),
                  dealerId: slot.dealerId,
                  slotId: slot.id,
                  start: event.data.start,
                  durationMinutes: slot.durationMin,
                  resource: slot.resource,
                  decisionId: req.decisionId,
                  actionId: req.actionId,
                },
                now,
              ),
            ),
          ];
        },
      });
      break;
    } catch (e) {
      if (e === ALREADY) break;
      const passing = e instanceof Problem && (e.type === "write-conflict" || e.type === "store-unavailable");
      if (!passing || n >= 9) throw e;
      const s = await store.channels.slot(tenant.id, slot.id);
      if (!s || s.booked >= s.capacity) throw new Problem("slot-unavailable", "This slot is fully booked.");
      await new Promise((r) => setTimeout(r, Math.min(200, 4 * 2 ** n) * (0.5 + Math.random())));
    }
  }
  cache.drop(tenant.id);
  if (outcome === null || existing) {
    const s = (await store.channels.slot(tenant.id, existing!.slotId)) ?? slot;
    return { booking: existing!, slot: s, created: false };
  }
  const r = outcome.results[0];
  if (r?.status === "rejected") throw new Problem("not-found", "No such profile.");
  await attribute(ctx, req);
  return { booking: row, slot: { ...slot, booked: slot.booked + 1 }, created: true };
}

const ALREADY = new Error("booking link used");
const ONE_ATTEMPT = { attempts: 1, faultBudgetMs: 0, conflictBudgetMs: 0, callerRetries: true };

/** The outcome of the decision that offered the slot: `accept`. Best effort (the booking stands either way). */
async function attribute(ctx: IngestContext, req: BookRequest): Promise<void> {
  if (!req.actionId) return;
  const deps = {
    store: ctx.store,
    principal: linkPrincipal(ctx.tenant.id),
    now: ctx.now,
    secret: ctx.tenant.secret ?? "",
    random: ctx.random ?? Math.random,
  };
  try {
    if (req.decisionId) await recordOutcome(deps, req.decisionId, req.actionId, "accept", ctx.now);
    else await attributeOutcome(deps, req.personId, req.actionId, "accept", ctx.now);
  } catch (e) {
    if (!(e instanceof Problem && e.type === "not-found"))
      console.error(JSON.stringify({ level: "warn", msg: "booking: outcome not attributed", error: String(e) }));
  }
}

/** Cancels a booking (its place goes back), idempotently; `booking.cancelled` goes out in the same batch. */
export async function cancel(ctx: IngestContext, cache: SlotCache, scope: Scope, bookingId: string, reason?: string) {
  const { store, tenant, now } = ctx;
  const found = await store.channels.booking(scope, bookingId);
  if (!found) throw new Problem("not-found", "No such booking.");
  if (found.status === "cancelled") return found;
  await ingestEvents(
    { ...ctx, subject: found.personId },
    [
      {
        id: `cancelled-${found.id}`,
        type: "service_booking_cancelled",
        occurredAt: new Date(now).toISOString(),
        data: { bookingId: found.id, ...(reason ? { reason } : {}) },
      },
    ],
    {
      extra: async () => {
        const b = await store.channels.booking(scope, bookingId);
        if (b?.status !== "booked") return [];
        return [
          ...store.channels.cancel(tenant.id, b, now),
          ...outboxStatements(store, cancelledMessage(ctx, b, reason ?? null)),
        ];
      },
    },
  );
  cache.drop(tenant.id);
  return (await store.channels.booking(scope, bookingId))!;
}

function cancelledMessage(ctx: IngestContext, b: BookingRow, reason: string | null) {
  return outboxMessage(
    ctx.tenant.id,
    "booking.cancelled",
    b.personId,
    { bookingId: b.id, personId: b.personId, dealerId: b.dealerId, slotId: b.slotId, reason },
    ctx.now,
  );
}

/** Moves a booking to another slot of the same dealer in one batch: the old place back, the new one taken. */
export async function reschedule(
  ctx: IngestContext,
  cache: SlotCache,
  scope: Scope,
  bookingId: string,
  slotId: string,
) {
  const { store, tenant, now } = ctx;
  const found = await store.channels.booking(scope, bookingId);
  if (!found) throw new Problem("not-found", "No such booking.");
  if (found.status !== "booked") throw new Problem("booking-not-active", "A cancelled booking cannot be moved.");
  const slot = await store.channels.slot(tenant.id, slotId);
  if (!slot || slot.dealerId !== found.dealerId) throw new Problem("not-found", "No such slot at this dealer.");
  if (slot.startAt <= now) throw new Problem("slot-unavailable", "This slot has started.");
  const row: BookingRow = {
    ...found,
    id: newId("bkg"),
    slotId: slot.id,
    tokenId: null,
    status: "booked",
    createdAt: now,
    cancelledAt: null,
  };
  const at = new Date(now).toISOString();
  await ingestEvents(
    { ...ctx, subject: found.personId },
    [
      {
        id: `cancelled-${found.id}`,
        type: "service_booking_cancelled",
        occurredAt: at,
        data: { bookingId: found.id, reason: "rescheduled" },
      },
      {
        id: `booked-${row.id}`,
        type: "service_booked",
        occurredAt: at,
        data: {
          bookingId: row.id,
          slotId: slot.id,
          atDealerId: slot.dealerId,
          start: new Date(slot.startAt).toISOString(),
          durationMinutes: slot.durationMin,
          resource: slot.resource,
        },
      },
    ],
    {
      extra: async () => {
        const b = await store.channels.booking(scope, bookingId);
        if (b?.status !== "booked") throw new Problem("booking-not-active", "The booking was cancelled meanwhile.");
        const s = await store.channels.slot(tenant.id, slot.id);
        if (!s || s.booked >= s.capacity) throw new Problem("slot-unavailable", "This slot is fully booked.");
        return [
          ...store.channels.cancel(tenant.id, b, now),
          ...store.channels.takePlace(tenant.id, slot.id, now),
          ...store.channels.insertBooking(row),
          ...outboxStatements(store, cancelledMessage(ctx, b, "rescheduled")),
          ...outboxStatements(
            store,
            outboxMessage(
              tenant.id,
              "booking.created",
              found.personId,
              {
                bookingId: row.id,
                personId: found.personId,
                dealerId: slot.dealerId,
                slotId: slot.id,
                start: new Date(slot.startAt).toISOString(),
                durationMinutes: slot.durationMin,
                resource: slot.resource,
                rescheduledFrom: found.id,
              },
              now,
            ),
          ),
        ];
      },
    },
  );
  cache.drop(tenant.id);
  return row;
}
