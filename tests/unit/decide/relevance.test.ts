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
