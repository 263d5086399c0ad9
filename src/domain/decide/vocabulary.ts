/** The decision vocabulary: channels, action kinds, categories and learner segments. */
import type { Category, Channel } from "../profile/types";

/** Where a decision is shown. */
export const DECISION_CHANNELS = [
  "web_configurator",
  "dealer_site",
  "in_vehicle",
  "email",
  "app",
  "service_lane",
] as const;
export type DecisionChannel = (typeof DECISION_CHANNELS)[number];

export const ACTION_KINDS = ["offer", "service_reminder", "content", "safety_recall", "survey", "test_drive"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const CATEGORIES = ["sales", "service", "retention", "info", "safety"] as const satisfies readonly Category[];

/** A category's position in CATEGORIES, for per-category arrays on the hot path: categoryIndex("info") === 3. */
export function categoryIndex(c: Category): number {
  switch (c) {
    case "sales":
      return 0;
    case "service":
      return 1;
    case "retention":
      return 2;
    case "info":
      return 3;
    default:
      return 4;
  }
}

/** A channel's position in DECISION_CHANNELS: channelIndex("email") === 3. */
export function channelIndex(c: DecisionChannel): number {
  return DECISION_CHANNELS.indexOf(c);
}

/** Learner segments: the lifecycle stage, or "anonymous" for an unknown visitor (and under GPC). */
export const SEGMENTS = ["prospect", "shopper", "owner", "lapsed", "anonymous"] as const;
export type Segment = (typeof SEGMENTS)[number];

/** The consent channel that governs marketing on a decision channel; the service lane has no marketing gate. */
export const CONSENT_CHANNEL: Readonly<Record<DecisionChannel, Channel | null>> = {
  email: "email",
  in_vehicle: "in_vehicle",
  app: "push",
  web_configurator: "web",
  dealer_site: "web",
  service_lane: null,
};

/** Channels that reach out to the person; web pages and the service lane are pulled by the person. */
export const INTERRUPTIVE: ReadonlySet<DecisionChannel> = new Set<DecisionChannel>(["email", "app", "in_vehicle"]);

/** Marketing is selling: sales and retention actions, and any offer or test-drive prompt, whatever its category. */
export function isMarketing(a: { kind: ActionKind; category: Category }): boolean {
  return a.category === "sales" || a.category === "retention" || a.kind === "offer" || a.kind === "test_drive";
}
