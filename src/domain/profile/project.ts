/**
 * The profile projection: a deterministic fold of a person's events, sorted by (occurredAt, id), so the
 * same events in any order give the same profile. `applyEvent` extends a profile with an event that sorts
 * after its `lastKey`; anything older is handled by replaying all events with `project`.
 */
import type { DomainEvent, EventData } from "./events";
import type { Profile, VehicleFacts, VinInfo } from "./types";

export interface ProjectionContext {
  /** Decoded data of a VIN, looked up before projecting. */
  vin(vin: string): VinInfo | undefined;
  /** The brand's makes, uppercase (e.g. ["NISSAN", "INFINITI"]): other makes are off-brand. */
  brandMakes: readonly string[];
}

const DAY = 86_400_000;
const MAX_MODELS = 3;
const LAPSED_AFTER_MS = 730 * DAY;
const NEW_CAR_WARRANTY_MONTHS = 36;

/** Sort key of an event: zero-padded time, then id, so string order is event order. */
export function eventKey(e: { occurredAt: number; id: string }): string {
  return `${String(e.occurredAt).padStart(15, "0")}|${e.id}`;
}

/** A profile with no events applied. */
export function emptyProfile(): Profile {
  return {
    v: 1,
    stage: "prospect",
    firstAt: 0,
    lastAt: 0,
    lastKey: "",
    events: 0,
    dealerId: null,
    interest: {
      pageViews: 0,
      models: [],
      powertrains: {},
      lastConfiguredAt: null,
      quotes: 0,
      lastQuoteAt: null,
      testDrives: 0,
      lastTestDriveAt: null,
    },
    vehicles: [],
    loanPayoffInquiryAt: null,
    lastPurchaseAt: null,
    voice: { lastScore: null, lastSurveyAt: null, verbatims: 0, openComplaints: [], lastComplaintAt: null },
    advocacy: { referrals: 0, converted: 0 },
    social: { mentions: 0, positive: 0, neutral: 0, negative: 0, lastAt: null },
    consent: {
      marketing: {},
      profilingObjection: false,
      drivingDataConsent: false,
      locationDataConsent: false,
      quietHours: null,
      preferredDealerId: null,
      preferredChannel: null,
      timeZone: null,
      notInterested: [],
      updatedAt: null,
    },
  };
}

/** YYYY-MM-DD of an epoch-ms time plus whole months (UTC). */
function addMonths(at: number, months: number): string {
  const d = new Date(at);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

function vehicle(
  p: Profile,
  vin: string,
  at: number,
  ctx: ProjectionContext,
  relation: VehicleFacts["relation"],
): VehicleFacts {
  let v = p.vehicles.find((x) => x.vin === vin);
  if (!v) {
    const info = ctx.vin(vin);
    const make = info?.make ?? null;
    v = {
      vin,
      make,
      model: info?.model ?? null,
      year: info?.year ?? null,
      powertrain: info?.powertrain ?? "unknown",
      onBrand: make !== null && ctx.brandMakes.includes(make.toUpperCase()),
      relation,
      since: at,
      openRecalls: [],
      serviceVisits: 0,
    };
    p.vehicles.push(v);
    p.vehicles.sort((a, b) => a.since - b.since || (a.vin < b.vin ? -1 : 1));
  }
  return v;
}

const OWNING: ReadonlySet<VehicleFacts["relation"]> = new Set(["owned", "leased", "financed"]);

function stageOf(p: Profile): Profile["stage"] {
  const owned = p.vehicles.filter((v) => v.onBrand && OWNING.has(v.relation));
  if (owned.length > 0) {
    const lastActivity = Math.max(...owned.map((v) => Math.max(v.since, v.lastServiceAt ?? 0)));
    return p.lastAt - lastActivity > LAPSED_AFTER_MS ? "lapsed" : "owner";
  }
  if (p.vehicles.some((v) => v.onBrand && v.relation === "serviced")) return "owner";
  if (p.interest.quotes || p.interest.testDrives || p.interest.models.length) return "shopper";
  return "prospect";
}

function dealerOf(p: Profile, lastSeen: string | null): string | null {
  if (p.consent.preferredDealerId) return p.consent.preferredDealerId;
  const withDealer = p.vehicles.filter((v) => v.dealerId && v.onBrand);
  return withDealer.length ? withDealer[withDealer.length - 1]!.dealerId! : lastSeen;
}

const DRIVING_MONTHS = 3;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Adds a trip to its local month (the date part of `startedAt`, which carries the car's offset); keeps 3 months. */
function addTrip(v: VehicleFacts, t: EventData<"trip_summary">): void {
  const month = t.startedAt.slice(0, 7);
  const months = v.driving ?? [];
  let m = months.find((x) => x.month === month);
  if (!m) {
    m = { month, trips: 0, km: 0, kwh: 0, l: 0 };
    months.push(m);
    months.sort((a, b) => (a.month < b.month ? 1 : -1));
  }
  m.trips++;
  m.km = r3(m.km + t.distanceKm);
  m.kwh = r3(m.kwh + (t.energyKwh ?? 0));
  m.l = r3(m.l + (t.fuelL ?? 0));
  v.driving = months.slice(0, DRIVING_MONTHS);
}

/** Applies one event in place (the caller guarantees it sorts after `p.lastKey`); returns `p`. */
export function applyEvent(p: Profile, e: DomainEvent, ctx: ProjectionContext): Profile {
  const at = e.occurredAt;
  if (p.events === 0) p.firstAt = at;
  p.events++;
  p.lastAt = at;
  p.lastKey = eventKey(e);
  switch (e.type) {
    case "page_view":
      p.interest.pageViews++;
      break;
    case "configurator_build": {
      const { model, trim, powertrain, price } = e.data;
      p.interest.models = [
        { model, ...(trim ? { trim } : {}), powertrain, ...(price !== undefined ? { price } : {}), at },
        ...p.interest.models.filter((m) => m.model !== model),
      ].slice(0, MAX_MODELS);
      p.interest.powertrains[powertrain] = (p.interest.powertrains[powertrain] ?? 0) + 1;
      p.interest.lastConfiguredAt = at;
      break;
    }
    case "quote_request":
      p.interest.quotes++;
      p.interest.lastQuoteAt = at;
      if (e.data.powertrain)
        p.interest.powertrains[e.data.powertrain] = (p.interest.powertrains[e.data.powertrain] ?? 0) + 1;
      break;
    case "test_drive_booked":
      p.interest.testDrives++;
      p.interest.lastTestDriveAt = at;
      break;
    case "purchase": {
      const d = e.data;
      const v = vehicle(p, d.vin, at, ctx, "owned");
      v.relation = d.financing === "lease" ? "leased" : d.financing === "loan" ? "financed" : "owned";
      v.since = at;
      v.condition = d.condition;
      const dealer = d.dealerId ?? e.dealerId;
      if (dealer) v.dealerId = dealer;
      if (d.warrantyEndDate) v.warrantyEnd = d.warrantyEndDate;
      else if (d.condition === "new") v.warrantyEnd = addMonths(at, NEW_CAR_WARRANTY_MONTHS);
      p.lastPurchaseAt = at;
      break;
    }
    case "lease_started": {
      const v = vehicle(p, e.data.vin, at, ctx, "leased");
      v.relation = "leased";
      v.leaseEnd = e.data.endDate;
      break;
    }
    case "loan_started": {
      const v = vehicle(p, e.data.vin, at, ctx, "financed");
      v.relation = "financed";
      v.loan = { amount: e.data.amount, termMonths: e.data.termMonths, end: e.data.endDate, start: at };
      break;
    }
    case "loan_payoff_inquiry":
      p.loanPayoffInquiryAt = at;
      break;
    case "trade_in_appraisal": {
      const v = vehicle(p, e.data.vin, at, ctx, "appraised");
      v.appraisal = { value: e.data.value, at };
      if (e.data.odometer !== undefined) v.odometer = Math.max(v.odometer ?? 0, e.data.odometer);
      break;
    }
    case "service_visit": {
      const v = vehicle(p, e.data.vin, at, ctx, "serviced");
      v.serviceVisits++;
      v.lastServiceAt = at;
      v.odometer = Math.max(v.odometer ?? 0, e.data.odometer);
      const dealer = e.data.dealerId ?? e.dealerId;
      if (dealer && !v.dealerId && !e.serviceOnly) v.dealerId = dealer;
      if (v.nextService && (!v.nextService.mileage || v.odometer >= v.nextService.mileage - 1000)) delete v.nextService;
      break;
    }
    case "service_due": {
      const v = vehicle(p, e.data.vin, at, ctx, "serviced");
      const { kind, dueDate, dueMileage, estimatedCost } = e.data;
      v.nextService = {
        kind,
        ...(dueDate ? { due: dueDate } : {}),
        ...(dueMileage ? { mileage: dueMileage } : {}),
        ...(estimatedCost !== undefined ? { cost: estimatedCost } : {}),
      };
      break;
    }
    case "telemetry_snapshot": {
      const v = vehicle(p, e.data.vin, at, ctx, "owned");
      const d = e.data;
      if (d.odometer !== undefined) v.odometer = Math.max(v.odometer ?? 0, d.odometer);
      if (d.economy) v.economy = d.economy;
      if (d.batteryStateOfHealth !== undefined) v.batterySoh = d.batteryStateOfHealth;
      if (d.troubleCodes) v.troubleCodes = d.troubleCodes.length;
      if (d.softwareVersion) {
        v.software = d.softwareVersion;
        if (v.updateAvailable?.version === d.softwareVersion) delete v.updateAvailable;
      }
      break;
    }
    case "trip_summary": {
      const v = vehicle(p, e.data.vin, at, ctx, "owned");
      addTrip(v, e.data);
      break;
    }
    case "recall_notice": {
      const v = vehicle(p, e.data.vin, at, ctx, "owned");
      const others = v.openRecalls.filter((c) => c !== e.data.campaignId);
      v.openRecalls = e.data.status === "open" ? [...others, e.data.campaignId].sort() : others;
      break;
    }
    case "software_update_available": {
      const v = vehicle(p, e.data.vin, at, ctx, "owned");
      if (v.software !== e.data.version)
        v.updateAvailable = { version: e.data.version, critical: e.data.critical ?? false };
      break;
    }
    case "survey_response":
      p.voice.lastScore = e.data.score;
      p.voice.lastSurveyAt = at;
      if (e.data.verbatim?.trim()) p.voice.verbatims++;
      break;
    case "complaint_opened":
      if (!p.voice.openComplaints.includes(e.data.complaintId))
        p.voice.openComplaints = [...p.voice.openComplaints, e.data.complaintId].sort();
      p.voice.lastComplaintAt = at;
      break;
    case "complaint_closed":
      p.voice.openComplaints = p.voice.openComplaints.filter((c) => c !== e.data.complaintId);
      break;
    case "referral":
      p.advocacy.referrals++;
      if (e.data.converted) p.advocacy.converted++;
      break;
    case "social_mention":
      p.social.mentions++;
      p.social[e.data.sentiment]++;
      p.social.lastAt = at;
      break;
    case "consent_changed": {
      const c = p.consent;
      const d = e.data;
      if (d.marketing) c.marketing = { ...c.marketing, ...d.marketing };
      if (d.profilingObjection !== undefined) c.profilingObjection = d.profilingObjection;
      if (d.drivingDataConsent !== undefined) c.drivingDataConsent = d.drivingDataConsent;
      if (d.locationDataConsent !== undefined) c.locationDataConsent = d.locationDataConsent;
      if (d.driverComparisonConsent !== undefined) c.driverComparisonConsent = d.driverComparisonConsent;
      if (d.reminders !== undefined) c.reminders = d.reminders;
      c.updatedAt = at;
      break;
    }
    case "preference_changed": {
      const c = p.consent;
      const d = e.data;
      if (d.quietHours !== undefined) c.quietHours = d.quietHours;
      if (d.preferredDealerId !== undefined) c.preferredDealerId = d.preferredDealerId;
      if (d.preferredChannel !== undefined) c.preferredChannel = d.preferredChannel;
      if (d.timeZone !== undefined) c.timeZone = d.timeZone;
      if (d.notInterested !== undefined) c.notInterested = [...new Set(d.notInterested)].sort();
      if (d.country !== undefined) c.country = d.country;
      if (d.locale !== undefined) c.locale = d.locale;
      c.updatedAt = at;
      break;
    }
    // ---- issue 10: a booked service slot (the latest one holds service reminders back until it has passed)
    case "service_booked":
      p.serviceBooking = {
        bookingId: e.data.bookingId,
        dealerId: e.data.atDealerId ?? null,
        at: Date.parse(e.data.start),
      };
      break;
    case "service_booking_cancelled":
      if (p.serviceBooking?.bookingId === e.data.bookingId) p.serviceBooking = null;
      break;
  }
  p.stage = stageOf(p);
  // Service another dealer did on the car moves no one: it is not where the person was last seen.
  p.dealerId = dealerOf(p, e.serviceOnly ? p.dealerId : (e.dealerId ?? p.dealerId));
  return p;
}

/** The profile of a set of events, in any order: project(shuffle(events)) deep-equals project(events). */
export function project(events: readonly DomainEvent[], ctx: ProjectionContext): Profile {
  const sorted = [...events].sort((a, b) => (eventKey(a) < eventKey(b) ? -1 : 1));
  const p = emptyProfile();
  for (const e of sorted) applyEvent(p, e, ctx);
  return p;
}
