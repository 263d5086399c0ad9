/**
 * A page asks once for all its placements: each placement is decided in turn, the actions placed earlier are
 * excluded from the later ones, and what was placed counts against the caps of the next placement as one
 * contact of the page. One decision, one contact; a once-a-day offer is shown on one placement at most.
 */
import { recordContact, type ContactLog } from "./contacts";
import { decide } from "./engine";
import type { DecisionInput, DecisionResult } from "./types";

export interface PlacedResult {
  placement: string;
  result: DecisionResult;
}

/**
 * Decides each placement with its own random stream (`rngFor(i)`) and returns the placements' results and the
 * person's contact log with everything shown recorded once. Example:
 * `decidePage(input, ["hero", "sidebar"], (i) => seededRandom(`${nonce}/${i}`))`.
 */
export function decidePage(
  input: DecisionInput,
  placements: readonly string[],
  rngFor: (i: number) => () => number,
): { placed: PlacedResult[]; contacts: ContactLog | null } {
  const exclude = new Set<string>(input.exclude ?? []);
  let contacts = input.contacts;
  const placed: PlacedResult[] = [];
  const shown: {
    actionId: string;
    category: DecisionResult["actions"][number]["category"];
    channel: DecisionInput["channel"];
  }[] = [];
  for (let i = 0; i < placements.length; i++) {
    const result = decide({ ...input, placement: placements[i]!, rng: rngFor(i), contacts, exclude });
    placed.push({ placement: placements[i]!, result });
    if (!result.actions.length) continue;
    const these = result.actions.map((a) => ({ actionId: a.id, category: a.category, channel: input.channel }));
    shown.push(...these);
    for (const a of result.actions) exclude.add(a.id);
    // What the earlier placements showed counts for the later ones (same time and channel: the same contact).
    if (i + 1 < placements.length) contacts = recordContact(contacts, these, input.now);
  }
  return { placed, contacts: shown.length ? recordContact(input.contacts, shown, input.now) : input.contacts };
}
