/** Engine defaults; every number here is a policy choice a tenant may override with `resolveConfig`. */
import type { Category } from "../profile/types";
import type { DecisionChannel } from "./vocabulary";

export interface CapWindow {
  perDay?: number;
  perWeek?: number;
}

export interface DecideConfig {
  /** Seconds after ignition during which the dashboard stays silent. */
  ignitionQuietSeconds: number;
  inCarPerLocalDay: number;
  inCarMaxChars: number;
  inCarMaxButtons: number;
  inCarMaxButtonChars: number;
  defaultQuietHours: { start: string; end: string };
  quietHoursChannels: readonly DecisionChannel[];
  /** Days after a purchase without new-vehicle sales actions. */
  coolingDays: number;
  dismissThreshold: number;
  dismissHoldDays: number;
  /** How long a "not interested" outcome holds its category back (the person's own preference holds forever). */
  notInterestedDays: number;
  /** Ignored contacts in a row after which contact becomes exponentially rarer. */
  ignoredStreakThreshold: number;
  caps: {
    /** Across interruptive channels (email, app, in_vehicle): what the person perceives as being contacted. */
    overall: CapWindow;
    perChannel: Partial<Record<DecisionChannel, CapWindow>>;
    perCategory: Partial<Record<Category, CapWindow>>;
  };
  /**
   * Caps of a safety action that sets none of its own. Safety is never held back by channel, category or overall
   * caps (marketing's), only by its own action caps: a recall is not read out twice in a minute.
   */
  safetyCaps: CapWindow & { perMonth?: number; perChannel?: Partial<Record<DecisionChannel, CapWindow>> };
  /** When true, marketing needs an explicit opt-in per channel; when false only an explicit opt-out blocks it. */
  marketingRequiresOptIn: boolean;
  loanPayoffWindowDays: number;
  configuredRecentlyDays: number;
  lapsedDays: number;
  serviceDueWindowDays: number;
  serviceDueMileageWindow: number;
  expensiveServiceCost: number;
  expensiveServiceWindowDays: number;
  learner: {
    /** Probability that a slot is filled uniformly at random among eligible actions (the OPE floor). */
    epsilon: number;
    /** A Thompson sample is clipped to mean × [1 − band, 1 + band]. */
    band: number;
  };
  ttlSeconds: Record<DecisionChannel, number>;
  /** TTL when the answer is "not now" (moving, ignition, quiet hours), so the caller asks again soon. */
  deferredTtlSeconds: number;
}

export const DEFAULT_CONFIG: Readonly<DecideConfig> = Object.freeze<DecideConfig>({
  ignitionQuietSeconds: 120,
  inCarPerLocalDay: 2,
  inCarMaxChars: 120,
  inCarMaxButtons: 3,
  inCarMaxButtonChars: 20,
  defaultQuietHours: { start: "21:00", end: "08:00" },
  quietHoursChannels: ["email", "app", "in_vehicle"],
  coolingDays: 90,
  dismissThreshold: 2,
  dismissHoldDays: 30,
  notInterestedDays: 180,
  ignoredStreakThreshold: 3,
  caps: {
    overall: { perDay: 3, perWeek: 8 },
    perChannel: {
      email: { perDay: 1, perWeek: 3 },
      app: { perDay: 2, perWeek: 5 },
      in_vehicle: { perDay: 2, perWeek: 6 },
      dealer_site: { perDay: 40 },
      web_configurator: { perDay: 60 },
    },
    perCategory: { sales: { perDay: 1, perWeek: 3 }, retention: { perDay: 1, perWeek: 2 }, info: { perWeek: 4 } },
  },
  // Once a day on the dashboard and in the app, once a week by email; web pages the person opens are not capped.
  safetyCaps: { perChannel: { in_vehicle: { perDay: 1 }, app: { perDay: 1 }, email: { perWeek: 1 } } },
  marketingRequiresOptIn: false,
  loanPayoffWindowDays: 180,
  configuredRecentlyDays: 30,
  lapsedDays: 730,
  serviceDueWindowDays: 30,
  serviceDueMileageWindow: 1000,
  expensiveServiceCost: 500,
  expensiveServiceWindowDays: 90,
  learner: { epsilon: 0.05, band: 0.5 },
  ttlSeconds: { web_configurator: 60, dealer_site: 300, in_vehicle: 60, email: 3600, app: 900, service_lane: 300 },
  deferredTtlSeconds: 30,
});

/** What each setting does (docs/rules.md is generated from this and DEFAULT_CONFIG). */
export const CONFIG_DESCRIPTIONS: Readonly<Record<keyof DecideConfig, string>> = {
  ignitionQuietSeconds: "In-car: seconds after ignition during which nothing is shown.",
  inCarPerLocalDay: "In-car: prompts per vehicle and local day, at most.",
  inCarMaxChars: "In-car: characters of text, at most (read aloud; no URLs).",
  inCarMaxButtons: "In-car: buttons, at most.",
  inCarMaxButtonChars: "In-car: characters per button, at most.",
  defaultQuietHours:
    "Quiet hours when the person set none, in their local time: their time zone, else the dealer's, else the request's `context.timeZone`, else UTC.",
  quietHoursChannels: "Channels that respect quiet hours (pulled channels, web pages and the service lane, do not).",
  coolingDays: "Days after a purchase without new-vehicle sales actions (post-purchase cooling).",
  dismissThreshold: "Dismissals of one action after which it is held back for `dismissHoldDays`.",
  dismissHoldDays: "Days an often-dismissed action is held back.",
  notInterestedDays: "Days a `not_interested` outcome holds its category back (a stated preference holds forever).",
  ignoredStreakThreshold: "Ignored contacts in a row after which contact becomes exponentially rarer.",
  caps: "Frequency caps: `overall` across interruptive channels (email, app, in_vehicle), `perChannel`, `perCategory`; each a per-day and/or per-week count over the person's identifiers (and the household for household-level actions).",
  safetyCaps:
    "Default caps of safety actions (open recalls) that set none of their own: safety is never held back by marketing's overall, channel or category caps, only by these (once a day in the car and the app, once a week by email), so a recall is not read out twice in a minute.",
  marketingRequiresOptIn:
    "Set per decision from the brand's marketing-consent setting (opt-in or opt-out by the person's or the dealer's country). When true, marketing needs an explicit opt-in per channel; when false only an explicit opt-out blocks it.",
  loanPayoffWindowDays: "Days a loan payoff inquiry counts as recent (`loan_payoff_inquiry_seen`).",
  configuredRecentlyDays: "Days a configured build counts as recent (`gates.modelConfiguredRecently`).",
  lapsedDays: "Days without on-brand activity after which an owner is `lapsed`.",
  serviceDueWindowDays: "A service due within this many days counts as due (`service_due`, `gates.serviceDue`).",
  serviceDueMileageWindow: "A service counts as due when the odometer is within this distance of its due mileage.",
  expensiveServiceCost: "An estimated cost from which a service counts as major (`gates.expensiveServiceAhead`).",
  expensiveServiceWindowDays: "How far ahead a major service counts for `gates.expensiveServiceAhead`.",
  learner: "Thompson sampling: `epsilon` uniform exploration; samples clipped to the posterior mean × (1 ± `band`).",
  ttlSeconds: "How long a caller may show a decision before asking again, per channel.",
  deferredTtlSeconds: "TTL of a not-now answer (moving, ignition, quiet hours), so the caller asks again soon.",
};

type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

/** Defaults with overrides merged in (objects merged, arrays replaced); build once at start, not per decision. */
export function resolveConfig(overrides: DeepPartial<DecideConfig> = {}): DecideConfig {
  return merge(structuredClone(DEFAULT_CONFIG) as DecideConfig, overrides) as DecideConfig;
}

function merge(base: any, over: any): any {
  for (const [k, v] of Object.entries(over ?? {})) {
    if (v === undefined) continue;
    base[k] =
      v !== null && typeof v === "object" && !Array.isArray(v) && typeof base[k] === "object"
        ? merge(base[k] ?? {}, v)
        : v;
  }
  return base;
}
