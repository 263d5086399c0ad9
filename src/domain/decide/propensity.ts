/** Propensities of a shown slate, estimated after the response for the decision log and off-policy evaluation. */
import { allowedAfter } from "./arbitrate";
import { boundedSample, type CandidateSet } from "./thompson";

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
  const pinned = set.first != null && cats.includes(set.first) ? set.first : null;
  const scores = new Float64Array(draws * n);
  for (let r = 0; r < draws; r++) {
    for (let i = 0; i < n; i++)
      scores[r * n + i] = boundedSample(items[i]!.alpha, items[i]!.beta, band, rng) * items[i]!.base;
  }
  return shown.map((pick, slot) => {
    const earlier = shown.slice(0, slot);
    const allowed = items.map((_, i) => allowedAfter(i, earlier, cats, diverse, pinned));
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
    for (let i = 0; i < n; i++)
      if (allowed[i]) distribution[items[i]!.id] = epsilon / m + ((1 - epsilon) * wins[i]!) / draws;
    return { slot, actionId: items[pick]!.id, propensity: distribution[items[pick]!.id] ?? 0, distribution };
  });
}
