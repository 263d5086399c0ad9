/**
 * Holdouts: a per-brand control group, randomized by household, that gets no marketing, so that the lift marketing
 * brings can be measured against it (`getUplift`). One household never sees both arms: the unit is the household,
 * and a person without one is randomized alone. Safety, service and information still reach the control group.
 * Pure: the assignment is a hash of the brand and the unit, the same on every runtime and every call.
 */
import { seededRandom } from "../decide/random";

export type Arm = "treatment" | "holdout";

/** The randomization unit of a person: their household, else themselves. unitOf("prs_1", "hh_9") === "hh_9". */
export const unitOf = (personId: string, householdId: string | null | undefined): string => householdId ?? personId;

/**
 * The arm of a unit for a brand's holdout share (0 = no holdout): a uniform draw seeded by the brand and the unit.
 * Changing the share moves only units between the two arms' margins (a unit with draw u is held out for every
 * share > u), so raising it keeps everyone already held out. Example: armOf("tnt_1", "hh_9", 0.05).
 */
export function armOf(tenantId: string, unit: string, share: number): Arm {
  if (!(share > 0)) return "treatment";
  return seededRandom(`holdout/${tenantId}/${unit}`)() < share ? "holdout" : "treatment";
}

export interface Proportion {
  units: number;
  converted: number;
  rate: number;
  /** Wilson score 95% interval. */
  ci: [number, number];
}

const Z = 1.959963984540054;

/** Wilson score interval of a proportion: wilson(5, 100) ≈ [0.0215, 0.1118]. */
export function wilson(converted: number, n: number, z = Z): [number, number] {
  if (n === 0) return [0, 1];
  const p = converted / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function proportion(converted: number, units: number): Proportion {
  return { units, converted, rate: units ? converted / units : 0, ci: wilson(converted, units) };
}

/**
 * Uplift = treatment rate − holdout rate, with Newcombe's hybrid score interval for a difference of two independent
 * proportions (method 10 of Newcombe 1998: built from the two Wilson intervals; sound for small counts, where the
 * plain Wald interval is not).
 */
export function uplift(
  t: Proportion,
  h: Proportion,
): { absolute: number; ci: [number, number]; relative: number | null } {
  const d = t.rate - h.rate;
  const [l1, u1] = t.ci;
  const [l2, u2] = h.ci;
  const lo = d - Math.sqrt((t.rate - l1) ** 2 + (u2 - h.rate) ** 2);
  const hi = d + Math.sqrt((u1 - t.rate) ** 2 + (h.rate - l2) ** 2);
  return { absolute: d, ci: [lo, hi], relative: h.rate > 0 ? d / h.rate : null };
}
