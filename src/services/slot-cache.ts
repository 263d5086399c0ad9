/**
 * Open service slots per tenant, cached per isolate for decisions: a hit costs no round trip, so the decision
 * path stays at its one read. A short TTL bounds staleness; a slot shown that filled meanwhile is refused
 * atomically at booking time (the booking page then offers the dealer's next open slots). A booking or a
 * capacity change in this isolate drops the tenant's entry at once. Single-flight: concurrent misses share a read.
 */
import { SLOT_HORIZON_DAYS, type OpenSlot } from "../domain/channels/slots";
import type { Store } from "../store";

export const SLOT_CACHE_TTL_MS = 15_000;
const MAX_TENANTS = 1000;

interface Entry {
  slots: readonly OpenSlot[];
  until: number;
  loading?: Promise<readonly OpenSlot[]> | undefined;
}

export class SlotCache {
  private readonly entries = new Map<string, Entry>();
  /** Reads of the store this cache made (a measure of what the decision path pays). */
  reads = 0;

  constructor(private readonly ttlMs = SLOT_CACHE_TTL_MS) {}

  /** The tenant's open slots from now to the horizon (a day of slack past it, so the cache serves its TTL). */
  async open(store: Store, tenantId: string, now: number): Promise<readonly OpenSlot[]> {
    const hit = this.entries.get(tenantId);
    if (hit && hit.until > now) return hit.slots;
    if (hit?.loading) return hit.loading;
    const entry: Entry = hit ?? { slots: [], until: 0 };
    this.reads++;
    entry.loading = store.channels
      .openSlots(tenantId, now, now + (SLOT_HORIZON_DAYS + 1) * 86_400_000)
      .then((slots) => {
        entry.slots = slots;
        entry.until = now + this.ttlMs;
        return slots;
      })
      .finally(() => {
        entry.loading = undefined;
      });
    if (this.entries.size >= MAX_TENANTS && !hit) this.entries.clear();
    this.entries.set(tenantId, entry);
    return entry.loading;
  }

  /** Forget a tenant's slots (a booking or a capacity change in this isolate). */
  drop(tenantId: string): void {
    this.entries.delete(tenantId);
  }
}
