/**
 * The learner: Beta-Bernoulli Thompson sampling per (action, channel, segment), with the catalogue's prior.
 * Exploration is bounded twice: a sample is clipped to mean × [1 − band, 1 + band], so exploration can move an
 * action's propensity at most ±band (default 50%) from its posterior mean; and each slot is, with probability
 * epsilon (default 5%), a uniform pick among the eligible actions, so every eligible action keeps at least
 * epsilon / (number eligible) probability in the first slot — the floor off-policy evaluation needs.
 */
import type { CompiledAction, CompiledCatalog } from "./catalog";
import { channelIndex, DECISION_CHANNELS, SEGMENTS, type DecisionChannel, type Segment } from "./vocabulary";

export { boundedSample, thompsonScores, type Candidate, type CandidateSet } from "./thompson";
export { estimatePropensities, type SlotPropensity } from "./propensity";

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
 * Posteriors of the arms of one decision (one channel and segment): each action's prior plus its observed counts
 * (negative counts ignored), read through a per-(stats, catalogue) table filled on first use, so the hot path
 * does no string-keyed lookups. Example: `const arms = new Posteriors(stats, catalog, "email", "owner"); arms.alpha(a)`.
 */
export class Posteriors {
  private readonly table: Float64Array;
  private readonly offset: number;
  constructor(
    private readonly stats: StatsMap,
    catalog: CompiledCatalog,
    private readonly channel: DecisionChannel,
    private readonly segment: Segment,
  ) {
    let byCatalog = tables.get(stats);
    if (!byCatalog) tables.set(stats, (byCatalog = new WeakMap()));
    let table = byCatalog.get(catalog);
    if (!table) byCatalog.set(catalog, (table = new Float64Array(catalog.actions.length * SLOTS * 2).fill(NaN)));
    this.table = table;
    this.offset = channelIndex(channel) * SEGMENTS.length + SEGMENTS.indexOf(segment);
  }

  alpha(a: CompiledAction): number {
    return a.prior.alpha + this.table[this.slot(a)]!;
  }

  beta(a: CompiledAction): number {
    return a.prior.beta + this.table[this.slot(a) + 1]!;
  }

  private slot(a: CompiledAction): number {
    const slot = (a.index * SLOTS + this.offset) * 2;
    if (Number.isNaN(this.table[slot]!)) {
      const s = this.stats.get(statsKey(a.id, this.channel, this.segment));
      this.table[slot] = s && s.alpha > 0 ? s.alpha : 0;
      this.table[slot + 1] = s && s.beta > 0 ? s.beta : 0;
    }
    return slot;
  }
}

/** The key of one arm: statsKey("lease-renewal", "email", "owner") === "lease-renewal|email|owner". */
export function statsKey(actionId: string, channel: DecisionChannel, segment: Segment): string {
  return `${actionId}|${channel}|${segment}`;
}

/**
 * Arms are counted by the store: every logged decision adds a show to each shown action's arm, and the first
 * click, accept or convert of a shown action adds a success; ArmStats = { alpha: successes, beta: shows − successes }.
 */
