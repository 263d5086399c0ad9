/**
 * Arbitration, as Pega does it: score = propensity × context weight × value × lever. The context weight says how
 * well a kind of action fits a channel and how much an intrusive action costs on a small surface.
 */
import type { Category } from "../profile/types";
import type { Intrusiveness } from "./action";
import type { ActionKind, DecisionChannel } from "./vocabulary";

/** Fit of a kind of action to a channel (1 when unlisted): a service reminder belongs in an email, not on the dashboard. */
const FIT: Readonly<Record<ActionKind, Partial<Record<DecisionChannel, number>>>> = {
  offer: { in_vehicle: 0.5, service_lane: 0.8 },
  service_reminder: { in_vehicle: 0.4, email: 1.2, app: 1.1, service_lane: 1.2 },
  content: { in_vehicle: 0.8, app: 1.1 },
  safety_recall: {},
  survey: { in_vehicle: 0.2, email: 1.1, service_lane: 0.5 },
  test_drive: { web_configurator: 1.3, dealer_site: 1.1, in_vehicle: 0.3, service_lane: 0.6 },
};

const INTRUSION: Readonly<Record<"large" | "small", Record<Intrusiveness, number>>> = {
  large: { low: 1, medium: 0.95, high: 0.85 },
  small: { low: 1, medium: 0.7, high: 0.4 },
};

const SMALL_PLACEMENT = /widget|sidebar|banner|toast|card|tile|badge|inline/i;

/** Whether a placement is a small surface: the dashboard always, otherwise by its name. isSmallSurface("dealer_site", "widget") === true. */
export function isSmallSurface(channel: DecisionChannel, placement: string): boolean {
  return channel === "in_vehicle" || SMALL_PLACEMENT.test(placement);
}

/** No two actions of one category share an in-car or dealer-site widget slate. */
export function needsDiversity(channel: DecisionChannel): boolean {
  return channel === "in_vehicle" || channel === "dealer_site";
}

/** The context weight of an action kind on a channel; safety recalls are never down-weighted for intrusiveness. */
export function contextWeight(
  kind: ActionKind,
  intrusiveness: Intrusiveness,
  channel: DecisionChannel,
  small: boolean,
): number {
  const fit = FIT[kind][channel] ?? 1;
  return kind === "safety_recall" ? fit : fit * INTRUSION[small ? "small" : "large"][intrusiveness];
}

/** The category that takes the first slot when one of its actions is eligible: safety, on small surfaces. */
export function firstCategory(channel: DecisionChannel, placement: string): Category | null {
  return isSmallSurface(channel, placement) ? "safety" : null;
}

/**
 * Fill up to `limit` slots from scored candidates (`cats`: categoryIndex of each). Each slot is, with
 * probability `epsilon`, a uniform pick among the candidates still allowed (the exploration floor off-policy
 * evaluation needs), else the best score, ties broken uniformly by the rng. NaN scores never win on score.
 * When `first` (a categoryIndex) is given and a candidate of that category exists, the first slot is filled
 * among those candidates only (safety outranks marketing on small surfaces). Returns candidate indices in slot order.
 */
export function selectSlate(
  scores: ArrayLike<number>,
  cats: ArrayLike<number>,
  limit: number,
  diverse: boolean,
  epsilon: number,
  rng: () => number,
  first = -1,
): number[] {
  const n = scores.length;
  const taken: boolean[] = new Array(n).fill(false);
  let used = 0;
  const out: number[] = [];
  let pinned = false;
  if (first >= 0) for (let i = 0; i < n && !pinned; i++) pinned = cats[i] === first;
  for (let slot = 0; slot < limit; slot++) {
    const explore = epsilon > 0 && rng() < epsilon;
    let pick = -1;
    let best = -Infinity;
    let count = 0;
    const only = slot === 0 && pinned ? first : -1;
    for (let i = 0; i < n; i++) {
      if (taken[i] || (diverse && (used & (1 << cats[i]!)) !== 0) || (only >= 0 && cats[i] !== only)) continue;
      const s = explore ? 0 : scores[i]!;
      if (explore || s === best) {
        count++;
        if (rng() * count < 1) pick = i;
      } else if (s > best) {
        best = s;
        pick = i;
        count = 1;
      }
    }
    if (pick < 0) break;
    taken[pick] = true;
    used |= 1 << cats[pick]!;
    out.push(pick);
  }
  return out;
}

/**
 * Whether candidate `i` may still fill a slot after `earlier` (indices) were placed; `pinned` is the category that
 * takes the first slot (present among the candidates), or null.
 */
export function allowedAfter(
  i: number,
  earlier: readonly number[],
  categories: readonly Category[],
  diverse: boolean,
  pinned: Category | null = null,
): boolean {
  if (earlier.length === 0 && pinned !== null && categories[i] !== pinned) return false;
  return !earlier.includes(i) && !(diverse && earlier.some((j) => categories[j] === categories[i]));
}
