/**
 * The monthly driving report (issue 10), pure: a vehicle's trips of a month and the month before, its facts
 * (service, recalls, software) and the trips of other vehicles of the same model in the tenant give distance,
 * economy against last month and against the model, and — only with the consent of every member of the household —
 * how each driver (the head unit's driver profile) compares. A trip counts in the local month of its start, as the
 * car reported it (`startedAt` carries the car's offset).
 */
import type { Powertrain } from "../profile/events";
import type { VehicleFacts } from "../profile/types";

export interface Trip {
  vin: string;
  startedAt: string;
  endedAt: string;
  distanceKm: number;
  energyKwh?: number;
  fuelL?: number;
  driverProfileId?: string;
}

/** Fewer other vehicles than this, and the model comparison is withheld (it would describe one or two cars). */
export const MIN_MODEL_VEHICLES = 3;

export type EconomyUnit = "kWh/100 km" | "L/100 km";

export interface EconomyFigure {
  unit: EconomyUnit;
  value: number;
  previousMonth: number | null;
  changePercent: number | null;
  sameModel: { model: string; vehicles: number; value: number; differencePercent: number } | null;
}

export interface DriverFigure {
  driverProfileId: string;
  label: string;
  trips: number;
  km: number;
  shareOfDistancePercent: number;
  economy: { unit: EconomyUnit; value: number }[];
}

export interface DrivingReport {
  vin: string;
  month: string;
  vehicle: { make: string | null; model: string | null; year: number | null; powertrain: Powertrain | "unknown" };
  distance: {
    km: number;
    trips: number;
    drivingMinutes: number;
    previousMonthKm: number;
    changePercent: number | null;
  };
  economy: EconomyFigure[];
  /** Kilometres per local day of the month (the chart). */
  daily: { day: string; km: number }[];
  odometer: number | null;
  service: { kind: string; due: string | null; mileage: number | null } | null;
  recalls: string[];
  software: { installed: string | null; available: string | null; critical: boolean } | null;
  /** Null unless every member of the household consented to the comparison. */
  drivers: DriverFigure[] | null;
  notes: string[];
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The local month of a trip: monthOf("2026-11-30T23:10:00-08:00") === "2026-11". */
export function monthOf(t: Pick<Trip, "startedAt">): string {
  return t.startedAt.slice(0, 7);
}

/** previousMonth("2026-01") === "2025-12". */
export function previousMonth(month: string): string {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`not a month: ${month}`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  return mo === 1 ? `${y - 1}-12` : `${y}-${String(mo - 1).padStart(2, "0")}`;
}

/** The month before the one `now` falls in (UTC): the default report month. */
export function lastCompleteMonth(now: number): string {
  return previousMonth(new Date(now).toISOString().slice(0, 7));
}

/**
 * Epoch-ms bounds that hold every trip of `from`..`to` (inclusive months) whatever the car's offset, with room for
 * the event's time (the trip's end) a little after: queries read this range, then keep trips by `monthOf`.
 */
export function queryRange(from: string, to: string): { start: number; end: number } {
  const [y, m] = to.split("-").map(Number) as [number, number];
  const start = Date.parse(`${from}-01T00:00:00Z`) - 2 * 86_400_000;
  const end = Date.UTC(y, m, 1) + 3 * 86_400_000;
  return { start, end };
}

/** Days in a month: daysIn("2024-02") === 29. */
export function daysIn(month: string): number {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

interface Totals {
  trips: number;
  km: number;
  minutes: number;
  /** Distance and energy of trips that reported energy; the same for fuel. */
  kwh: { km: number; used: number };
  fuel: { km: number; used: number };
}

function totals(trips: readonly Trip[]): Totals {
  const t: Totals = { trips: 0, km: 0, minutes: 0, kwh: { km: 0, used: 0 }, fuel: { km: 0, used: 0 } };
  for (const x of trips) {
    t.trips++;
    t.km += x.distanceKm;
    t.minutes += Math.max(0, Date.parse(x.endedAt) - Date.parse(x.startedAt)) / 60_000;
    if (x.energyKwh !== undefined) {
      t.kwh.km += x.distanceKm;
      t.kwh.used += x.energyKwh;
    }
    if (x.fuelL !== undefined) {
      t.fuel.km += x.distanceKm;
      t.fuel.used += x.fuelL;
    }
  }
  return t;
}

/** Consumption per 100 km, or null without distance. */
const per100 = (x: { km: number; used: number }) => (x.km > 0 ? (x.used / x.km) * 100 : null);
const change = (now: number | null, before: number | null) =>
  now === null || before === null || before === 0 ? null : r1(((now - before) / before) * 100);

const SOURCES: readonly [EconomyUnit, "kwh" | "fuel"][] = [
  ["kWh/100 km", "kwh"],
  ["L/100 km", "fuel"],
];

export interface ReportInput {
  vin: string;
  month: string;
  vehicle: VehicleFacts | null;
  /** This vehicle's trips of the month and the month before (others are ignored). */
  trips: readonly Trip[];
  /** Trips of other vehicles of the same model in the tenant (any months; this VIN's are ignored). */
  modelTrips: readonly Trip[];
  /** Every member of the keeper's household (the keeper alone without one) consented to the driver comparison. */
  householdConsents: boolean;
}

/** The report. Pure: the same input gives the same report. */
export function buildDrivingReport(input: ReportInput): DrivingReport {
  const { vin, month, vehicle } = input;
  const before = previousMonth(month);
  const mine = input.trips.filter((t) => t.vin === vin);
  const now = mine.filter((t) => monthOf(t) === month);
  const prev = mine.filter((t) => monthOf(t) === before);
  const tNow = totals(now);
  const tPrev = totals(prev);
  const notes: string[] = [];

  const others = input.modelTrips.filter((t) => t.vin !== vin && monthOf(t) === month);
  const economy: EconomyFigure[] = [];
  for (const [unit, key] of SOURCES) {
    const value = per100(tNow[key]);
    if (value === null) continue;
    const previous = per100(tPrev[key]);
    let sameModel: EconomyFigure["sameModel"] = null;
    const peers = others.filter((t) => (key === "kwh" ? t.energyKwh !== undefined : t.fuelL !== undefined));
    const vehicles = new Set(peers.map((t) => t.vin)).size;
    const fleet = per100(totals(peers)[key]);
    if (vehicle?.model && fleet !== null && vehicles >= MIN_MODEL_VEHICLES)
      sameModel = {
        model: vehicle.model,
        vehicles,
        value: r1(fleet),
        differencePercent: change(r1(value), r1(fleet))!,
      };
    else if (vehicle?.model)
      notes.push(
        `Fewer than ${MIN_MODEL_VEHICLES} other ${vehicle.model} vehicles reported ${unit} this month: no model comparison.`,
      );
    economy.push({
      unit,
      value: r1(value),
      previousMonth: previous === null ? null : r1(previous),
      changePercent: change(r1(value), previous === null ? null : r1(previous)),
      sameModel,
    });
  }

  const daily = Array.from({ length: daysIn(month) }, (_, i) => ({
    day: `${month}-${String(i + 1).padStart(2, "0")}`,
    km: 0,
  }));
  for (const t of now) {
    const d = daily[Number(t.startedAt.slice(8, 10)) - 1];
    if (d) d.km += t.distanceKm;
  }
  for (const d of daily) d.km = r1(d.km);

  let drivers: DriverFigure[] | null = null;
  if (input.householdConsents) {
    const ids = [...new Set(now.map((t) => t.driverProfileId).filter((x): x is string => !!x))].sort();
    drivers = ids.map((id, i) => {
      const t = totals(now.filter((x) => x.driverProfileId === id));
      return {
        driverProfileId: id,
        label: `Driver ${i + 1}`,
        trips: t.trips,
        km: r1(t.km),
        shareOfDistancePercent: tNow.km > 0 ? r1((t.km / tNow.km) * 100) : 0,
        economy: SOURCES.flatMap(([unit, key]) => {
          const v = per100(t[key]);
          return v === null ? [] : [{ unit, value: r1(v) }];
        }),
      };
    });
  } else
    notes.push(
      "Driver comparison is off: it needs the consent of every member of the household (driverComparisonConsent).",
    );

  const ns = vehicle?.nextService;
  return {
    vin,
    month,
    vehicle: {
      make: vehicle?.make ?? null,
      model: vehicle?.model ?? null,
      year: vehicle?.year ?? null,
      powertrain: vehicle?.powertrain ?? "unknown",
    },
    distance: {
      km: r1(tNow.km),
      trips: tNow.trips,
      drivingMinutes: Math.round(tNow.minutes),
      previousMonthKm: r1(tPrev.km),
      changePercent: change(r1(tNow.km), r1(tPrev.km)),
    },
    economy,
    daily,
    odometer: vehicle?.odometer ?? null,
    service: ns ? { kind: ns.kind, due: ns.due ?? null, mileage: ns.mileage ?? null } : null,
    recalls: vehicle?.openRecalls ?? [],
    software:
      vehicle?.software || vehicle?.updateAvailable
        ? {
            installed: vehicle.software ?? null,
            available: vehicle.updateAvailable?.version ?? null,
            critical: vehicle.updateAvailable?.critical ?? false,
          }
        : null,
    drivers,
    notes,
  };
}
