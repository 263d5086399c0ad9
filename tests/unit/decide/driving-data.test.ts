/** Driving data never feeds marketing without its own consent (drivingDataConsent, issue 10). */
import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { act, catalogOf, ids, input, profile, vehicle } from "./fixtures";

const economyRule = { ">": [{ var: "vehicle.economy.value" }, 18] };
const drivingRule = { some: [{ var: "vehicle.driving" }, { ">": [{ var: "km" }, 1000] }] };
const ACTIONS = [
  act({ id: "efficient-upgrade", kind: "offer", category: "sales", rule: economyRule }),
  act({ id: "long-range-upgrade", kind: "offer", category: "sales", rule: drivingRule }),
  act({ id: "efficiency-check", kind: "content", category: "service", rule: economyRule }),
  act({ id: "tyre-wear-check", kind: "service_reminder", category: "service", rule: drivingRule }),
];
/** The actions whose rule holds, each decided alone (a small surface shows one per category). */
const holding = (p: ReturnType<typeof profile>) =>
  ACTIONS.filter((a) => ids(decide(input({ profile: p, catalog: catalogOf(a), placement: "page" }))).length).map(
    (a) => a.id,
  );
const driver = (drivingDataConsent: boolean) =>
  profile({
    vehicles: [
      vehicle({
        economy: { value: 21.5, unit: "kwh_per_100km" },
        driving: [{ month: "2026-10", trips: 60, km: 1450, kwh: 290, l: 0 }],
      }),
    ],
    consent: { ...profile().consent, drivingDataConsent },
  });

describe("driving data and marketing", () => {
  it("marketing rules do not see consumption or monthly driving without drivingDataConsent; service rules do", () => {
    expect(holding(driver(false))).toEqual(["efficiency-check", "tyre-wear-check"]);
  });

  it("with drivingDataConsent the same marketing rules hold (positive control)", () => {
    expect(holding(driver(true))).toEqual([
      "efficient-upgrade",
      "long-range-upgrade",
      "efficiency-check",
      "tyre-wear-check",
    ]);
  });

  it("the profile itself is left whole for the rules that may read it", () => {
    const p = driver(false);
    holding(p);
    expect(p.vehicles[0]!.driving).toHaveLength(1);
    expect(p.vehicles[0]!.economy?.value).toBe(21.5);
  });
});
