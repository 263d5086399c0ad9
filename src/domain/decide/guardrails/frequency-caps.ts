/**
 * Frequency caps over rolling windows (day = 24 h, week = 7 d, month = 30 d): per action (all channels, and per
 * channel), per channel, and — for interruptive channels — per category and overall. Entries shown together
 * (same channel and time) are one contact for the channel, category and overall counts. Household-level
 * actions also count the household's contacts (the person's own entries only once). Safety actions obey only their
 * own action caps (or `safetyCaps` when they set none), never the channel, category or overall caps of marketing:
 * a recall still goes out when the marketing budget is spent, but is not repeated within its cap.
 */
import type { Category } from "../../profile/types";
import type { CompiledAction } from "../catalog";
import type { CapWindow } from "../config";
import type { ContactLog, ShownContact } from "../contacts";
import { DAY } from "../gates";
import { categoryIndex, INTERRUPTIVE, type DecisionChannel } from "../vocabulary";
import type { Guardrail } from "./types";

interface Count {
  day: number;
  week: number;
  month: number;
}

/** An action's counts over all channels, and on the decision's channel. */
interface ActionCount extends Count {
  here: Count;
}

/** Counts per action id shown, per category (by categoryIndex), on the decision's channel, and overall. */
interface Tally {
  action: Map<string, ActionCount>;
  category: Count[];
  channel: Count;
  overall: Count;
}

const zero = (): Count => ({ day: 0, week: 0, month: 0 });

function bump(c: Count, age: number): void {
  c.month++;
  if (age < 7 * DAY) c.week++;
  if (age < DAY) c.day++;
}

/** Whether `s` is also in `own` (the household log may repeat the person's own entries). */
function repeated(s: ShownContact, own: readonly ShownContact[] | null, ownAts: ReadonlySet<number> | null): boolean {
  if (!own || !ownAts!.has(s.at)) return false;
  for (const o of own) if (o.at === s.at && o.actionId === s.actionId && o.channel === s.channel) return true;
  return false;
}

/** One pass over the log; counts only what a cap could use, skipping entries that repeat `own`. */
export function tally(
  log: ContactLog | null,
  channel: DecisionChannel,
  now: number,
  own: readonly ShownContact[] | null = null,
): Tally {
  const t: Tally = {
    action: new Map(),
    category: [zero(), zero(), zero(), zero(), zero()],
    channel: zero(),
    overall: zero(),
  };
  let prev: ShownContact | null = null;
  const ownAts = own ? new Set(own.map((o) => o.at)) : null;
  const shown = log?.shown ?? [];
  for (let i = 0; i < shown.length; i++) {
    const s = shown[i]!;
    // A contact recorded a moment after this decision's clock (a concurrent decision that started later and
    // won the conditional write) counts as shown now: a cap must hold across concurrent decisions.
    const age = Math.max(0, now - s.at);
    if (age >= 30 * DAY || repeated(s, own, ownAts)) continue;
    const sameContact = prev !== null && s.at === prev.at && s.channel === prev.channel;
    let c = t.action.get(s.actionId);
    if (!c) t.action.set(s.actionId, (c = { day: 0, week: 0, month: 0, here: zero() }));
    bump(c, age);
    if (s.channel === channel) {
      bump(c.here, age);
      if (!sameContact) bump(t.channel, age);
    }
    if (s.channel === "email" || s.channel === "app" || s.channel === "in_vehicle") {
      if (!sameContact) bump(t.overall, age);
      if (!sameContact || s.category !== prev!.category) bump(t.category[categoryIndex(s.category)]!, age);
    }
    prev = s;
  }
  return t;
}

/** Whether a count (the person's, plus the household's when given) reaches a cap. */
function over(a: Count | undefined, b: Count | undefined, cap: CapWindow & { perMonth?: number }): boolean {
  const day = (a?.day ?? 0) + (b?.day ?? 0);
  const week = (a?.week ?? 0) + (b?.week ?? 0);
  const month = (a?.month ?? 0) + (b?.month ?? 0);
  return (
    (cap.perDay !== undefined && day >= cap.perDay) ||
    (cap.perWeek !== undefined && week >= cap.perWeek) ||
    (cap.perMonth !== undefined && month >= cap.perMonth)
  );
}

const overCount = (c: Count, cap: CapWindow): boolean =>
  (cap.perDay !== undefined && c.day >= cap.perDay) || (cap.perWeek !== undefined && c.week >= cap.perWeek);

/** Whether an action sets no caps of its own. */
const uncapped = (c: CompiledAction["caps"]): boolean =>
  c.perDay === undefined && c.perWeek === undefined && c.perMonth === undefined && c.perChannel === undefined;

export const frequencyCaps: Guardrail = {
  name: "frequency_caps",
  prepare({ input, cfg, note }) {
    const { channel, now, catalog } = input;
    if (!input.contacts?.shown.length && !input.householdContacts?.shown.length) return null;
    const me = tally(input.contacts, channel, now);
    // The household log may or may not include this person's own entries; those are counted once.
    const hh =
      catalog.hasHouseholdLevel && input.householdContacts?.shown.length
        ? tally(input.householdContacts, channel, now, input.contacts?.shown ?? null)
        : null;
    const interruptive = INTERRUPTIVE.has(channel);
    const channelCap = cfg.caps.perChannel[channel];
    let all: string | null = null;
    if (channelCap && overCount(me.channel, channelCap)) all = `${channel} cap reached`;
    else if (interruptive && overCount(me.overall, cfg.caps.overall)) all = "overall contact cap reached";
    // An action's own caps (safety: its own, else the safety default), against the person's and household's counts.
    const ownCaps = (a: CompiledAction): string | null => {
      const mine = me.action.get(a.id);
      const theirs = a.householdLevel ? hh?.action.get(a.id) : undefined;
      if (!mine && !theirs) return null;
      const caps = a.category === "safety" && uncapped(a.caps) ? cfg.safetyCaps : a.caps;
      if (over(mine, theirs, caps)) return `${theirs ? "household " : ""}action cap reached`;
      const perChannel = caps.perChannel?.[channel];
      return perChannel && over(mine?.here, theirs?.here, perChannel) ? `action cap on ${channel} reached` : null;
    };
    if (all) {
      note(all);
      return (a) => (a.category === "safety" ? ownCaps(a) : all);
    }
    const byCategory: Partial<Record<Category, string>> = {};
    if (interruptive) {
      for (const [cat, cap] of Object.entries(cfg.caps.perCategory)) {
        if (cap && overCount(me.category[categoryIndex(cat as Category)]!, cap))
          byCategory[cat as Category] = `${cat} cap reached`;
      }
    }
    // Only actions already shown can be over their own caps; they are looked up when (and if) a rule lets them through.
    return (a) => (a.category !== "safety" && byCategory[a.category]) || ownCaps(a);
  },
};
