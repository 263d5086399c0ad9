/**
 * Relevance: a powertrain-specific action needs a vehicle of that powertrain (no oil change for an EV-only
 * owner); a service action needs an on-brand vehicle, or an off-brand one when the dealer services other brands
 * for it (`offBrandService`). Household-level actions look at the household's vehicles too.
 */
import type { Powertrain } from "../../profile/events";
import type { CompiledAction } from "../catalog";
import type { Guardrail } from "./types";

interface Fleet {
  onBrand: Set<Powertrain | "unknown">;
  offBrand: Set<Powertrain | "unknown">;
}

type Car = { onBrand: boolean; powertrain: Powertrain | "unknown" };

function fleet(cars: readonly Car[]): Fleet {
  const f: Fleet = { onBrand: new Set(), offBrand: new Set() };
  for (const c of cars) (c.onBrand ? f.onBrand : f.offBrand).add(c.powertrain);
  return f;
}

const fits = (pts: Set<Powertrain | "unknown">, wanted: readonly Powertrain[] | null) =>
  pts.size > 0 && (wanted === null || wanted.some((p) => pts.has(p)));

function relevant(a: CompiledAction, f: Fleet): boolean {
  if (a.category === "service")
    return fits(f.onBrand, a.powertrains) || (a.offBrandService && fits(f.offBrand, a.powertrains));
  return a.powertrains === null || fits(f.onBrand, a.powertrains) || fits(f.offBrand, a.powertrains);
}

export const relevance: Guardrail = {
  name: "relevance",
  concerns: (a) => a.category === "service" || a.powertrains !== null,
  prepare({ input }) {
    const own = input.profile?.vehicles ?? [];
    // Built on first use: most decisions ask about few actions this guardrail concerns.
    let person: Fleet | null = null;
    let household: Fleet | null = null;
    return (a) => {
      if (a.category !== "service" && a.powertrains === null) return null;
      const f = a.householdLevel
        ? (household ??= fleet([...own, ...(input.household?.vehicles ?? [])]))
        : (person ??= fleet(own));
      if (relevant(a, f)) return null;
      return a.powertrains
        ? `no ${a.category === "service" && !a.offBrandService ? "on-brand " : ""}vehicle with ${a.powertrains.join("/")}`
        : "no vehicle this service applies to";
    };
  },
};
