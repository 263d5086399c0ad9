/**
 * Off-policy evaluation on Open Bandit Dataset logs (Saito et al., NeurIPS 2021; data/obd): estimate a ranking
 * policy's CTR per impression from a log written by another policy, with IPS, SNIPS and DR (reward model: a
 * per-(item, position) CTR cross-fitted on the other fold). Pure: parsing takes text, randomness comes in as `rng`.
 */
import type { Candidate } from "../decide/thompson";
import { estimate, type OpeResult, onPolicy, type Round } from "./estimators";
import { betaTopK, pitwallSlate, type SlatePolicy, type SlotDistribution, slotProbability } from "./policies";

/** One logged impression: item shown at a slot (0-based), clicked or not, with the logging policy's propensity. */
export interface ObdRow {
  timestamp: string;
  item: number;
  slot: number;
  click: number;
  pscore: number;
}

/** Rows of an OBD csv (columns timestamp, item_id, position (1-based), click, propensity_score; others ignored). */
export function parseObdCsv(text: string): ObdRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0]?.split(",") ?? [];
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`the OBD csv has no ${name} column`);
    return i;
  };
  const [ts, item, pos, click, ps] = [
    col("timestamp"),
    col("item_id"),
    col("position"),
    col("click"),
    col("propensity_score"),
  ];
  return lines.slice(1).map((line, n) => {
    const f = line.split(",");
    const row = {
      timestamp: f[ts]!,
      item: Number(f[item]),
      slot: Number(f[pos]) - 1,
      click: Number(f[click]),
      pscore: Number(f[ps]),
    };
    if (![row.item, row.slot, row.click, row.pscore].every(Number.isFinite) || row.slot < 0) {
      throw new Error(`line ${n + 2}: not an OBD row`);
    }
    return row;
  });
}

/** Number of slots in a log (largest position). */
export const slotsOf = (rows: readonly ObdRow[]): number => rows.reduce((m, r) => Math.max(m, r.slot + 1), 0);

/**
 * A per-(item, slot) CTR shrunk toward the slot's CTR (`strength` pseudo-impressions), fitted on `rows`.
 * Example: slotCtr(rows, 34, 3)(7, 0) → the smoothed CTR of item 7 in the first slot.
 */
export function slotCtr(rows: readonly ObdRow[], actions: number, slots: number, strength = 100) {
  const shows = new Float64Array(actions * slots);
  const clicks = new Float64Array(actions * slots);
  const slotShows = new Float64Array(slots);
  const slotClicks = new Float64Array(slots);
  for (const r of rows) {
    shows[r.slot * actions + r.item]! += 1;
    clicks[r.slot * actions + r.item]! += r.click;
    slotShows[r.slot]! += 1;
    slotClicks[r.slot]! += r.click;
  }
  return (item: number, slot: number): number => {
    const base = slotShows[slot]! > 0 ? slotClicks[slot]! / slotShows[slot]! : 0;
    const i = slot * actions + item;
    return (clicks[i]! + strength * base) / (shows[i]! + strength);
  };
}

/**
 * The rounds of a log for a context-free target policy: weights from the target's slot distribution, and a
 * reward model cross-fitted over `folds` folds (each round predicted by a model fitted on the other folds).
 */
export function obdRounds(log: readonly ObdRow[], target: SlotDistribution, folds = 2): Round[] {
  const { actions, slots } = target;
  const fold = (i: number) => i % folds;
  const models = Array.from({ length: folds }, (_, k) =>
    slotCtr(
      log.filter((_, i) => fold(i) !== k),
      actions,
      slots,
    ),
  );
  return log.map((r, i) => {
    const q = models[fold(i)]!;
    let dm = 0;
    for (let a = 0; a < actions; a++) dm += slotProbability(target, a, r.slot) * q(a, r.slot);
    return {
      reward: r.click,
      pscore: r.pscore,
      target: slotProbability(target, r.item, r.slot),
      q: q(r.item, r.slot),
      dm,
    };
  });
}

export interface ObdEvaluation extends OpeResult {
  /** The target policy's own CTR in its own log, when one is given. */
  onPolicy?: { value: number; ci: [number, number] };
  /** The logging policy's CTR in the evaluated log. */
  logged: { value: number; ci: [number, number] };
}

/** Estimates a target slot distribution's CTR from a log; `ownLog` (the target's own log) adds its on-policy CTR. */
export function evaluateOnLog(
  log: readonly ObdRow[],
  target: SlotDistribution,
  rng: () => number,
  ownLog?: readonly ObdRow[],
  resamples = 2000,
): ObdEvaluation {
  const result = estimate(obdRounds(log, target), rng, resamples);
  return {
    ...(ownLog
      ? {
          onPolicy: onPolicy(
            ownLog.map((r) => r.click),
            rng,
            resamples,
          ),
        }
      : {}),
    logged: onPolicy(
      log.map((r) => r.click),
      rng,
      resamples,
    ),
    ...result,
  };
}

/** The production Bernoulli TS of the dataset, from its per-item Beta priors. */
export function btsPolicy(
  prior: { alpha: readonly number[]; beta: readonly number[] },
  slots: number,
  draws: number,
  rng: () => number,
): SlotDistribution {
  if (prior.alpha.length !== prior.beta.length) throw new Error("the prior's alpha and beta differ in length");
  return betaTopK(prior.alpha, prior.beta, slots, draws, rng);
}

/**
 * Pitwall's learner trained on a log: one arm per item with the catalogue's default prior plus the log's shows and
 * clicks (any slot), ranked as decide() ranks (bounded Thompson sampling, epsilon exploration, no diversity).
 */
export function pitwallPolicy(
  train: readonly ObdRow[],
  actions: number,
  slots: number,
  settings: SlatePolicy & { prior: { alpha: number; beta: number } },
  draws: number,
  rng: () => number,
): SlotDistribution {
  const shows = new Float64Array(actions);
  const clicks = new Float64Array(actions);
  for (const r of train) {
    shows[r.item]! += 1;
    clicks[r.item]! += r.click;
  }
  const items: Candidate[] = Array.from({ length: actions }, (_, a) => ({
    id: String(a),
    category: "info",
    alpha: settings.prior.alpha + clicks[a]!,
    beta: settings.prior.beta + shows[a]! - clicks[a]!,
    base: 1,
  }));
  return pitwallSlate(items, slots, settings, draws, rng);
}
