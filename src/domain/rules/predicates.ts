/**
 * Built-in predicates, added to JsonLogic as custom operations. Each reads the decision's gates, so a rule says
 * `{"lease_ends_within": [180]}` instead of spelling out the arithmetic. Without gates (anonymous, GPC) all are false.
 */
import { POWERTRAINS } from "../profile/events";
import type { Gates } from "./data";

/** The type of a predicate argument; arguments must be literals so the validator can check them. */
export type ParamType = "days" | "powertrain" | "model";

export interface Predicate {
  /** What it tests, naming its arguments (docs/rules.md and the OpenAPI document are generated from it). */
  description: string;
  /** An example use. */
  example: unknown;
  params: readonly ParamType[];
  /** How many of `params` are required. */
  required: number;
  /** True when the fact behind it must never be shown to the person (see sensitive_copy). */
  sensitive: boolean;
  test(g: Gates, args: readonly unknown[]): boolean;
}

const within = (days: number | null, limit: unknown): boolean =>
  days !== null && days >= 0 && days <= (limit as number);

export const PREDICATES: Readonly<Record<string, Predicate>> = {
  lease_ends_within: {
    description:
      "A lease of an on-brand vehicle ends within `days` days from now (today included): `gates.leaseEndsInDays`.",
    example: { lease_ends_within: [180] },
    params: ["days"],
    required: 1,
    sensitive: false,
    test: (g, [d]) => within(g.leaseEndsInDays, d),
  },
  warranty_ends_within: {
    description: "A warranty of an on-brand vehicle ends within `days` days: `gates.warrantyEndsInDays`.",
    example: { warranty_ends_within: [90] },
    params: ["days"],
    required: 1,
    sensitive: false,
    test: (g, [d]) => within(g.warrantyEndsInDays, d),
  },
  service_due: {
    description:
      "Without an argument: an on-brand vehicle's service is due (`gates.serviceDue`: within `serviceDueWindowDays` days or by mileage). With `days`: the soonest service is due within `days` days, or overdue.",
    example: { service_due: [] },
    params: ["days"],
    required: 0,
    sensitive: false,
    test: (g, [d]) =>
      d === undefined ? g.serviceDue : g.serviceDueInDays !== null && g.serviceDueInDays <= (d as number),
  },
  open_recall: {
    description: "Any of the person's vehicles has an open recall campaign: `gates.openRecalls > 0`.",
    example: { open_recall: [] },
    params: [],
    required: 0,
    sensitive: false,
    test: (g) => g.openRecalls > 0,
  },
  powertrain_is: {
    description: "`vehicle` (the primary vehicle) has this powertrain: `gates.powertrain`.",
    example: { powertrain_is: ["ev"] },
    params: ["powertrain"],
    required: 1,
    sensitive: false,
    test: (g, [pt]) => g.powertrain === pt,
  },
  positive_equity: {
    description: "Sensitive. The latest appraisal exceeds the loan balance left (`gates.positiveEquity`).",
    example: { positive_equity: [] },
    params: [],
    required: 0,
    sensitive: true,
    test: (g) => g.positiveEquity,
  },
  loan_payoff_inquiry_seen: {
    description: "Sensitive. The person asked about paying off the loan within `loanPayoffWindowDays` days.",
    example: { loan_payoff_inquiry_seen: [] },
    params: [],
    required: 0,
    sensitive: true,
    test: (g) => g.loanPayoffInquirySeen,
  },
  model_configured_recently: {
    description:
      "The person configured a build within `days` days; with `model`, the latest configured model is that one (case-insensitive).",
    example: { model_configured_recently: [30, "Ariya"] },
    params: ["days", "model"],
    required: 1,
    sensitive: false,
    test: (g, [d, model]) =>
      g.configuredDaysAgo !== null &&
      g.configuredDaysAgo <= (d as number) &&
      (model === undefined || (g.configuredModel ?? "").toLowerCase() === String(model).toLowerCase()),
  },
};

/** What each parameter type accepts (validation messages and docs). */
export const PARAM_TEXT: Readonly<Record<ParamType, string>> = {
  days: "a number of days (0-3650)",
  powertrain: "one of ev, phev, hybrid, ice",
  model: "a model name",
};

/** Whether `value` is a valid literal for a predicate parameter of type `t`. */
export function paramOk(t: ParamType, value: unknown): boolean {
  if (t === "days") return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 3650;
  if (t === "powertrain") return (POWERTRAINS as readonly unknown[]).includes(value);
  return typeof value === "string" && value.length > 0 && value.length <= 64;
}

/** Evaluate a predicate on the (scoped) data JsonLogic hands it; `data.gates` absent means false. */
export function runPredicate(name: string, data: unknown, args: readonly unknown[]): boolean {
  const g = data !== null && typeof data === "object" ? (data as { gates?: Gates }).gates : undefined;
  return g !== undefined && PREDICATES[name]!.test(g, args);
}

/**
 * Register the predicates on a json-logic-js instance (the reference evaluator, used by tests and the bench).
 * Example: `installPredicates(jsonLogic)`.
 */
export function installPredicates(lib: { add_operation(name: string, fn: (...args: any[]) => unknown): void }): void {
  for (const name of Object.keys(PREDICATES)) {
    lib.add_operation(name, function (this: unknown, ...args: unknown[]) {
      return runPredicate(name, this, args);
    });
  }
}
