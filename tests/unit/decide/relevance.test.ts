import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { act, catalogOf, heldBy, household, ids, input, profile, vehicle } from "./fixtures";

const cat = catalogOf(
  act({ id: "oil", kind: "offer", category: "service", powertrains: ["ice", "hybrid", "phev"], offBrandService: true }),
  act({ id: "charging", kind: "content", category: "info", powertrains: ["ev", "phev"] }),
  act({ id: "inspection", kind: "service_reminder", category: "service" }),
  act({ id: "family-ev", kind: "content", category: "info", powertrains: ["ev"], householdLevel: true }),
  act({ id: "news", kind: "content", category: "info" }),
);
const run = (p: ReturnType<typeof profile> | null, over = {}) =>
  decide(input({ profile: p, catalog: cat, channel: "email", limit: 10, ...over }));

describe("relevance guardrail", () => {
  it("an EV-only owner gets no oil change; charging content instead", () => {
    const r = run(profile({ vehicles: [vehicle({ powertrain: "ev" })] }));
    expect(heldBy(r, "oil")).toBe("relevance");
    expect(ids(r)).toEqual(expect.arrayContaining(["charging", "inspection", "news"]));
  });

  it("a petrol owner gets the oil change and no charging content", () => {
    const r = run(profile({ vehicles: [vehicle({ model: "Rogue", powertrain: "ice" })] }));
    expect(ids(r)).toContain("oil");
    expect(heldBy(r, "charging")).toBe("relevance");
  });

  it("off-brand vehicles get only the services the dealer performs for other brands", () => {
    const r = run(
      profile({
        vehicles: [
          vehicle({ make: "Toyota", model: "Camry", powertrain: "ice", onBrand: false, relation: "serviced" }),
        ],
      }),
    );
    expect(ids(r)).toContain("oil");
    expect(heldBy(r, "inspection")).toBe("relevance");
  });

  it("household-level actions look at the household's vehicles", () => {
    const r = run(profile({ vehicles: [vehicle({ powertrain: "ice" })] }), { household: household(0) });
    expect(ids(r)).toContain("family-ev");
    expect(heldBy(r, "charging")).toBe("relevance");
  });

  it("an unknown visitor gets no vehicle-specific action", () => {
    const r = run(null, { channel: "dealer_site", placement: "hero" });
    expect(ids(r)).toEqual(["news"]);
  });
});

describe("off-brand service due (the seed's promise: off-brand cars still need tires and oil changes)", () => {
  const byRule = catalogOf(
    act({
      id: "any-make-oil",
      kind: "offer",
      category: "service",
      rule: { service_due: [] },
      powertrains: ["ice", "hybrid", "phev"],
      offBrandService: true,
      channels: { email: { subject: "Oil change due for your {{gates.nextServiceKind}}", body: "Any make." } },
    }),
    act({ id: "within-30", category: "service", kind: "offer", rule: { service_due: [30] }, offBrandService: true }),
    act({ id: "own-brand-only", kind: "service_reminder", category: "service", rule: { service_due: [] } }),
  );
  const camry = (next: { kind: string; due?: string; mileage?: number }) =>
    profile({
      stage: "prospect",
      lastPurchaseAt: null,
      vehicles: [
        vehicle({
          make: "Toyota",
          model: "Camry",
          powertrain: "ice",
          onBrand: false,
          relation: "serviced",
          odometer: 88000,
          nextService: next,
        }),
      ],
    });

  it("a service_due rule offers an off-brand car's due oil change when the action is offBrandService", () => {
    const byMileage = decide(
      input({ profile: camry({ kind: "oil_change", mileage: 88500 }), catalog: byRule, channel: "email", limit: 10 }),
    );
    expect(ids(byMileage)).toEqual(expect.arrayContaining(["any-make-oil", "within-30"]));
    expect(byMileage.actions.find((a) => a.id === "any-make-oil")!.reasons).toContain("Oil change due now");
    // The dealer does not service other brands for this action: not offered.
    expect(ids(byMileage)).not.toContain("own-brand-only");
    expect(heldBy(byMileage, "own-brand-only")).toBeUndefined(); // its rule does not hold: no on-brand service is due
  });

  it("counts days for a dated service, and nothing is due when the off-brand service is far off", () => {
    const inTen = new Date(Date.UTC(2026, 10, 20)).toISOString().slice(0, 10);
    const soon = decide(
      input({ profile: camry({ kind: "oil_change", due: inTen }), catalog: byRule, channel: "email", limit: 10 }),
    );
    expect(ids(soon)).toEqual(expect.arrayContaining(["any-make-oil", "within-30"]));
    const later = decide(
      input({
        profile: camry({ kind: "oil_change", due: "2027-06-01" }),
        catalog: byRule,
        channel: "email",
        limit: 10,
      }),
    );
    expect(ids(later)).toEqual([]);
  });

  it("an on-brand owner's own service due still reaches both kinds of action", () => {
    const owner = profile({
      vehicles: [
        vehicle({
          model: "Rogue",
          powertrain: "ice",
          odometer: 61000,
          nextService: { kind: "oil_change", mileage: 61200 },
        }),
      ],
    });
    expect(ids(decide(input({ profile: owner, catalog: byRule, channel: "email", limit: 10 })))).toEqual(
      expect.arrayContaining(["any-make-oil", "within-30", "own-brand-only"]),
    );
  });
});
