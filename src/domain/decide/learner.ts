/**
 * The learner: Beta-Bernoulli Thompson sampling per (action, channel, segment), with the catalogue's prior.
 * Exploration is bounded twice: a sample is clipped to mean × [1 − band, 1 + band], so exploration can move an
 * action's propensity at most ±band (default 50%) from its posterior mean; and each slot is, with probability
 * epsilon (default 5%), a uniform pick among the eligible actions, so every eligible action keeps at least
 * epsilon / (number eligible) probability in the first slot — the floor off-policy evaluation needs.
 */
import type { Category } from "../profile/types";
import { allowedAfter } from "./arbitrate";
import type { OutcomeType } from "./contacts";
import { sampleBeta } from "./random";
import type { CompiledAction, CompiledCatalog } from "./catalog";
import { categoryIndex, DECISION_CHANNELS, SEGMENTS, type DecisionChannel, type Segment } from "./vocabulary";

/** Observed successes (alpha) and failures (beta) of one arm, added to the catalogue prior. */
export interface ArmStats {
  alpha: number;
  beta: number;
}

/**
 * Learner statistics as the store loads them, keyed by `statsKey`. Treated as immutable: the engine memoizes
 * lookups per map object, so to update statistics, replace the map (never mutate it).
 */
export type StatsMap = ReadonlyMap<string, ArmStats>;

const SLOTS = DECISION_CHANNELS.length * SEGMENTS.length;
const tables = new WeakMap<StatsMap, WeakMap<CompiledCatalog, Float64Array>>();

/**
 * The posterior of one arm: the action's prior plus its observed counts (negative counts ignored), read from a
 * per-(stats, catalogue) table filled on first use, so the hot path does no string-keyed lookups.
 */
export function posterior(stats: StatsMap, catalog: CompiledCatalog, a: CompiledAction, channel: DecisionChannel, segment: Segment): [number, number] {
  let byCatalog = tables.get(stats);
  if (!byCatalog) tables.set(stats, (byCatalog = new WeakMap()));
  let table = byCatalog.get(catalog);
  if (!table) byCatalog.set(catalog, (table = new Float64Array(catalog.actions.length * SLOTS * 2).fill(NaN)));
  const slot = (a.index * SLOTS + DECISION_CHANNELS.indexOf(channel) * SEGMENTS.length + SEGMENTS.indexOf(segment)) * 2;
  if (Number.isNaN(table[slot]!)) {
    const s = stats.get(statsKey(a.id, channel, segment));
    table[slot] = s && s.alpha > 0 ? s.alpha : 0;
    table[slot + 1] = s && s.beta > 0 ? s.beta : 0;
  }
  return [a.prior.alpha + table[slot]!, a.prior.beta + table[slot + 1]!];
}

/** The key of one arm: statsKey("lease-renewal", "email", "owner") === "lease-renewal|email|owner". */
export function statsKey(actionId: string, channel: DecisionChannel, segment: Segment): string {
  return `${actionId}|${channel}|${segment}`;
}

/**
 * How an outcome moves an arm's counts, for the store: an impression is a failure until a click turns it into a
 * success. Other outcomes teach the caps and fatigue (contact log), not the learner.
 */
export function statsDelta(outcome: OutcomeType): ArmStats {
  if (outcome === "impression") return { alpha: 0, beta: 1 };
  if (outcome === "click") return { alpha: 1, beta: -1 };
  return { alpha: 0, beta: 0 };
}

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
}

/** A Thompson sample clipped to the exploration band around the posterior mean. */
export function boundedSample(alpha: number, beta: number, band: number, rng: () => number): number {
  const mean = alpha / (alpha + beta);
  const x = sampleBeta(alpha, beta, rng);
  const lo = mean * (1 - band);
  const hi = mean * (1 + band);
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * Thompson scores (sample × base) for arbitration. A sample never leaves its band, so an action whose highest
 * possible score is below the lowest score `limit` others are sure to reach (with diversity: another action of
 * its own category) can never win on score; it is not sampled (NaN). An epsilon pick may still choose it — the
 * caller samples it then. This keeps sampling to the few actions that can actually win.
 */
export function thompsonScores(items: readonly Candidate[], limit: number, diverse: boolean, band: number, rng: () => number): number[] {
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
    scores[i] = hi >= (diverse ? bestInCategory[categoryIndex(c.category)]! : floor) ? boundedSample(c.alpha, c.beta, band, rng) * c.base : NaN;
  }
  return scores;
}

export interface SlotPropensity {
  slot: number;
  actionId: string;
  /** P(the policy puts this action in this slot | the earlier slots as shown). */
  propensity: number;
  /** The same probability for every action allowed in this slot; sums to 1 (or 0 if none). */
  distribution: Readonly<Record<string, number>>;
}

/**
 * Monte Carlo estimate of how likely the policy was to show each shown action in its slot, given the earlier
 * slots. Runs after the response (deferred), never on the decision path: `draws` × candidates Beta samples.
 * The epsilon part is exact; the Thompson part is estimated, ties split evenly. The slate's probability is
 * the product of the slot propensities.
 */
export function estimatePropensities(set: CandidateSet, rng: () => number, draws = 300): SlotPropensity[] {
  const { items, shown, diverse, epsilon, band } = set;
  const n = items.length;
  const cats = items.map((c) => c.category);
  const scores = new Float64Array(draws * n);
  for (let r = 0; r < draws; r++) {
    for (let i = 0; i < n; i++) scores[r * n + i] = boundedSample(items[i]!.alpha, items[i]!.beta, band, rng) * items[i]!.base;
  }
  return shown.map((pick, slot) => {
    const earlier = shown.slice(0, slot);
    const allowed = items.map((_, i) => allowedAfter(i, earlier, cats, diverse));
    const m = allowed.filter(Boolean).length;
    const wins = new Float64Array(n);
    for (let r = 0; r < draws; r++) {
      let best = -Infinity;
      let ties: number[] = [];
      for (let i = 0; i < n; i++) {
        if (!allowed[i]) continue;
        const s = scores[r * n + i]!;
        if (s > best) [best, ties] = [s, [i]];
        else if (s === best) ties.push(i);
      }
      for (const i of ties) wins[i]! += 1 / ties.length;
    }
    const distribution: Record<string, number> = {};
    for (let i = 0; i < n; i++) if (allowed[i]) distribution[items[i]!.id] = epsilon / m + ((1 - epsilon) * wins[i]!) / draws;
    return { slot, actionId: items[pick]!.id, propensity: distribution[items[pick]!.id] ?? 0, distribution };
  });
}
