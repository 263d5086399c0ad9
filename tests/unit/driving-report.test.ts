/** The monthly driving report's pure parts (issue 10): trips by local month, economy, the model threshold, drivers. */
import { describe, expect, it } from "vitest";
import {
  buildDrivingReport,
  daysIn,
  MIN_MODEL_VEHICLES,
  monthOf,
  previousMonth,
  queryRange,
  type Trip,
} from "../../src/domain/report/driving";
import { applyEvent, emptyProfile, project } from "../../src/domain/profile/project";
import type { DomainEvent } from "../../src/domain/profile/events";
import { vehicle } from "./decide/fixtures";

const VIN = "1N4AZ0CP6GC304290";
const t = (startedAt: string, km: number, kwh: number, driver?: string, vin = VIN): Trip => ({
  vin,
  startedAt,
  endedAt: new Date(Date.parse(startedAt) + 30 * 60_000).toISOString(),
  distanceKm: km,
  energyKwh: kwh,
  ...(driver ? { driverProfileId: driver } : {}),
});

describe("months", () => {
  it("a trip counts in the local month of its start, as the car reported it", () => {
    expect(monthOf({ startedAt: "2026-11-30T23:10:00-08:00" })).toBe("2026-11"); // 07:10 UTC on 1 December
    expect(previousMonth("2026-01")).toBe("2025-12");
    expect(daysIn("2024-02")).toBe(29);
    const r = queryRange("2026-10", "2026-11");
    expect(r.start).toBeLessThan(Date.parse("2026-09-30T10:00:00Z"));
    expect(r.end).toBeGreaterThan(Date.parse("2026-12-01T14:00:00Z"));
  });
});

describe("buildDrivingReport", () => {
  const facts = vehicle({
    model: "Leaf",
    odometer: 48211,
    nextService: { kind: "battery_check", due: "2026-12-13" },
    openRecalls: ["24V123"],
    software: "2.4.1",
    updateAvailable: { version: "2.5.0", critical: true },
  });
  const trips = [
    t("2026-11-02T08:00:00-08:00", 20, 3, "driver-1"),
    t("2026-11-02T18:00:00-08:00", 10, 2, "driver-2"),
    t("2026-11-30T23:10:00-08:00", 30, 6, "driver-1"),
    t("2026-10-15T08:00:00-07:00", 40, 6),
    t("2026-12-01T08:00:00-08:00", 99, 99), // next month: ignored
  ];
  const peers = (n: number) =>
    Array.from({ length: n }, (_, i) => t("2026-11-10T08:00:00-08:00", 50, 10, "driver-1", `PEER${i}`));

  it("sums the month, compares with last month and the model, lists service, recalls and software", () => {
    const r = buildDrivingReport({
      vin: VIN,
      month: "2026-11",
      vehicle: facts,
      trips,
      modelTrips: peers(MIN_MODEL_VEHICLES),
      householdConsents: true,
    });
    expect(r.distance).toEqual({ km: 60, trips: 3, drivingMinutes: 90, previousMonthKm: 40, changePercent: 50 });
    // 11 kWh over 60 km = 18.3; last month 6 over 40 = 15; peers 10 over 50 = 20.
    expect(r.economy).toEqual([
      {
        unit: "kWh/100 km",
        value: 18.3,
        previousMonth: 15,
        changePercent: 22,
        sameModel: { model: "Leaf", vehicles: 3, value: 20, differencePercent: -8.5 },
      },
    ]);
    expect(r.daily.find((d) => d.day === "2026-11-02")?.km).toBe(30);
    expect(r.daily.find((d) => d.day === "2026-11-30")?.km).toBe(30);
    expect(r.daily).toHaveLength(30);
    expect(r.service).toEqual({ kind: "battery_check", due: "2026-12-13", mileage: null });
    expect(r.recalls).toEqual(["24V123"]);
    expect(r.software).toEqual({ installed: "2.4.1", available: "2.5.0", critical: true });
    expect(r.drivers).toEqual([
      {
        driverProfileId: "driver-1",
        label: "Driver 1",
        trips: 2,
        km: 50,
        shareOfDistancePercent: 83.3,
        economy: [{ unit: "kWh/100 km", value: 18 }],
      },
      {
        driverProfileId: "driver-2",
        label: "Driver 2",
        trips: 1,
        km: 10,
        shareOfDistancePercent: 16.7,
        economy: [{ unit: "kWh/100 km", value: 20 }],
      },
    ]);
    expect(r.notes).toEqual([]);
  });

  it("withholds the model comparison below 3 other vehicles, and drivers without the household's consent", () => {
    const r = buildDrivingReport({
      vin: VIN,
      month: "2026-11",
      vehicle: facts,
      trips,
      modelTrips: [...peers(MIN_MODEL_VEHICLES - 1), t("2026-11-03T08:00:00-08:00", 5, 1, "driver-1", VIN)],
      householdConsents: false,
    });
    expect(r.economy[0]!.sameModel).toBeNull();
    expect(r.drivers).toBeNull();
    expect(r.notes.join(" ")).toMatch(/Fewer than 3 other Leaf/);
    expect(r.notes.join(" ")).toMatch(/consent of every member/);
  });

  it("reports fuel economy in L/100 km for a car that reports fuel, and nothing for a month without trips", () => {
    const ice: Trip = { ...t("2026-11-05T08:00:00+01:00", 100, 0), fuelL: 6.4 };
    delete (ice as { energyKwh?: number }).energyKwh;
    const r = buildDrivingReport({
      vin: VIN,
      month: "2026-11",
      vehicle: null,
      trips: [ice],
      modelTrips: [],
      householdConsents: false,
    });
    expect(r.economy).toEqual([
      { unit: "L/100 km", value: 6.4, previousMonth: null, changePercent: null, sameModel: null },
    ]);
    const empty = buildDrivingReport({
      vin: VIN,
      month: "2026-09",
      vehicle: null,
      trips: [ice],
      modelTrips: [],
      householdConsents: true,
    });
    expect(empty.distance.km).toBe(0);
    expect(empty.economy).toEqual([]);
    expect(empty.drivers).toEqual([]);
  });
});

describe("trip summaries in the profile", () => {
  const ctx = { vin: () => undefined, brandMakes: ["NISSAN"] };
  const ev = (id: string, startedAt: string, km: number): DomainEvent => ({
    id,
    type: "trip_summary",
    occurredAt: Date.parse(startedAt) + 1_800_000,
    receivedAt: 0,
    dealerId: null,
    data: { vin: VIN, startedAt, endedAt: startedAt, distanceKm: km, energyKwh: km / 5 },
  });
  it("keeps monthly totals of the last 3 months, the same in any order", () => {
    const events = [
      ev("t1", "2026-08-10T08:00:00-07:00", 10),
      ev("t2", "2026-09-10T08:00:00-07:00", 20),
      ev("t3", "2026-10-10T08:00:00-07:00", 30),
      ev("t4", "2026-11-10T08:00:00-08:00", 40),
      ev("t5", "2026-11-11T08:00:00-08:00", 2.5),
    ];
    const p = project(events, ctx);
    expect(p.vehicles[0]!.driving).toEqual([
      { month: "2026-11", trips: 2, km: 42.5, kwh: 8.5, l: 0 },
      { month: "2026-10", trips: 1, km: 30, kwh: 6, l: 0 },
      { month: "2026-09", trips: 1, km: 20, kwh: 4, l: 0 },
    ]);
    expect(project([...events].reverse(), ctx)).toEqual(p);
    const inc = emptyProfile();
    for (const e of events) applyEvent(inc, e, ctx);
    expect(inc).toEqual(p);
  });
});
