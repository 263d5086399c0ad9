/**
 * The contact log: what a person was recently shown and how they reacted. The store persists it per person;
 * decisions only read it, and the pure updaters below return a new log.
 */
import type { Category } from "../profile/types";
import { DAY } from "./gates";
import type { CompiledCatalog } from "./catalog";
import type { DecideConfig } from "./config";
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

const byTime = (a: ShownContact, b: ShownContact) =>
  a.at - b.at || (a.actionId < b.actionId ? -1 : a.actionId > b.actionId ? 1 : a.channel < b.channel ? -1 : 1);
const sameContact = (a: ShownContact, b: ShownContact) =>
  a.at === b.at && a.actionId === b.actionId && a.channel === b.channel && a.category === b.category;

/**
 * One log for a merged person: both histories of shown actions (time order), dismissals added up, every
 * "not interested" kept (the latest), the longer ignored streak, the latest engagement. A merge must not
 * forget what the absorbed person was shown. Example: `foldContacts(customerLog, visitorLog)`.
 */
export function foldContacts(a: ContactLog | null, b: ContactLog | null): ContactLog | null {
  if (!a || !b) return a ?? b;
  const shown = [...a.shown, ...b.shown].sort(byTime).slice(-MAX_SHOWN);
  const dismissals: Record<string, { n: number; last: number }> = { ...a.dismissals };
  for (const [id, d] of Object.entries(b.dismissals)) {
    const x = dismissals[id];
    dismissals[id] = x ? { n: x.n + d.n, last: Math.max(x.last, d.last) } : d;
  }
  const notInterested: Partial<Record<Category, { at: number }>> = { ...a.notInterested };
  for (const [cat, v] of Object.entries(b.notInterested) as [Category, { at: number }][]) {
    const x = notInterested[cat];
    if (!x || x.at < v.at) notInterested[cat] = v;
  }
  const engaged = [a.lastEngagedAt, b.lastEngagedAt].filter((x): x is number => x !== null);
  return {
    shown,
    dismissals,
    notInterested,
    ignoredStreak: Math.max(a.ignoredStreak, b.ignoredStreak),
    lastEngagedAt: engaged.length ? Math.max(...engaged) : null,
  };
}

/**
 * The survivor's log after an unmerge: what the absorbed person brought (its own log, kept on its record)
 * taken out again. Contacts and reactions recorded after the merge stay with the survivor.
 */
export function unfoldContacts(merged: ContactLog | null, absorbed: ContactLog | null): ContactLog | null {
  if (!merged || !absorbed) return merged;
  const left = [...absorbed.shown];
  const shown = merged.shown.filter((s) => {
    const i = left.findIndex((x) => sameContact(x, s));
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
  const dismissals: Record<string, { n: number; last: number }> = {};
  for (const [id, d] of Object.entries(merged.dismissals)) {
    const n = d.n - (absorbed.dismissals[id]?.n ?? 0);
    if (n > 0) dismissals[id] = { n, last: d.last };
  }
  const notInterested: Partial<Record<Category, { at: number }>> = {};
  for (const [cat, v] of Object.entries(merged.notInterested) as [Category, { at: number }][])
    if (absorbed.notInterested[cat]?.at !== v.at) notInterested[cat] = v;
  return { ...merged, shown, dismissals, notInterested };
}

/**
 * Whether showing `shown` on `channel` counts against a cap (an action's own caps, the channel's cap, the caps of
 * interruptive channels and the in-car daily limit). Such a contact is recorded — conditionally on the log's
 * version — before the answer leaves, so that concurrent decisions for one person cannot exceed the cap; other
 * contacts may be recorded afterwards. Example: `countsAgainstCaps([{id: "capped", category: "info"}],
 * "dealer_site", catalog, DEFAULT_CONFIG)`.
 */
export function countsAgainstCaps(
  shown: readonly { id: string; category: Category }[],
  channel: DecisionChannel,
  catalog: CompiledCatalog,
  cfg: DecideConfig,
): boolean {
  if (!shown.length) return false;
  if (INTERRUPTIVE.has(channel) || cfg.caps.perChannel[channel]) return true;
  return shown.some((s) => s.category !== "safety" && hasOwnCaps(catalog.byId.get(s.id)?.caps, channel));
}

/** Whether an action's own caps limit it on `channel`: hasOwnCaps({ perDay: 1 }, "email") === true. */
export function hasOwnCaps(
  caps: CompiledCatalog["actions"][number]["caps"] | undefined,
  channel: DecisionChannel,
): boolean {
  return (
    !!caps &&
    (caps.perDay !== undefined ||
      caps.perWeek !== undefined ||
      caps.perMonth !== undefined ||
      !!caps.perChannel?.[channel])
  );
}
