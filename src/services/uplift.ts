/**
 * The uplift report: conversion in the treatment arm against the holdout arm of the brand's control group, per
 * randomization unit (household, or a person without one), over a period — intent to treat: every unit counts,
 * whether or not a decision reached it.
 */
import { armOf, proportion, unitOf, uplift } from "../domain/learning/holdout";
import type { Store } from "../store";
import type { Scope } from "../store/scope";

/** Events that count as a conversion unless the caller names others. */
export const DEFAULT_CONVERSIONS = ["purchase", "lease_started"] as const;

export async function upliftReport(
  store: Store,
  scope: Scope,
  period: { from: number; to: number },
  conversions: readonly string[],
) {
  const settings = await store.tenants.settings(scope.tenantId);
  const share = settings.holdout?.share ?? 0;
  const { people, converted } = await store.customers.conversionPopulation(scope, conversions, period.from, period.to);
  const units = new Map<string, boolean>(); // unit -> converted
  for (const p of people) {
    const u = unitOf(p.id, p.householdId);
    units.set(u, (units.get(u) ?? false) || converted.has(p.id));
  }
  const n = { treatment: 0, holdout: 0 };
  const c = { treatment: 0, holdout: 0 };
  for (const [unit, conv] of units) {
    const arm = armOf(scope.tenantId, unit, share);
    n[arm]++;
    if (conv) c[arm]++;
  }
  const treatment = proportion(c.treatment, n.treatment);
  const holdout = proportion(c.holdout, n.holdout);
  return {
    from: new Date(period.from).toISOString(),
    to: new Date(period.to).toISOString(),
    share,
    unit: "household" as const,
    conversions: [...conversions],
    treatment,
    holdout,
    uplift: uplift(treatment, holdout),
  };
}
