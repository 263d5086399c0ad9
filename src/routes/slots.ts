/** issue 10: dealers publish service capacity; bookings are made, listed, cancelled and moved. */
import { z } from "zod";
import { defineOperation } from "../http/operation";
import { pokeOutbox, type AppContext } from "../http/context";
import { Problem } from "../http/problems";
import { book, cancel, putSlots, reschedule } from "../services/bookings";
import { callerScope, serviceContext } from "../services/context";
import { profileInScope } from "../services/profiles";
import type { BookingRow, SlotRow } from "../store/channels";
import { IdParam, iso } from "./common";

const DealerParam = IdParam("dealerId", "dlr", "dlr_4bQm2kT9xYz01AbCdEfG");
const BookingParams = DealerParam.extend({
  bookingId: z.string().min(1).max(64).meta({ example: "bkg_4bQm2kT9xYz01AbCdEfG" }),
});

export const SlotSchema = z
  .object({
    id: z.string(),
    dealerId: z.string(),
    start: z.string().meta({ description: "ISO 8601 (UTC)" }),
    durationMinutes: z.number().int(),
    resource: z.enum(["bay", "loaner"]),
    capacity: z.number().int(),
    booked: z.number().int(),
    open: z.number().int().meta({ description: "Places left" }),
  })
  .meta({ id: "ServiceSlot" });

export const BookingSchema = z
  .object({
    id: z.string(),
    dealerId: z.string(),
    slotId: z.string(),
    profileId: z.string(),
    status: z.enum(["booked", "cancelled"]),
    start: z.string().nullable(),
    decisionId: z.string().nullable(),
    actionId: z.string().nullable(),
    createdAt: z.string(),
    cancelledAt: z.string().nullable(),
  })
  .meta({ id: "Booking" });

export const slotView = (s: SlotRow) => ({
  id: s.id,
  dealerId: s.dealerId,
  start: iso(s.startAt)!,
  durationMinutes: s.durationMin,
  resource: s.resource,
  capacity: s.capacity,
  booked: s.booked,
  open: Math.max(0, s.capacity - s.booked),
});

export const bookingView = (b: BookingRow, slot?: SlotRow | null) => ({
  id: b.id,
  dealerId: b.dealerId,
  slotId: b.slotId,
  profileId: b.personId,
  status: b.status,
  start: slot ? iso(slot.startAt) : null,
  decisionId: b.decisionId,
  actionId: b.actionId,
  createdAt: iso(b.createdAt)!,
  cancelledAt: iso(b.cancelledAt),
});

/** The dealer of the path, in the caller's scope (a dealer-bound key: only its own), or 404. */
async function dealerInScope(c: AppContext, dealerId: string) {
  const p = c.var.principal;
  const d = await c.var.deps.store.dealers.get({ tenantId: p.tenantId, dealerId: p.dealerId }, dealerId);
  if (!d) throw new Problem("not-found", "No such dealer.");
  return d;
}

const SlotInputSchema = z
  .object({
    start: z.iso.datetime({ offset: true }).meta({ example: "2027-01-12T08:00:00-06:00" }),
    durationMinutes: z.number().int().min(5).max(1440).default(60),
    resource: z
      .enum(["bay", "loaner"])
      .default("bay")
      .meta({ description: "A service bay, or a bay with a loaner car" }),
    capacity: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .meta({ description: "Places; 0 closes the slot (not below its bookings)" }),
  })
  .strict();

export const putServiceSlots = defineOperation({
  method: "put",
  path: "/v1/dealers/:dealerId/slots",
  auth: { kinds: ["server"], scope: "events:write" },
  problems: ["not-found", "capacity-below-bookings", "store-unavailable", "write-conflict"],
  schema: {
    tags: ["Service"],
    operationId: "putServiceSlots",
    summary: "Publish a dealer's service capacity: each (start, resource) is created or its capacity replaced",
    description:
      "Slots not named are left as they are; capacity 0 closes a slot; a capacity below what is booked is refused (409) and nothing is changed. A dealer-bound key may publish only its own dealer's slots.",
    request: {
      params: DealerParam,
      body: {
        content: {
          "application/json": {
            schema: z
              .object({ slots: z.array(SlotInputSchema).min(1).max(500) })
              .strict()
              .refine(
                (b) => new Set(b.slots.map((s) => `${Date.parse(s.start)}|${s.resource}`)).size === b.slots.length,
                "each (start, resource) at most once",
              ),
          },
        },
      },
    },
    responses: {
      "200": {
        description: "The dealer's slots from the earliest one given on",
        content: { "application/json": { schema: z.object({ slots: z.array(SlotSchema) }) } },
      },
    },
  },
  example: {
    body: {
      slots: [
        { start: "2027-01-12T08:00:00-06:00", durationMinutes: 60, resource: "bay", capacity: 2 },
        { start: "2027-01-12T09:00:00-06:00", durationMinutes: 60, resource: "loaner", capacity: 1 },
      ],
    },
  },
  async handle(c, { params, body }) {
    const dealer = await dealerInScope(c, params.dealerId as string);
    const rows = await putSlots(await serviceContext(c), c.var.deps.slotCache, dealer.id, body.slots);
    return c.json({ slots: rows.map(slotView) });
  },
});

export const listServiceSlots = defineOperation({
  method: "get",
  path: "/v1/dealers/:dealerId/slots",
  auth: { kinds: ["server"] },
  problems: ["not-found"],
  schema: {
    tags: ["Service"],
    operationId: "listServiceSlots",
    summary: "A dealer's service slots in a time window (default: the next 14 days)",
    request: {
      params: DealerParam,
      query: z.object({
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
      }),
    },
    responses: {
      "200": {
        description: "Slots by start",
        content: { "application/json": { schema: z.object({ slots: z.array(SlotSchema) }) } },
      },
    },
  },
  example: {},
  async handle(c, { params, query }) {
    const dealer = await dealerInScope(c, params.dealerId as string);
    const now = c.var.deps.now();
    const from = query.from ? Date.parse(query.from) : now;
    const to = query.to ? Date.parse(query.to) : from + 14 * 86_400_000;
    const rows = await c.var.deps.store.channels.listSlots(c.var.principal.tenantId, dealer.id, from, to);
    return c.json({ slots: rows.map(slotView) });
  },
});

export const bookSlot = defineOperation({
  method: "post",
  path: "/v1/dealers/:dealerId/bookings",
  auth: { kinds: ["server"], scope: "events:write" },
  problems: ["not-found", "slot-unavailable", "store-unavailable", "write-conflict"],
  schema: {
    tags: ["Service"],
    operationId: "bookSlot",
    summary: "Book a service slot for a person (atomic: a slot is never booked beyond its capacity)",
    description:
      "Records a `service_booked` event on the person (service reminders stop until the slot has passed), sends `booking.created` to webhooks, and attributes an `accept` outcome to the decision that offered the slot (`decisionId`), or to the latest one that showed `actionId`. 409 `slot-unavailable` when no place is left.",
    request: {
      params: DealerParam,
      body: {
        content: {
          "application/json": {
            schema: z
              .object({
                slotId: z.string().min(1).max(64),
                profileId: z.string().min(1).max(64),
                decisionId: z.string().min(1).max(1024).optional(),
                actionId: z.string().min(1).max(64).optional(),
              })
              .strict(),
          },
        },
      },
    },
    responses: {
      "201": { description: "Booked", content: { "application/json": { schema: BookingSchema } } },
    },
  },
  example: { body: { slotId: "slt_4bQm2kT9xYz01AbCdEfG", profileId: "prs_4bQm2kT9xYz01AbCdEfG" } },
  async handle(c, { params, body }) {
    const dealer = await dealerInScope(c, params.dealerId as string);
    const ctx = await serviceContext(c);
    const scope = callerScope(c);
    await profileInScope(ctx, scope, body.profileId);
    const slot = await ctx.store.channels.slot(ctx.tenant.id, body.slotId);
    if (!slot || slot.dealerId !== dealer.id) throw new Problem("not-found", "No such slot at this dealer.");
    const r = await book(ctx, c.var.deps.slotCache, scope, {
      slotId: body.slotId,
      personId: body.profileId,
      decisionId: body.decisionId ?? null,
      actionId: body.actionId ?? null,
      tokenId: null,
    });
    pokeOutbox(c);
    return c.json(bookingView(r.booking, r.slot), 201);
  },
});

export const listBookings = defineOperation({
  method: "get",
  path: "/v1/dealers/:dealerId/bookings",
  auth: { kinds: ["server"], scope: "profiles:read" },
  problems: ["not-found"],
  schema: {
    tags: ["Service"],
    operationId: "listBookings",
    summary: "A dealer's bookings, newest first",
    request: {
      params: DealerParam,
      query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    },
    responses: {
      "200": {
        description: "Bookings",
        content: { "application/json": { schema: z.object({ bookings: z.array(BookingSchema) }) } },
      },
    },
  },
  example: {},
  async handle(c, { params, query }) {
    const dealer = await dealerInScope(c, params.dealerId as string);
    const rows = await c.var.deps.store.channels.listBookings(c.var.principal.tenantId, dealer.id, query.limit);
    return c.json({ bookings: rows.map((b) => bookingView(b)) });
  },
});

export const cancelBooking = defineOperation({
  method: "post",
  path: "/v1/dealers/:dealerId/bookings/:bookingId/cancel",
  auth: { kinds: ["server"], scope: "events:write" },
  problems: ["not-found", "store-unavailable", "write-conflict"],
  schema: {
    tags: ["Service"],
    operationId: "cancelBooking",
    summary: "Cancel a booking (idempotent): its place goes back, `booking.cancelled` goes to webhooks",
    request: {
      params: BookingParams,
      body: {
        content: {
          "application/json": { schema: z.object({ reason: z.string().min(1).max(200).optional() }).strict() },
        },
      },
    },
    responses: { "200": { description: "Cancelled", content: { "application/json": { schema: BookingSchema } } } },
  },
  example: { body: { reason: "customer called" } },
  async handle(c, { params, body }) {
    const dealer = await dealerInScope(c, params.dealerId as string);
    const scope = { ...callerScope(c), dealerId: dealer.id };
    const b = await cancel(
      await serviceContext(c),
      c.var.deps.slotCache,
      scope,
      params.bookingId as string,
      body.reason,
    );
    pokeOutbox(c);
    return c.json(bookingView(b));
  },
});

export const rescheduleBooking = defineOperation({
  method: "post",
  path: "/v1/dealers/:dealerId/bookings/:bookingId/reschedule",
  auth: { kinds: ["server"], scope: "events:write" },
  problems: ["not-found", "slot-unavailable", "booking-not-active", "store-unavailable", "write-conflict"],
  schema: {
    tags: ["Service"],
    operationId: "rescheduleBooking",
    summary: "Move a booking to another slot of the same dealer, atomically (old place back, new one taken)",
    request: {
      params: BookingParams,
      body: { content: { "application/json": { schema: z.object({ slotId: z.string().min(1).max(64) }).strict() } } },
    },
    responses: {
      "201": { description: "The new booking", content: { "application/json": { schema: BookingSchema } } },
    },
  },
  example: { body: { slotId: "slt_4bQm2kT9xYz01AbCdEfG" } },
  async handle(c, { params, body }) {
    const dealer = await dealerInScope(c, params.dealerId as string);
    const scope = { ...callerScope(c), dealerId: dealer.id };
    const ctx = await serviceContext(c);
    const b = await reschedule(ctx, c.var.deps.slotCache, scope, params.bookingId as string, body.slotId);
    pokeOutbox(c);
    return c.json(bookingView(b, await ctx.store.channels.slot(ctx.tenant.id, b.slotId)), 201);
  },
});
