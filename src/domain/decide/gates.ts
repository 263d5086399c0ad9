/** Time-relative gates of the ownership cycle, derived from the compact profile and the request's clock. */
import type { Powertrain } from "../profile/events";
import type { HouseholdDoc, Profile, Stage, VehicleFacts } from "../profile/types";
import type { Gates } from "../rules/data";
import type { DecideConfig } from "./config";

/** One day in ms. */
export const DAY = 86_400_000;
/** Service kinds that count as major whatever their estimated cost (`gates.expensiveServiceAhead`). */
export const MAJOR_SERVICE_KINDS: ReadonlySet<string> = new Set([
  "brake_service",
  "timing_belt",
  "transmission_service",
  "major_service",
  "battery_replacement",
  "clutch",
  "tires",
]);
const HELD: ReadonlySet<VehicleFacts["relation"]> = new Set(["owned", "leased", "financed"]);

/** Gates of an unknown visitor: nothing known, nothing due. */
export const ANONYMOUS_GATES: Readonly<Gates> = Object.freeze({
  stage: "anonymous",
  powertrain: null,
  powertrains: [],
  onBrandVehicles: 0,
  offBrandVehicles: 0,
  leaseEndsInDays: null,
  leaseEndsInMonths: null,
  warrantyEndsInDays: null,
  warrantyEndsInMonths: null,
  loanEndsInDays: null,
  equityEstimate: null,
  positiveEquity: false,
  serviceDueInDays: null,
  serviceDue: false,
  nextServiceKind: null,
  expensiveServiceAhead: false,
  daysSinceService: null,
  offBrandServiceDue: false,
  offBrandServiceDueInDays: null,
  offBrandNextServiceKind: null,
  openRecalls: 0,
  updateAvailable: false,
  criticalUpdate: false,
  loanPayoffInquirySeen: false,
  modelConfiguredRecently: false,
  configuredModel: null,
  configuredDaysAgo: null,
  daysSincePurchase: null,
  openComplaint: false,
} satisfies Gates);

/** Epoch ms of a YYYY-MM-DD date (UTC midnight), parsed without Date.parse on the hot path: parseDay("2026-01-02"). */
export function parseDay(s: string): number {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return Date.parse(s);
  const d = (i: number) => s.charCodeAt(i) - 48;
  return Date.UTC(d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3), d(5) * 10 + d(6) - 1, d(8) * 10 + d(9));
}

/** Whole days from `now` to a YYYY-MM-DD date (UTC midnight); negative when past. daysUntil("2026-01-02", Date.UTC(2026,0,1)) === 1. */
export function daysUntil(date: string, now: number): number {
  return Math.ceil((parseDay(date) - now) / DAY) + 0;
}

const daysSince = (at: number | null | undefined, now: number): number | null =>
  at == null ? null : Math.floor((now - at) / DAY);
const months = (days: number | null): number | null => (days === null ? null : Math.round(days / 30.44));
/** Days to a date still ahead (today counts), else null: a lease that has ended is no longer "ending". */
const upcoming = (date: string | undefined, now: number): number | null => {
  if (date === undefined) return null;
  const d = daysUntil(date, now);
  return d >= 0 ? d : null;
};
const minOrNull = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.min(a, b);

/** How primaryVehicle chooses (docs/rules.md). */
export const PRIMARY_VEHICLE_RULE =
  "`vehicle` is the person's primary vehicle: an on-brand vehicle they hold (owned, leased or financed) first, then an on-brand one only serviced or appraised, then an off-brand one they hold, then any other; among equals the one whose relation began last. Templates' `vehicle.*` fields and `gates.powertrain` use the same vehicle.";

/** The vehicle a rule's `vehicle` means: on-brand and held (owned, leased, financed) first, then the newest. */
export function primaryVehicle(vehicles: readonly VehicleFacts[]): VehicleFacts | null {
  let best: VehicleFacts | null = null;
  let bestRank = -1;
  for (const v of vehicles) {
    const rank = (v.onBrand ? 2 : 0) + (HELD.has(v.relation) ? 1 : 0);
    if (rank > bestRank || (rank === bestRank && best !== null && v.since > best.since)) [best, bestRank] = [v, rank];
  }
  return best;
}

/** The stage, with an owner who shows no on-brand activity for `lapsedDays` turned "lapsed". */
export function stageOf(p: Profile, now: number, lapsedDays: number): Stage {
  if (p.stage !== "owner") return p.stage;
  let last = Math.max(
    p.lastPurchaseAt ?? 0,
    p.interest.lastConfiguredAt ?? 0,
    p.interest.lastQuoteAt ?? 0,
    p.interest.lastTestDriveAt ?? 0,
  );
  for (const v of p.vehicles) if (v.onBrand) last = Math.max(last, v.since, v.lastServiceAt ?? 0);
  if (last === 0) last = p.firstAt;
  return now - last > lapsedDays * DAY ? "lapsed" : "owner";
}

/** Equity: the latest appraisal minus the loan balance left on that car, amortized linearly from start to end. */
export function equityEstimate(vehicles: readonly VehicleFacts[], now: number): number | null {
  let v: VehicleFacts | null = null;
  for (const x of vehicles) if (x.appraisal && (!v || x.appraisal.at > v.appraisal!.at)) v = x;
  if (!v?.appraisal) return null;
  if (!v.loan) return v.appraisal.value;
  const end = parseDay(v.loan.end);
  const left = end > v.loan.start ? Math.min(1, Math.max(0, (end - now) / (end - v.loan.start))) : 0;
  return Math.round(v.appraisal.value - v.loan.amount * left);
}

/** Derive every gate for a person; `household` adds open complaints of the other members. */
export function deriveGates(p: Profile | null, household: HouseholdDoc | null, now: number, cfg: DecideConfig): Gates {
  if (!p) return ANONYMOUS_GATES;
  const primary = primaryVehicle(p.vehicles);
  const pts = new Set<Powertrain>();
  let onBrand = 0,
    offBrand = 0,
    openRecalls = 0;
  let lease: number | null = null,
    warranty: number | null = null,
    loan: number | null = null;
  let serviceDays: number | null = null,
    serviceKind: string | null = null,
    dueByMileage = false;
  let offBrandDays: number | null = null,
    offBrandKind: string | null = null;
  let expensive = false,
    offBrandDue = false,
    lastService: number | null = null,
    update = false,
    critical = false;
  for (const v of p.vehicles) {
    if (v.powertrain !== "unknown") pts.add(v.powertrain);
    openRecalls += v.openRecalls.length;
    const ns = v.nextService;
    const nsDays = ns?.due ? daysUntil(ns.due, now) : null;
    const byMileage =
      ns?.mileage != null && v.odometer != null && v.odometer >= ns.mileage - cfg.serviceDueMileageWindow;
    const due = byMileage || (nsDays !== null && nsDays <= cfg.serviceDueWindowDays);
    if (!v.onBrand) {
      offBrand++;
      offBrandDue ||= due;
      if (due && ns) {
        const d = byMileage ? Math.min(0, nsDays ?? 0) : nsDays!;
        if (offBrandDays === null || d < offBrandDays) [offBrandDays, offBrandKind] = [d, ns.kind];
      }
      continue;
    }
    onBrand++;
    lease = minOrNull(lease, upcoming(v.leaseEnd, now));
    warranty = minOrNull(warranty, upcoming(v.warrantyEnd, now));
    loan = minOrNull(loan, upcoming(v.loan?.end, now));
    if (ns && (byMileage || nsDays !== null)) {
      const d = byMileage ? Math.min(0, nsDays ?? 0) : nsDays!;
      if (serviceDays === null || d < serviceDays) [serviceDays, serviceKind] = [d, ns.kind];
      dueByMileage ||= byMileage;
      const major = (ns.cost ?? 0) >= cfg.expensiveServiceCost || MAJOR_SERVICE_KINDS.has(ns.kind);
      expensive ||= major && (byMileage || d <= cfg.expensiveServiceWindowDays);
    }
    if (v.lastServiceAt != null) lastService = Math.max(lastService ?? 0, v.lastServiceAt);
    update ||= v.updateAvailable !== undefined;
    critical ||= v.updateAvailable?.critical === true;
  }
  const equity = equityEstimate(p.vehicles, now);
  const latestModel = p.interest.models.reduce<(typeof p.interest.models)[number] | null>(
    (a, m) => (!a || m.at > a.at ? m : a),
    null,
  );
  const configuredDaysAgo = daysSince(p.interest.lastConfiguredAt, now);
  return {
    stage: stageOf(p, now, cfg.lapsedDays),
    powertrain: primary?.powertrain ?? null,
    powertrains: [...pts],
    onBrandVehicles: onBrand,
    offBrandVehicles: offBrand,
    leaseEndsInDays: lease,
    leaseEndsInMonths: months(lease),
    warrantyEndsInDays: warranty,
    warrantyEndsInMonths: months(warranty),
    loanEndsInDays: loan,
    equityEstimate: equity,
    positiveEquity: equity !== null && equity > 0,
    serviceDueInDays: serviceDays,
    serviceDue: dueByMileage || (serviceDays !== null && serviceDays <= cfg.serviceDueWindowDays),
    nextServiceKind: serviceKind,
    expensiveServiceAhead: expensive,
    daysSinceService: daysSince(lastService, now),
    offBrandServiceDue: offBrandDue,
    offBrandServiceDueInDays: offBrandDays,
    offBrandNextServiceKind: offBrandKind,
    openRecalls,
    updateAvailable: update,
    criticalUpdate: critical,
    loanPayoffInquirySeen:
      p.loanPayoffInquiryAt !== null && now - p.loanPayoffInquiryAt <= cfg.loanPayoffWindowDays * DAY,
    modelConfiguredRecently: configuredDaysAgo !== null && configuredDaysAgo <= cfg.configuredRecentlyDays,
    configuredModel: latestModel?.model ?? null,
    configuredDaysAgo,
    daysSincePurchase: daysSince(p.lastPurchaseAt, now),
    openComplaint: p.voice.openComplaints.length > 0 || (household?.openComplaints ?? 0) > 0,
  };
}

/**
 * The gates as an action the dealer performs on any make (`offBrandService`) sees them: service due on an off-brand
 * vehicle counts as service due, so a `service_due` rule offers an off-brand car's due oil change. Example:
 * `anyMakeService(gates).serviceDue` is true for a Camry owner whose oil change is due.
 */
export function anyMakeService(g: Gates): Gates {
  if (!g.offBrandServiceDue) return g;
  const offSooner =
    g.offBrandServiceDueInDays !== null &&
    (g.serviceDueInDays === null || g.offBrandServiceDueInDays < g.serviceDueInDays);
  return {
    ...g,
    serviceDue: true,
    serviceDueInDays: offSooner ? g.offBrandServiceDueInDays : g.serviceDueInDays,
    nextServiceKind: offSooner || g.nextServiceKind === null ? g.offBrandNextServiceKind : g.nextServiceKind,
  };
}
