/**
 * Fatigue: a dismissed action stays dismissed for a while (twice → 30 days); "not interested" holds its category
 * back (the person's own preference for good, an outcome for 180 days); and a person who ignored N interruptive
 * contacts in a row is not chased: with probability 1 − 2^−(streak − N + 1) the whole contact is held back.
 * Safety recalls are not marketing fatigue and pass.
 */
import type { Category } from "../../profile/types";
import { DAY } from "../gates";
import { INTERRUPTIVE } from "../vocabulary";
import type { Guardrail } from "./types";

/** The probability of holding back a contact after `streak` ignored ones: holdProbability(3, 3) === 0.5. */
export function holdProbability(streak: number, threshold: number): number {
  return streak < threshold ? 0 : 1 - 2 ** -(streak - threshold + 1);
}

export const fatigue: Guardrail = {
  name: "fatigue",
  concerns: (a) => a.category !== "safety",
  prepare({ input, cfg, note }) {
    const log = input.contacts;
    const now = input.now;
    const categories = new Set<Category>(input.profile?.consent.notInterested ?? []);
    for (const [cat, v] of Object.entries(log?.notInterested ?? {}))
      if (v && now - v.at < cfg.notInterestedDays * DAY) categories.add(cat as Category);
    const dismissed = new Map<string, string>();
    for (const [id, d] of Object.entries(log?.dismissals ?? {})) {
      if (d.n >= cfg.dismissThreshold && now - d.last < cfg.dismissHoldDays * DAY)
        dismissed.set(id, `dismissed ${d.n} times`);
    }
    const streak = log?.ignoredStreak ?? 0;
    // One draw per decision, and only when it can matter, so replays stay aligned.
    const p = INTERRUPTIVE.has(input.channel) ? holdProbability(streak, cfg.ignoredStreakThreshold) : 0;
    if (p > 0 && input.rng() < p) {
      note(`${streak} contacts ignored in a row: contacting less`);
      const reason = `${streak} contacts ignored in a row`;
      return (a) => (a.category === "safety" ? null : reason);
    }
    if (categories.size === 0 && dismissed.size === 0) return null;
    return (a) => {
      if (a.category === "safety") return null;
      return categories.has(a.category) ? `not interested in ${a.category}` : (dismissed.get(a.id) ?? null);
    };
  },
};
