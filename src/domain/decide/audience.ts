/**
 * Who asks decides what a decision may do and what it may show — never what the request claims. One policy for the
 * decide route and the engine:
 * - a vehicle key is always in a car: it may only ask for `in_vehicle`, and its decisions always pass in-car safety;
 * - `dryRun` (a decision that logs and counts nothing) is a catalogue author's tool: server keys with `catalog:write`;
 * - sensitive reasons ("asked about paying off the loan") reach only server keys with `profiles:read` (staff who
 *   may read the profile anyway), and never appear in `reasons` for anyone;
 * - what the guardrails held back reaches only server keys with `decide` and `profiles:read`.
 * Pure: no I/O.
 */
import { canSeeSuppressed, grants, type KeyKind, type Scope } from "../keys";
import type { DecisionChannel } from "./vocabulary";

export interface Asker {
  kind: KeyKind;
  scopes: Set<string>;
}

export interface DecideAsk {
  channel: DecisionChannel;
  dryRun: boolean;
}

/** What a decision for this asker may do and show. */
export interface Audience {
  /** The asker is a car: in-car safety applies whatever channel was named. */
  inCar: boolean;
  dryRun: boolean;
  /** `sensitiveReasons` in the response (and sensitive notes). */
  showSensitive: boolean;
  /** `suppressed` in the response. */
  showSuppressed: boolean;
}

/** Why a request is refused: a problem type of src/http/problems.ts and the detail naming the rule. */
export interface Refusal {
  type: "channel-not-allowed" | "dry-run-not-allowed";
  detail: string;
  requiredScope?: Scope;
}

/** The one channel a vehicle key may decide on. */
export const VEHICLE_CHANNEL: DecisionChannel = "in_vehicle";

/** Whether a key may read what staff must know but never say: server keys with `profiles:read`. */
export function canSeeSensitive(a: Asker): boolean {
  return a.kind === "server" && grants(a.scopes, "profiles:read");
}

/**
 * The audience of a decision, or why it is refused. Example: `decideAudience({kind: "vehicle", scopes}, {channel:
 * "dealer_site", dryRun: false})` → a `channel-not-allowed` refusal.
 */
export function decideAudience(
  a: Asker,
  ask: DecideAsk,
): { ok: true; audience: Audience } | { ok: false; refusal: Refusal } {
  if (a.kind === "vehicle" && ask.channel !== VEHICLE_CHANNEL)
    return {
      ok: false,
      refusal: {
        type: "channel-not-allowed",
        detail: `A vehicle key is in a car: it may only ask for the ${VEHICLE_CHANNEL} channel (not ${ask.channel}), so in-car safety always applies.`,
      },
    };
  if (ask.dryRun && !(a.kind === "server" && grants(a.scopes, "catalog:write")))
    return {
      ok: false,
      refusal: {
        type: "dry-run-not-allowed",
        detail:
          "A dry run counts and logs nothing, so it is for catalogue authors: a server key with the `catalog:write` scope.",
        requiredScope: "catalog:write",
      },
    };
  return {
    ok: true,
    audience: {
      inCar: a.kind === "vehicle",
      dryRun: ask.dryRun,
      showSensitive: canSeeSensitive(a),
      showSuppressed: canSeeSuppressed(a.kind, a.scopes),
    },
  };
}
