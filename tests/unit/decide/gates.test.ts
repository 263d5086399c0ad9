import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../../src/domain/decide/config";
import {
  ANONYMOUS_GATES,
  daysUntil,
  deriveGates,
  equityEstimate,
  primaryVehicle,
} from "../../../src/domain/decide/gates";
import { DAY, dateIn, evLessee, household, NOW, profile, rogueOwner, shopper, vehicle } from "./fixtures";

const gates = (p: ReturnType<typeof profile> | null, hh = null as ReturnType<typeof household> | null) =>
  deriveGates(p, hh, NOW, DEFAULT_CONFIG);

describe("gates", () => {
  it("lease end in days and months, soonest across on-brand vehicles, ignoring past ends and other brands", () => {
    expect(gates(evLessee())).toMatchObject({
      leaseEndsInDays: 151,
      leaseEndsInMonths: 5,
      warrantyEndsInDays: 700,
      powertrain: "ev",
      stage: "owner",
    });
    const p = profile({
      vehicles: [
        vehicle({ leaseEnd: dateIn(300) }),
        vehicle({ leaseEnd: dateIn(60), onBrand: false }),
        vehicle({ leaseEnd: dateIn(-5) }),
        vehicle({ leaseEnd: dateIn(200) }),
      ],
    });
    expect(gates(p).leaseEndsInDays).toBe(200);
  });

  it("equity: latest appraisal minus the linearly amortized loan balance", () => {
    const v = vehicle({
      appraisal: { value: 20000, at: NOW },
      loan: { amount: 30000, termMonths: 60, start: NOW - 50 * DAY, end: dateIn(50) },
    });
    expect(daysUntil(dateIn(50), NOW)).toBe(50);
    const end = Date.parse(dateIn(50));
    expect(equityEstimate([v], NOW)).toBe(Math.round(20000 - (30000 * (end - NOW)) / (end - (NOW - 50 * DAY))));
    expect(equityEstimate([v], end)).toBe(20000);
    expect(gates(rogueOwner())).toMatchObject({
      positiveEquity: true,
      loanEndsInDays: 140,
      loanPayoffInquirySeen: true,
    });
    expect(equityEstimate([vehicle()], NOW)).toBeNull();
  });

  it("service due by date or by mileage, and an expensive service ahead", () => {
    expect(gates(rogueOwner())).toMatchObject({
      serviceDue: true,
      serviceDueInDays: 10,
      nextServiceKind: "oil_change",
      expensiveServiceAhead: false,
    });
    const brakes = profile({
      vehicles: [vehicle({ nextService: { kind: "brake_service", due: dateIn(60), cost: 640 } })],
    });
    expect(gates(brakes)).toMatchObject({ serviceDue: false, expensiveServiceAhead: true });
    const miles = profile({
      vehicles: [vehicle({ odometer: 29500, nextService: { kind: "major_service", mileage: 30000 } })],
    });
    expect(gates(miles)).toMatchObject({ serviceDue: true, serviceDueInDays: 0, expensiveServiceAhead: true });
  });

  it("a loan payoff inquiry counts for 180 days", () => {
    expect(gates(profile({ loanPayoffInquiryAt: NOW - 180 * DAY })).loanPayoffInquirySeen).toBe(true);
    expect(gates(profile({ loanPayoffInquiryAt: NOW - 181 * DAY })).loanPayoffInquirySeen).toBe(false);
  });

  it("a model configured recently, and its name", () => {
    expect(gates(shopper())).toMatchObject({
      modelConfiguredRecently: true,
      configuredModel: "Ariya",
      configuredDaysAgo: 3,
      stage: "shopper",
      powertrain: null,
    });
  });

  it("an owner with no on-brand activity for 24 months has lapsed", () => {
    const quiet = (days: number) =>
      profile({
        lastPurchaseAt: NOW - days * DAY,
        vehicles: [vehicle({ since: NOW - days * DAY, lastServiceAt: NOW - days * DAY })],
      });
    expect(gates(quiet(700)).stage).toBe("owner");
    expect(gates(quiet(740)).stage).toBe("lapsed");
  });

  it("recalls, updates, complaints across the household, vehicles by brand", () => {
    const p = profile({
      vehicles: [
        vehicle({ openRecalls: ["24V1", "24V2"], updateAvailable: { version: "2.5", critical: true } }),
        vehicle({ onBrand: false, powertrain: "ice" }),
      ],
    });
    expect(gates(p, household(1))).toMatchObject({
      openRecalls: 2,
      updateAvailable: true,
      criticalUpdate: true,
      openComplaint: true,
      onBrandVehicles: 1,
      offBrandVehicles: 1,
    });
    expect(gates(p).powertrains.sort()).toEqual(["ev", "ice"]);
  });

  it("an unknown visitor has the anonymous gates; the primary vehicle is on-brand and held", () => {
    expect(gates(null)).toBe(ANONYMOUS_GATES);
    const own = vehicle({ model: "Rogue" });
    expect(
      primaryVehicle([vehicle({ onBrand: false, since: NOW }), vehicle({ relation: "appraised", since: NOW }), own]),
    ).toBe(own);
  });
});
