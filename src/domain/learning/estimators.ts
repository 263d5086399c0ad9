/**
 * Off-policy estimators of a target policy's expected reward per logged impression, from a log written by another
 * policy with known propensities: IPS, self-normalized IPS and doubly robust, each with a percentile bootstrap 95%
 * interval. Pure: the bootstrap's randomness comes in as `rng`.
 *
 * Every logged round i is one impression: the logged action at its slot, its reward r_i (0/1), the logging policy's
 * probability of that action in that slot p_i, and the target policy's probability of the same action in the same
 * slot e_i (so w_i = e_i / p_i). DR also takes q_i, a reward model's prediction for the logged action, and dm_i, the
 * model's expected reward under the target policy in that slot (Σ_a π_e(a | slot) q(a, slot)).
 */

export interface Round {
  reward: number;
  /** Logging policy's probability of the logged action in its slot (> 0). */
  pscore: number;
  /** Target policy's probability of the logged action in the same slot. */
  target: number;
  /** Reward model's prediction for the logged action in its slot (DR only). */
  q?: number;
  /** Σ over actions of target probability × reward-model prediction, for this slot (DR only). */
  dm?: number;
}

export interface Estimate {
  value: number;
  /** Percentile bootstrap 95% interval. */
  ci: [number, number];
}

export interface OpeResult {
  ips: Estimate;
  snips: Estimate;
  dr: Estimate;
  /** Rounds used, and the mean and largest importance weight (large weights mean a wide interval). */
  rounds: number;
  meanWeight: number;
  maxWeight: number;
}

type Stat = (idx: ArrayLike<number>) => number;

/**
 * Percentile bootstrap interval of `stat` over `n` rounds: `resamples` draws of n indices with replacement.
 * Example: bootstrapCi(1000, (idx) => mean(idx), rng) → [lo, hi].
 */
export function bootstrapCi(
  n: number,
  stat: Stat,
  rng: () => number,
  resamples = 2000,
  level = 0.95,
): [number, number] {
  if (n === 0) return [Number.NaN, Number.NaN];
  const values = new Float64Array(resamples);
  const idx = new Uint32Array(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng() * n);
    values[b] = stat(idx);
  }
  values.sort();
  const lo = values[Math.floor(((1 - level) / 2) * (resamples - 1))]!;
  const hi = values[Math.ceil((1 - (1 - level) / 2) * (resamples - 1))]!;
  return [lo, hi];
}

const all = (n: number): Uint32Array => Uint32Array.from({ length: n }, (_, i) => i);

/** IPS, SNIPS and DR estimates with intervals. Rounds without q/dm count as q = dm = 0 for DR (plain IPS). */
export function estimate(rounds: readonly Round[], rng: () => number, resamples = 2000): OpeResult {
  const n = rounds.length;
  const w = new Float64Array(n);
  const wr = new Float64Array(n);
  const dr = new Float64Array(n);
  let maxWeight = 0;
  let sumW = 0;
  for (let i = 0; i < n; i++) {
    const r = rounds[i]!;
    if (!(r.pscore > 0)) throw new Error(`round ${i}: the logging propensity must be > 0`);
    w[i] = r.target / r.pscore;
    wr[i] = w[i]! * r.reward;
    dr[i] = (r.dm ?? 0) + w[i]! * (r.reward - (r.q ?? 0));
    sumW += w[i]!;
    if (w[i]! > maxWeight) maxWeight = w[i]!;
  }
  const meanOf =
    (x: Float64Array): Stat =>
    (idx) => {
      let s = 0;
      for (let k = 0; k < idx.length; k++) s += x[idx[k]!]!;
      return s / idx.length;
    };
  const ratio: Stat = (idx) => {
    let num = 0;
    let den = 0;
    for (let k = 0; k < idx.length; k++) {
      num += wr[idx[k]!]!;
      den += w[idx[k]!]!;
    }
    return den > 0 ? num / den : 0;
  };
  const whole = all(n);
  return {
    ips: { value: meanOf(wr)(whole), ci: bootstrapCi(n, meanOf(wr), rng, resamples) },
    snips: { value: ratio(whole), ci: bootstrapCi(n, ratio, rng, resamples) },
    dr: { value: meanOf(dr)(whole), ci: bootstrapCi(n, meanOf(dr), rng, resamples) },
    rounds: n,
    meanWeight: n ? sumW / n : 0,
    maxWeight,
  };
}

/** The mean of 0/1 rewards with a percentile bootstrap interval: the on-policy value of a log. */
export function onPolicy(rewards: readonly number[], rng: () => number, resamples = 2000): Estimate {
  const n = rewards.length;
  const stat: Stat = (idx) => {
    let s = 0;
    for (let k = 0; k < idx.length; k++) s += rewards[idx[k]!]!;
    return s / idx.length;
  };
  return { value: n ? stat(all(n)) : Number.NaN, ci: bootstrapCi(n, stat, rng, resamples) };
}
