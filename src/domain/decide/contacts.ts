/**
 * The contact log: what a person was recently shown and how they reacted. The store persists it per person;
 * decisions only read it, and the pure updaters below return a new log.
 */
import type { Category } from "../profile/types";
import { DAY } from "./gates";
import { INTERRUPTIVE, type DecisionChannel } from "./vocabulary";

export interface ShownContact {
  actionId: string;
  category: Category;
  channel: DecisionChannel;
  at: number;
}

export interface ContactLog {
  /** Actions shown in the last 31 days, oldest first; entries with one channel and `at` are one contact. */
  shown: readonly ShownContact[];
  dismissals: Readonly<Record<string, { n: number; last: number }>>;
  notInterested: Readonly<Partial<Record<Category, { at: number }>>>;
  /** Interruptive contacts (email, app, in-car) since the person last engaged or dismissed. */
  ignoredStreak: number;
  lastEngagedAt: number | null;
}

export const OUTCOMES = ["impression", "click", "accept", "dismiss", "convert", "not_interested"] as const;
export type OutcomeType = (typeof OUTCOMES)[number];

export interface Outcome {
  type: OutcomeType;
  actionId: string;
  category: Category;
}

export const EMPTY_CONTACT_LOG: ContactLog = Object.freeze({
  shown: [],
  dismissals: {},
  notInterested: {},
  ignoredStreak: 0,
  lastEngagedAt: null,
});

const KEEP_SHOWN = 31 * DAY;
/** Enough for any monthly cap a catalogue sets; bounds the row a decision reads and writes. */
const MAX_SHOWN = 200;
const KEEP_DISMISSALS = 180 * DAY;

/**
 * The log after showing `shown` on one channel at `now`: appended, pruned to 31 days, and the ignored streak
 * grown by one when the channel reaches out. Example:
 * `recordContact(log, [{actionId: "lease-renewal", category: "sales", channel: "email"}], now)`.
 */
export function recordContact(
  log: ContactLog | null,
  shown: readonly Omit<ShownContact, "at">[],
  now: number,
): ContactLog {
  const base = log ?? EMPTY_CONTACT_LOG;
  const kept = base.shown.filter((c) => now - c.at < KEEP_SHOWN).slice(-(MAX_SHOWN - shown.length));
  const added = shown.map((s) => ({ actionId: s.actionId, category: s.category, channel: s.channel, at: now }));
  const reaches = shown.some((s) => INTERRUPTIVE.has(s.channel));
  return { ...base, shown: [...kept, ...added], ignoredStreak: base.ignoredStreak + (reaches ? 1 : 0) };
}

/**
 * The log after an outcome. Engagement (click, accept, convert) resets the streak; a dismissal counts against
 * the action; "not interested" holds its category back. An impression changes nothing: `recordContact` counted it.
 */
export function applyOutcome(log: ContactLog | null, outcome: Outcome, now: number): ContactLog {
  const base = log ?? EMPTY_CONTACT_LOG;
  switch (outcome.type) {
    case "impression":
      return base;
    case "click":
    case "accept":
    case "convert":
      return { ...base, ignoredStreak: 0, lastEngagedAt: now };
    case "dismiss": {
      const dismissals: Record<string, { n: number; last: number }> = {};
      for (const [id, d] of Object.entries(base.dismissals)) if (now - d.last < KEEP_DISMISSALS) dismissals[id] = d;
      dismissals[outcome.actionId] = { n: (dismissals[outcome.actionId]?.n ?? 0) + 1, last: now };
      return { ...base, dismissals, ignoredStreak: 0 };
    }
    case "not_interested":
      return { ...base, notInterested: { ...base.notInterested, [outcome.category]: { at: now } }, ignoredStreak: 0 };
  }
}
