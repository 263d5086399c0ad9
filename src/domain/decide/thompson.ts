/** Thompson sampling for arbitration, with the bounded exploration the learner documents (learner.ts). */
import type { Category } from "../profile/types";
import { sampleBeta } from "./random";
import { categoryIndex } from "./vocabulary";

/** One eligible action as the deferred propensity estimate needs it. */
export interface Candidate {
  id: string;
  category: Category;
  /** Posterior Beta parameters (prior + observed). */
  alpha: number;
  beta: number;
  /** Context weight × value × lever: the score is propensity × base. */
  base: number;
}

export interface CandidateSet {
  items: readonly Candidate[];
  /** Index into `items` of the action shown in each slot. */
  shown: readonly number[];
  diverse: boolean;
  epsilon: number;
  band: number;
  /** The category that takes the first slot when a candidate of it exists (safety on small surfaces); absent: none. */
  first?: Category | null;
}

/** A Thompson sample clipped to the exploration band around the posterior mean. */
export function boundedSample(alpha: number, beta: number, band: number, rng: () => number): number {
  const mean = alpha / (alpha + beta);
  const x = sampleBeta(alpha, beta, rng);
  const lo = mean * (1 - band);
  const hi = mean * (1 + band);
  return x < lo ? lo : Math.min(x, hi);
}

/**
 * Thompson scores (sample × base) for arbitration. A sample never leaves its band, so an action whose highest
 * possible score is below the lowest score `limit` others are sure to reach (with diversity: another action of
 * its own category) can never win on score; it is not sampled (NaN). An epsilon pick may still choose it — the
 * caller samples it then. This keeps sampling to the few actions that can actually win.
 */
export function thompsonScores(
  items: readonly Candidate[],
  limit: number,
  diverse: boolean,
  band: number,
  rng: () => number,
): number[] {
  const n = items.length;
  // Plain arrays: for a few dozen candidates they are cheaper to allocate than typed arrays.
  const scores: number[] = new Array(n);
  const lo: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = items[i]!;
    lo[i] = (c.alpha / (c.alpha + c.beta)) * (1 - band) * c.base;
  }
  let floor = -Infinity;
  const bestInCategory = [-Infinity, -Infinity, -Infinity, -Infinity, -Infinity];
  if (diverse) {
    for (let i = 0; i < n; i++) {
      const k = categoryIndex(items[i]!.category);
      if (lo[i]! > bestInCategory[k]!) bestInCategory[k] = lo[i]!;
    }
  } else if (limit <= 0) floor = Infinity;
  else if (n > limit) floor = lo.slice().sort((x, y) => y - x)[limit - 1]!;
  for (let i = 0; i < n; i++) {
    const c = items[i]!;
    const hi = (c.alpha / (c.alpha + c.beta)) * (1 + band) * c.base;
    scores[i] =
      hi >= (diverse ? bestInCategory[categoryIndex(c.category)]! : floor)
        ? boundedSample(c.alpha, c.beta, band, rng) * c.base
        : NaN;
  }
  return scores;
}
