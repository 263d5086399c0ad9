/**
 * Service capacity as decisions see it: which open slots a service reminder carries (2–3 at the owner's dealer,
 * else at the next dealer with capacity), and how a slot reads in the owner's time zone. Pure: no I/O, no clock.
 */
import type { DecisionChannel } from "../decide/vocabulary";

/** An open slot as cached for decisions. */
export interface OpenSlot {
  id: string;
  dealerId: string;
  startAt: number;
  durationMin: number;
  resource: "bay" | "loaner";
  /** Places left (capacity − booked) when it was read. */
  left: number;
}

export interface DealerPlace {
  id: string;
  name: string;
  timeZone: string;
  latitude: number | null;
  longitude: number | null;
}

/** The slots a reminder carries, at one dealer; or why there are none. */
export interface SlotChoice {
  dealerId: string | null;
  dealerName: string | null;
  /** Epoch ms and a label in the owner's time zone, oldest first. */
  slots: readonly (OpenSlot & { label: string })[];
  /** Why no slot is offered, when `slots` is empty. */
  reason: string | null;
  /** The slots are another dealer's than the person's own (theirs had no capacity in the horizon). */
  fallback: boolean;
}

/** How far ahead a reminder looks for capacity. */
export const SLOT_HORIZON_DAYS = 14;
/** Slots a reminder carries at most. */
export const SLOTS_PER_REMINDER = 3;
/** A slot must start at least this long after the decision (time to read the email and get there). */
export const SLOT_LEAD_MS = 2 * 3_600_000;
/** Channels where the person books a slot themselves: a service reminder there needs capacity. */
export const BOOKABLE_CHANNELS: ReadonlySet<DecisionChannel> = new Set<DecisionChannel>([
  "email",
  "app",
  "dealer_site",
]);

const labels = new Map<string, Intl.DateTimeFormat>();
/** "Tue, Jan 14, 9:00 AM" in `zone` and `locale` (formatters cached): slotLabel(0, "UTC", "en-US"). */
export function slotLabel(startAt: number, zone: string, locale = "en-US"): string {
  const key = `${locale}|${zone}`;
  let f = labels.get(key);
  if (!f) {
    if (labels.size > 256) labels.clear();
    try {
      f = new Intl.DateTimeFormat(locale, {
        timeZone: zone,
        weekday: "short",
        month: "short",
        day: "numeric",
        hour: "numeric",
        minute: "2-digit",
      });
    } catch {
      f = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", dateStyle: "medium", timeStyle: "short" });
    }
    labels.set(key, f);
  }
  return f.format(startAt);
}

/** Great-circle distance in km (haversine), or Infinity when a coordinate is missing. */
function distanceKm(a: DealerPlace, b: DealerPlace): number {
  if (a.latitude === null || a.longitude === null || b.latitude === null || b.longitude === null) return Infinity;
  const r = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * r;
  const dLon = (b.longitude - a.longitude) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * r) * Math.cos(b.latitude * r) * Math.sin(dLon / 2) ** 2;
  return 12_742 * Math.asin(Math.sqrt(h));
}

export interface ChooseSlots {
  /** Open slots of the tenant (any order). */
  open: readonly OpenSlot[];
  dealers: ReadonlyMap<string, DealerPlace>;
  /** The person's dealer: the key's, the request's, their preferred one, or the one they belong to; null if none. */
  dealerId: string | null;
  /** Whether another dealer's slots may stand in (not for a dealer-bound key: a dealer site shows its own). */
  allowFallback: boolean;
  now: number;
  /** The owner's time zone, else the dealer's. */
  timeZone: string | null;
  locale: string | null;
}

/**
 * The 2–3 earliest open slots in the horizon at the person's dealer; if it has none, at the nearest dealer that has
 * (by distance, else by earliest slot) when fallback is allowed. Example: chooseSlots({open, dealers, dealerId:
 * "dlr_1", allowFallback: true, now, timeZone: "America/Chicago", locale: "en-US"}).slots.length <= 3.
 */
export function chooseSlots(q: ChooseSlots): SlotChoice {
  const from = q.now + SLOT_LEAD_MS;
  const to = q.now + SLOT_HORIZON_DAYS * 86_400_000;
  const byDealer = new Map<string, OpenSlot[]>();
  for (const s of q.open) {
    if (s.left <= 0 || s.startAt < from || s.startAt >= to || !q.dealers.has(s.dealerId)) continue;
    let list = byDealer.get(s.dealerId);
    if (!list) byDealer.set(s.dealerId, (list = []));
    list.push(s);
  }
  for (const list of byDealer.values()) list.sort((a, b) => a.startAt - b.startAt || (a.id < b.id ? -1 : 1));
  const own = q.dealerId ? q.dealers.get(q.dealerId) : undefined;
  const pick = (dealerId: string, fallback: boolean): SlotChoice => {
    const d = q.dealers.get(dealerId)!;
    const zone = q.timeZone ?? d.timeZone;
    return {
      dealerId,
      dealerName: d.name,
      slots: byDealer
        .get(dealerId)!
        .slice(0, SLOTS_PER_REMINDER)
        .map((s) => ({ ...s, label: slotLabel(s.startAt, zone, q.locale ?? "en-US") })),
      reason: null,
      fallback,
    };
  };
  if (own && byDealer.has(own.id)) return pick(own.id, false);
  const none = (reason: string): SlotChoice => ({
    dealerId: own?.id ?? null,
    dealerName: own?.name ?? null,
    slots: [],
    reason,
    fallback: false,
  });
  const where = own ? `at ${own.name}` : "at any dealer";
  if (own && !q.allowFallback) return none(`no open service slot ${where} in the next ${SLOT_HORIZON_DAYS} days`);
  const others = [...byDealer.keys()].filter((id) => id !== own?.id);
  if (!others.length) return none(`no open service slot ${where} in the next ${SLOT_HORIZON_DAYS} days`);
  others.sort((a, b) => {
    const da = own ? distanceKm(own, q.dealers.get(a)!) : Infinity;
    const db = own ? distanceKm(own, q.dealers.get(b)!) : Infinity;
    return da - db || byDealer.get(a)![0]!.startAt - byDealer.get(b)![0]!.startAt || (a < b ? -1 : 1);
  });
  return pick(others[0]!, own !== undefined);
}
