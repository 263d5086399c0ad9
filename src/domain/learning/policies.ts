/**
 * Slot distributions of ranking policies, estimated by Monte Carlo: P(action a is shown in slot k). Used as the
 * target policy of off-policy evaluation. Pure; randomness comes in as `rng`.
 */
import { selectSlate } from "../decide/arbitrate";
import { sampleBeta } from "../decide/random";
import { type Candidate, thompsonScores } from "../decide/thompson";
import { categoryIndex } from "../decide/vocabulary";

/** P(action a in slot k) at `dist[k * actions + a]`. */
export interface SlotDistribution {
  actions: number;
  slots: number;
  dist: Float64Array;
}

/** The probability of action `a` in slot `k`. */
export function slotProbability(d: SlotDistribution, a: number, k: number): number {
  return d.dist[k * d.actions + a] ?? 0;
}

/**
 * Bernoulli Thompson sampling as the Open Bandit Dataset's production policy ranks: per draw, one Beta(α, β) sample
 * per action and the `slots` highest samples fill the slots in order (as zr-obp's BernoulliTS computes its batch
 * action distribution from its priors). Example: betaTopK([2, 1], [50, 60], 1, 10_000, rng).
 */
export function betaTopK(
  alpha: readonly number[],
  beta: readonly number[],
  slots: number,
  draws: number,
  rng: () => number,
): SlotDistribution {
  const n = alpha.length;
  const counts = new Float64Array(slots * n);
  const sample = new Float64Array(n);
  const taken = new Uint8Array(n);
  for (let d = 0; d < draws; d++) {
    for (let a = 0; a < n; a++) sample[a] = sampleBeta(alpha[a]!, beta[a]!, rng);
    taken.fill(0);
    for (let k = 0; k < slots; k++) {
      let best = -1;
      for (let a = 0; a < n; a++) if (!taken[a] && (best < 0 || sample[a]! > sample[best]!)) best = a;
      if (best < 0) break;
      taken[best] = 1;
      counts[k * n + best]! += 1;
    }
  }
  for (let i = 0; i < counts.length; i++) counts[i]! /= draws;
  return { actions: n, slots, dist: counts };
}

/** Pitwall's arbitration settings that shape its slate distribution. */
export interface SlatePolicy {
  /** Probability that a slot is filled uniformly at random among the allowed candidates. */
  epsilon: number;
  /** Thompson samples are clipped to mean × [1 − band, 1 + band]. */
  band: number;
  /** One action per category per slate (in-car and dealer widgets). */
  diverse: boolean;
}

/**
 * Pitwall's own policy over a candidate set, as decide() arbitrates (thompsonScores, then selectSlate with epsilon
 * exploration): P(candidate i in slot k), by `draws` simulated decisions.
 */
export function pitwallSlate(
  items: readonly Candidate[],
  slots: number,
  policy: SlatePolicy,
  draws: number,
  rng: () => number,
): SlotDistribution {
  const n = items.length;
  const counts = new Float64Array(slots * n);
  const cats = items.map((c) => categoryIndex(c.category));
  for (let d = 0; d < draws; d++) {
    const scores = thompsonScores(items, slots, policy.diverse, policy.band, rng);
    const shown = selectSlate(scores, cats, slots, policy.diverse, policy.epsilon, rng);
    for (let k = 0; k < shown.length; k++) counts[k * n + shown[k]!]! += 1;
  }
  for (let i = 0; i < counts.length; i++) counts[i]! /= draws;
  return { actions: n, slots, dist: counts };
}
