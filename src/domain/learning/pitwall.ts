/**
 * Off-policy evaluation on Pitwall's own decision log. Each logged placement keeps its candidate set (every eligible
 * action with its posterior, prior and base score) beside the propensity of what was shown, so another learner
 * setting — exploration, band, prior — can be replayed on it: the target's probability of the same action in the
 * same slot, given the earlier slots as shown, exactly as the logged propensity was computed. Pure.
 */
import { estimatePropensities } from "../decide/propensity";
import type { CandidateSet } from "../decide/thompson";
import type { Category } from "../profile/types";
import type { Round } from "./estimators";

/** A candidate as logged: [id, category, alpha, beta, base, priorAlpha, priorBeta] (alpha/beta include the prior). */
export type LoggedCandidate = [string, Category, number, number, number, number, number];

/** One placement's candidate set as the decision log keeps it. */
export interface LoggedCandidates {
  placement: string;
  items: LoggedCandidate[];
  /** Index into `items` of the action shown in each slot. */
  shown: number[];
  diverse: boolean;
  epsilon: number;
  band: number;
  first?: Category | null;
}

const round = (x: number) => Number(x.toPrecision(6));

/** The log's compact form of a placement's candidate set (`prior(id)` gives each action's catalogue prior). */
export function logCandidates(
  placement: string,
  set: CandidateSet,
  prior: (id: string) => { alpha: number; beta: number } | undefined,
): LoggedCandidates {
  return {
    placement,
    items: set.items.map((c) => {
      const p = prior(c.id) ?? { alpha: 0, beta: 0 };
      return [c.id, c.category, round(c.alpha), round(c.beta), round(c.base), p.alpha, p.beta];
    }),
    shown: [...set.shown],
    diverse: set.diverse,
    epsilon: set.epsilon,
    band: set.band,
    ...(set.first ? { first: set.first } : {}),
  };
}

/** A learner setting to evaluate; absent fields keep what each decision used. */
export interface LearnerSetting {
  epsilon?: number;
  band?: number;
  /** Replaces every action's catalogue prior (the observed counts stay). */
  prior?: { alpha: number; beta: number };
}

/** A logged placement with what was logged for each slot: its propensity, and whether a positive outcome followed. */
export interface LoggedSlate {
  candidates: LoggedCandidates;
  propensities: number[];
  rewards: boolean[];
}

function asSet(c: LoggedCandidates, s: LearnerSetting): CandidateSet {
  return {
    items: c.items.map(([id, category, alpha, beta, base, pa, pb]) => ({
      id,
      category,
      alpha: s.prior ? Math.max(1e-6, alpha - pa + s.prior.alpha) : alpha,
      beta: s.prior ? Math.max(1e-6, beta - pb + s.prior.beta) : beta,
      base,
    })),
    shown: c.shown,
    diverse: c.diverse,
    epsilon: s.epsilon ?? c.epsilon,
    band: s.band ?? c.band,
    first: c.first ?? null,
  };
}

/**
 * The rounds (one per shown slot) for evaluating `setting` on `slates`, with a doubly-robust reward model `q`
 * (a per-action positive rate, fitted by the caller on other data). `draws` Monte Carlo draws per placement.
 */
export function pitwallRounds(
  slates: readonly LoggedSlate[],
  setting: LearnerSetting,
  q: (actionId: string) => number,
  rng: () => number,
  draws = 300,
): Round[] {
  const out: Round[] = [];
  for (const s of slates) {
    if (!s.candidates.shown.length) continue;
    const target = estimatePropensities(asSet(s.candidates, setting), rng, draws);
    s.candidates.shown.forEach((pick, slot) => {
      const pscore = s.propensities[slot] ?? 0;
      if (!(pscore > 0)) return; // a slot logged without a propensity cannot be weighed
      const t = target[slot]!;
      let dm = 0;
      for (const [id, p] of Object.entries(t.distribution)) dm += p * q(id);
      const id = s.candidates.items[pick]![0];
      out.push({ reward: s.rewards[slot] ? 1 : 0, pscore, target: t.propensity, q: q(id), dm });
    });
  }
  return out;
}

/** Per-action positive rate over `slates`, shrunk toward the overall rate by `strength` pseudo-shows. */
export function actionRate(slates: readonly LoggedSlate[], strength = 20): (actionId: string) => number {
  const shows = new Map<string, number>();
  const wins = new Map<string, number>();
  let n = 0;
  let w = 0;
  for (const s of slates)
    s.candidates.shown.forEach((pick, slot) => {
      const id = s.candidates.items[pick]![0];
      shows.set(id, (shows.get(id) ?? 0) + 1);
      n++;
      if (s.rewards[slot]) {
        wins.set(id, (wins.get(id) ?? 0) + 1);
        w++;
      }
    });
  const base = n ? w / n : 0;
  return (id) => ((wins.get(id) ?? 0) + strength * base) / ((shows.get(id) ?? 0) + strength);
}

/** The slates of one logged decision: each placement's candidates with its slots' propensities and rewards. */
export function slatesOf(decision: {
  shown: readonly { actionId: string; propensity: number; placement?: string }[];
  candidates: readonly LoggedCandidates[];
  positive: (actionId: string) => boolean;
}): LoggedSlate[] {
  return decision.candidates.map((c) => {
    const mine = decision.shown.filter((s) => (s.placement ?? decision.candidates[0]!.placement) === c.placement);
    const ids = c.shown.map((pick) => c.items[pick]![0]);
    // The log's slots and the candidate set's must agree; a slot that does not is left unweighed.
    const propensities = ids.map((id, slot) => (mine[slot]?.actionId === id ? mine[slot]!.propensity : 0));
    return { candidates: c, propensities, rewards: ids.map((id) => decision.positive(id)) };
  });
}
