/** What decide() takes and gives. */
import type { KeyKind } from "../keys";
import type { HouseholdDoc, Profile } from "../profile/types";
import type { Category } from "../profile/types";
import type { Creative } from "./action";
import type { CompiledCatalog } from "./catalog";
import type { DecideConfig } from "./config";
import type { ContactLog } from "./contacts";
import type { CandidateSet, StatsMap } from "./learner";
import type { ActionKind, DecisionChannel, Segment } from "./vocabulary";
import type { SlotChoice } from "../channels/slots";

export interface DecisionContextInput {
  page?: string;
  model?: string;
  locale?: string;
  timeZone?: string;
  driveState?: "parked" | "moving" | "unknown";
  speedKph?: number;
  secondsSinceIgnition?: number;
}

export interface DecisionInput {
  /** Epoch ms. */
  now: number;
  /** Uniform in [0, 1); seed it from the decision id (seededRandom) to replay a decision. */
  rng: () => number;
  channel: DecisionChannel;
  placement: string;
  limit: number;
  dealer: { id: string; timeZone: string | null; name?: string | null } | null;
  keyKind: KeyKind;
  /** Honoured for server keys only: the reasons name sensitive guardrails (e.g. an open complaint). */
  showSuppressed: boolean;
  /**
   * Whether `sensitiveReasons` (and sensitive notes) are given: server keys with `profiles:read` only (see
   * audience.ts). Absent: false. Sensitive reasons never appear in `reasons`, whoever asks.
   */
  showSensitive?: boolean;
  /** Sec-GPC: 1 — decide on the request context only. */
  gpc: boolean;
  /** The person is in the brand's holdout group (no marketing; domain/learning/holdout.ts). Absent: false. */
  holdout?: boolean;
  context: DecisionContextInput;
  /** Null for an unknown visitor. */
  profile: Profile | null;
  household: HouseholdDoc | null;
  contacts: ContactLog | null;
  /** The household's contacts, counted for household-level actions; entries also in `contacts` count once. */
  householdContacts: ContactLog | null;
  catalog: CompiledCatalog;
  stats: StatsMap;
  config?: DecideConfig;
  /** Actions already placed elsewhere on the same page (decidePage): never shown twice in one decision. */
  exclude?: ReadonlySet<string>;
  /**
   * issue 10: open service slots for the person's dealer (or the next one), looked up by the caller when the
   * catalogue has a service reminder for the channel; absent: capacity is not considered.
   */
  serviceSlots?: SlotChoice;
}

export interface DecidedAction {
  id: string;
  kind: ActionKind;
  category: Category;
  slot: number;
  creative: Creative;
  score: number;
  /** Plain-words reasons, safe to show or read out: never a sensitive one, for any key. */
  reasons: string[];
  /** With `showSensitive` only: what staff must know but never say to the person. */
  sensitiveReasons: string[];
}

export type GuardrailName =
  | "consent"
  | "holdout"
  | "in_car_safety"
  | "quiet_hours"
  | "frequency_caps"
  | "complaint"
  | "post_purchase_cooling"
  | "fatigue"
  | "relevance"
  | "sensitive_copy"
  | "service_capacity";

export interface Suppression {
  id: string;
  guardrail: GuardrailName | "rule_error";
  reason: string;
}

export interface DecisionResult {
  actions: DecidedAction[];
  /** Eligible by rule but held back; only with showSuppressed on a server key. */
  suppressed: Suppression[];
  notes: string[];
  segment: Segment;
  /** Seconds the caller may reuse this answer. */
  ttl: number;
  /** For the deferred propensity estimate and the decision log. */
  candidates: CandidateSet;
  catalogVersion: string;
}
