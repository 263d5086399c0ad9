/**
 * Service capacity, bookings and reminder runs. Booking is one guarded statement pair: the slot's `booked` grows
 * only while below its capacity, and the batch aborts (conflicts.ts) when it did not — so concurrent bookings of
 * one slot give exactly as many bookings as it has places, on D1 and libSQL alike.
 */
import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { OpenSlot } from "../domain/channels/slots";
import { expectChanged } from "./conflicts";
import type { Batchable, Database } from "./db";
import { bookings, reminderSends, serviceSlots } from "./schema";
import type { Scope } from "./scope";

export type SlotRow = typeof serviceSlots.$inferSelect;
export type BookingRow = typeof bookings.$inferSelect;

const parse = <T>(v: unknown): T | null => (typeof v === "string" ? (JSON.parse(v) as T) : ((v as T) ?? null));

export class ChannelRepo {
  constructor(private readonly d: Database) {}

  private run(q: ReturnType<typeof sql>): Batchable {
    return this.d.db.run(q) as unknown as Batchable;
  }

  /**
   * Upserts a dealer's slots by (start, resource); a capacity may not drop below what is booked (the row is then
   * left alone and the guard aborts the batch). Returns the statements for one atomic batch.
   */
  putSlots(tenantId: string, dealerId: string, rows: Omit<SlotRow, "tenantId" | "dealerId" | "booked">[]): Batchable[] {
    if (!rows.length) return [];
    const json = JSON.stringify(rows);
    return [
      this.run(sql`insert into service_slots (id, tenant_id, dealer_id, start_at, duration_min, resource, capacity, booked,
          created_at, updated_at)
        select json_extract(value, '$.id'), ${tenantId}, ${dealerId}, json_extract(value, '$.startAt'),
          json_extract(value, '$.durationMin'), json_extract(value, '$.resource'), json_extract(value, '$.capacity'), 0,
          json_extract(value, '$.createdAt'), json_extract(value, '$.updatedAt')
        from json_each(${json}) where true
        on conflict (tenant_id, dealer_id, start_at, resource) do update
          set capacity = excluded.capacity, duration_min = excluded.duration_min, updated_at = excluded.updated_at
          where service_slots.booked <= excluded.capacity`),
      expectChanged(this.d.db, "capacity below bookings", rows.length),
    ];
  }

  /** Slots of a dealer whose capacity is below `capacity` for the given (start, resource) pairs (to explain a 409). */
  async overbooked(
    tenantId: string,
    dealerId: string,
    wanted: { startAt: number; resource: string; capacity: number }[],
  ) {
    return this.d.db.all<{ start_at: number; resource: string; booked: number }>(sql`
      select s.start_at, s.resource, s.booked from service_slots s
      join json_each(${JSON.stringify(wanted)}) j on json_extract(j.value, '$.startAt') = s.start_at
        and json_extract(j.value, '$.resource') = s.resource
      where s.tenant_id = ${tenantId} and s.dealer_id = ${dealerId}
        and s.booked > json_extract(j.value, '$.capacity')`);
  }

  /** A dealer's slots in [from, to), by start. */
  async listSlots(tenantId: string, dealerId: string, from: number, to: number): Promise<SlotRow[]> {
    return this.d.db
      .select()
      .from(serviceSlots)
      .where(
        and(
          eq(serviceSlots.tenantId, tenantId),
          eq(serviceSlots.dealerId, dealerId),
          gte(serviceSlots.startAt, from),
          lt(serviceSlots.startAt, to),
        ),
      )
      .orderBy(asc(serviceSlots.startAt), asc(serviceSlots.resource))
      .limit(1000);
  }

  /** The tenant's open slots in [from, to): what decisions cache (one statement, the earliest few per dealer). */
  async openSlots(tenantId: string, from: number, to: number): Promise<OpenSlot[]> {
    const rows = await this.d.db.all<Record<string, unknown>>(sql`
      select id, dealer_id, start_at, duration_min, resource, capacity - booked as left from (
        select *, row_number() over (partition by dealer_id order by start_at, id) as n from service_slots
        where tenant_id = ${tenantId} and start_at >= ${from} and start_at < ${to} and booked < capacity)
      where n <= 20`);
    return rows.map((r) => ({
      id: String(r.id),
      dealerId: String(r.dealer_id),
      startAt: Number(r.start_at),
      durationMin: Number(r.duration_min),
      resource: r.resource as OpenSlot["resource"],
      left: Number(r.left),
    }));
  }

  async slot(tenantId: string, id: string): Promise<SlotRow | undefined> {
    return this.d.db
      .select()
      .from(serviceSlots)
      .where(and(eq(serviceSlots.tenantId, tenantId), eq(serviceSlots.id, id)))
      .get();
  }

  /** Takes one place of a slot, only while one is left: the batch aborts when the slot filled meanwhile. */
  takePlace(tenantId: string, slotId: string, now: number): Batchable[] {
    return [
      this.run(sql`update service_slots set booked = booked + 1, updated_at = ${now}
        where tenant_id = ${tenantId} and id = ${slotId} and booked < capacity`),
      expectChanged(this.d.db, "slot filled concurrently", 1),
    ];
  }

  /** Gives a place back (a cancelled booking), only if the booking is still booked (a second cancel aborts). */
  cancel(tenantId: string, booking: BookingRow, now: number): Batchable[] {
    return [
      this.run(sql`update bookings set status = 'cancelled', cancelled_at = ${now}
        where tenant_id = ${tenantId} and id = ${booking.id} and status = 'booked'`),
      expectChanged(this.d.db, "booking cancelled concurrently", 1),
      this.run(sql`update service_slots set booked = booked - 1, updated_at = ${now}
        where tenant_id = ${tenantId} and id = ${booking.slotId} and booked > 0`),
    ];
  }

  /** A booking; its link's token id must be new (a second use of a link aborts the batch). */
  insertBooking(row: BookingRow): Batchable[] {
    return [
      this.d.db.insert(bookings).values(row).onConflictDoNothing(),
      expectChanged(this.d.db, "booking link used concurrently", 1),
    ];
  }

  async booking(scope: Scope, id: string): Promise<BookingRow | undefined> {
    const where = [eq(bookings.tenantId, scope.tenantId), eq(bookings.id, id)];
    if (scope.dealerId) where.push(eq(bookings.dealerId, scope.dealerId));
    return this.d.db
      .select()
      .from(bookings)
      .where(and(...where))
      .get();
  }

  async bookingByToken(tenantId: string, tokenId: string): Promise<BookingRow | undefined> {
    return this.d.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.tenantId, tenantId), eq(bookings.tokenId, tokenId)))
      .get();
  }

  async listBookings(tenantId: string, dealerId: string, limit: number): Promise<BookingRow[]> {
    return this.d.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.tenantId, tenantId), eq(bookings.dealerId, dealerId)))
      .orderBy(desc(bookings.createdAt))
      .limit(limit);
  }

  /** Bookings of a slot (tests count them). */
  async bookingsOfSlot(tenantId: string, slotId: string): Promise<BookingRow[]> {
    return this.d.db
      .select()
      .from(bookings)
      .where(and(eq(bookings.tenantId, tenantId), eq(bookings.slotId, slotId)));
  }

  // ---- reminder runs ----

  /** What a day's run already sent these people. */
  async sentOn(
    tenantId: string,
    day: string,
    personIds: readonly string[],
  ): Promise<Map<string, Record<string, unknown>>> {
    if (!personIds.length) return new Map();
    const rows = await this.d.db.all<{ person_id: string; payload: unknown }>(sql`
      select person_id, payload from reminder_sends where tenant_id = ${tenantId} and day = ${day}
        and person_id in (select value from json_each(${JSON.stringify(personIds)}))`);
    return new Map(rows.map((r) => [r.person_id, parse<Record<string, unknown>>(r.payload)!]));
  }

  /** The day's send for a person: the insert must insert (a concurrent run of the same day aborts this batch). */
  claimSend(
    tenantId: string,
    day: string,
    personId: string,
    payload: Record<string, unknown>,
    now: number,
  ): Batchable[] {
    return [
      this.d.db
        .insert(reminderSends)
        .values({ tenantId, day, personId, payload, createdAt: now })
        .onConflictDoNothing(),
      expectChanged(this.d.db, "reminder sent concurrently", 1),
    ];
  }

  /**
   * People of the tenant who may be due for service (a vehicle with a next service), after `after` (their id), a
   * page at a time, with their customer id when they have one.
   */
  async reminderCandidates(scope: Scope, after: string, limit: number) {
    const dealer = scope.dealerId ? sql` and p.dealer_id = ${scope.dealerId}` : sql``;
    return this.d.db.all<{
      id: string;
      customer_id: string | null;
      time_zone: string | null;
      dealer_id: string | null;
    }>(sql`
      select p.id as id, (select i.value from identities i where i.tenant_id = p.tenant_id and i.person_id = p.id
          and i.kind = 'customer' order by i.created_at limit 1) as customer_id,
        json_extract(p.doc, '$.consent.timeZone') as time_zone,
        coalesce(json_extract(p.doc, '$.consent.preferredDealerId'), p.dealer_id) as dealer_id
      from profiles p
      where p.tenant_id = ${scope.tenantId} and p.merged_into is null and p.doc is not null and p.id > ${after}${dealer}
        and exists (select 1 from json_each(p.doc, '$.vehicles') v where json_extract(v.value, '$.nextService') is not null)
      order by p.id limit ${limit}`);
  }

  /** The customer id of a person, if any. */
  async customerIdOf(tenantId: string, personId: string): Promise<string | null> {
    const [row] = await this.d.db.all<{ value: string }>(sql`
      select value from identities where tenant_id = ${tenantId} and person_id = ${personId} and kind = 'customer'
      order by created_at limit 1`);
    return row?.value ?? null;
  }

  /** Erasure: a person's bookings and reminder runs (their places go back to the slots). */
  eraseStatements(tenantId: string, personIds: readonly string[]): Batchable[] {
    const ids = JSON.stringify(personIds);
    return [
      this.run(sql`update service_slots set booked = booked - (select count(*) from bookings b
          where b.tenant_id = ${tenantId} and b.slot_id = service_slots.id and b.status = 'booked'
            and b.person_id in (select value from json_each(${ids})))
        where tenant_id = ${tenantId} and id in (select slot_id from bookings where tenant_id = ${tenantId}
          and status = 'booked' and person_id in (select value from json_each(${ids})))`),
      this.run(
        sql`delete from bookings where tenant_id = ${tenantId} and person_id in (select value from json_each(${ids}))`,
      ),
      this.run(sql`delete from reminder_sends where tenant_id = ${tenantId}
        and person_id in (select value from json_each(${ids}))`),
    ];
  }

  /** Retention: reminder runs older than `before`. */
  async expireSends(before: number, limit: number): Promise<number> {
    const [r] = await this.d.batch([
      this.run(sql`delete from reminder_sends where rowid in (
        select rowid from reminder_sends where created_at < ${before} order by created_at limit ${limit})`),
    ]);
    return this.d.changes(r);
  }
}
