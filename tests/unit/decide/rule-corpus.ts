/** Rules and data for the differential test: a hand corpus covering every operator, and a seeded generator. */
import { DEFAULT_CONFIG } from "../../../src/domain/decide/config";
import { deriveGates } from "../../../src/domain/decide/gates";
import { ruleDataFor } from "../../../src/domain/decide/guardrails/consent";
import { seededRandom } from "../../../src/domain/decide/random";
import { DECISION_CHANNELS } from "../../../src/domain/decide/vocabulary";
import type { Gates, RuleData } from "../../../src/domain/rules/data";
import { evLessee, household, input, NOW, offBrandOnly, profile, rogueOwner, shopper } from "./fixtures";

export const HAND_CORPUS: unknown[] = [
  true,
  false,
  { lease_ends_within: [180] },
  { warranty_ends_within: [90] },
  { service_due: [] },
  { service_due: [14] },
  { open_recall: [] },
  { powertrain_is: ["ev"] },
  { positive_equity: [] },
  { loan_payoff_inquiry_seen: [] },
  { model_configured_recently: [30] },
  { model_configured_recently: [30, "ariya"] },
  { and: [{ lease_ends_within: [180] }, { "==": [{ var: "context.channel" }, "dealer_site"] }] },
  {
    or: [
      { loan_payoff_inquiry_seen: [] },
      { and: [{ "!=": [{ var: "gates.loanEndsInDays" }, null] }, { "<=": [{ var: "gates.loanEndsInDays" }, 90] }] },
    ],
  },
  { "<": [0, { var: "gates.leaseEndsInDays" }, 200] },
  { "<=": [30, { var: "gates.serviceDueInDays" }, 60] },
  { ">": [{ var: "gates.equityEstimate" }, 2000] },
  { ">=": [{ var: "vehicle.year" }, 2020] },
  { "===": [{ var: "gates.stage" }, "owner"] },
  { "!==": [{ var: "gates.powertrain" }, "ev"] },
  { "!": { var: "gates.openComplaint" } },
  { "!!": [{ var: "context.model" }] },
  { in: [{ var: "gates.powertrain" }, ["ice", "hybrid"]] },
  { in: ["Ari", { var: "vehicle.model" }] },
  { if: [{ var: "gates.serviceDue" }, true, { ">": [{ var: "gates.daysSinceService" }, 180] }] },
  { "?:": [{ open_recall: [] }, "yes", ""] },
  { if: [{ var: "gates.openRecalls" }, 1, { var: "gates.updateAvailable" }, 2, 0] },
  { some: [{ var: "vehicles" }, { "==": [{ var: "powertrain" }, "ice"] }] },
  { all: [{ var: "vehicles" }, { var: "onBrand" }] },
  { none: [{ var: "household.vehicles" }, { "==": [{ var: "powertrain" }, "ev"] }] },
  { filter: [{ var: "gates.powertrains" }, { "!=": [{ var: "" }, "ev"] }] },
  { map: [{ var: "vehicles" }, { var: "year" }] },
  { reduce: [{ var: "vehicles" }, { "+": [{ var: "accumulator" }, { var: "current.serviceVisits" }] }, 0] },
  { ">": [{ reduce: [{ var: "household.vehicles" }, { "+": [{ var: "accumulator" }, 1] }, 0] }, 1] },
  { merge: [{ var: "gates.powertrains" }, ["ice"]] },
  { missing: ["gates.leaseEndsInDays", "vehicle.model"] },
  { missing: [["gates.configuredModel", "profile.dealerId"]] },
  { missing_some: [1, ["gates.leaseEndsInDays", "gates.warrantyEndsInDays"]] },
  { cat: [{ var: "vehicle.make" }, " ", { var: "vehicle.model" }] },
  { "==": [{ substr: [{ var: "vehicle.vin" }, 0, 3] }, "5N1"] },
  { "==": [{ substr: [{ var: "context.channel" }, -4] }, "site"] },
  { "==": [{ substr: [{ var: "context.channel" }, 1, -2] }, "ealer_si"] },
  { ">": [{ "+": [{ var: "gates.openRecalls" }, { var: "gates.offBrandVehicles" }] }, 0] },
  { "==": [{ "+": ["3", 1] }, 4] },
  { "*": ["0"] },
  { "<": [{ "*": [{ var: "gates.leaseEndsInMonths" }, 30] }, 200] },
  { ">": [{ "-": [{ var: "gates.warrantyEndsInDays" }, { var: "gates.leaseEndsInDays" }] }, 0] },
  { "<": [{ "-": [{ var: "gates.serviceDueInDays" }] }, 0] },
  { "==": [{ "%": [{ var: "vehicle.year" }, 2] }, 0] },
  { ">": [{ "/": [{ var: "gates.equityEstimate" }, 1000] }, 5] },
  { "==": [{ min: [{ var: "gates.leaseEndsInDays" }, { var: "gates.warrantyEndsInDays" }, 365] }, 365] },
  { ">": [{ max: [{ var: "gates.openRecalls" }, 0] }, 0] },
  { "==": [{ var: ["gates.configuredModel", "none"] }, "none"] },
  { "==": [{ var: "vehicle.loan.amount" }, 24000] },
  { "==": [{ var: "profile.interest.models.0.model" }, "Ariya"] },
  {
    and: [
      { var: "gates.positiveEquity" },
      { "==": [{ var: "context.placement" }, "widget"] },
      { "!": [{ var: "gates.openComplaint" }] },
    ],
  },
  { or: [{ "==": [{ var: "context.model" }, "Ariya"] }, { "==": [{ var: "gates.configuredModel" }, "Ariya"] }, false] },
  { "==": [{ var: "gates.serviceDue" }, 1] },
  { "!=": [{ var: "gates.nextServiceKind" }, null] },
  { "==": [null, { var: "gates.configuredDaysAgo" }] },
];

const NUM_VARS = [
  "gates.leaseEndsInDays",
  "gates.leaseEndsInMonths",
  "gates.warrantyEndsInDays",
  "gates.loanEndsInDays",
  "gates.equityEstimate",
  "gates.serviceDueInDays",
  "gates.daysSinceService",
  "gates.openRecalls",
  "gates.configuredDaysAgo",
  "gates.offBrandVehicles",
  "gates.daysSincePurchase",
  "vehicle.year",
  "vehicle.odometer",
  "household.openComplaints",
  "profile.events",
];
const STR_VARS = [
  "gates.stage",
  "gates.powertrain",
  "gates.nextServiceKind",
  "gates.configuredModel",
  "context.channel",
  "context.model",
  "vehicle.model",
  "vehicle.make",
];
const BOOL_VARS = [
  "gates.serviceDue",
  "gates.positiveEquity",
  "gates.openComplaint",
  "gates.updateAvailable",
  "gates.expensiveServiceAhead",
  "vehicle.onBrand",
];
const STRINGS = ["owner", "shopper", "ev", "ice", "Ariya", "Rogue", "oil_change", "dealer_site", "email", "", "5"];
const PREDS: unknown[] = [
  { lease_ends_within: [150] },
  { warranty_ends_within: [365] },
  { service_due: [] },
  { service_due: [30] },
  { open_recall: [] },
  { powertrain_is: ["ice"] },
  { positive_equity: [] },
  { loan_payoff_inquiry_seen: [] },
  { model_configured_recently: [7] },
];

/** A seeded generator of valid rules over the rule data's roots. */
export function randomRules(count: number, seed = "rules"): unknown[] {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const num = (depth: number): unknown => {
    const k = depth > 2 ? r() * 2 : r() * 6;
    if (k < 1) return { var: pick(NUM_VARS) };
    if (k < 2) return Math.round(r() * 400) - 50;
    if (k < 3) return { [pick(["+", "-", "*", "min", "max"])]: [num(depth + 1), num(depth + 1)] };
    if (k < 4) return { [pick(["/", "%"])]: [num(depth + 1), pick([1, 2, 7, 30])] };
    if (k < 5) return { "-": [num(depth + 1)] };
    return { if: [bool(depth + 1), num(depth + 1), num(depth + 1)] };
  };
  const str = (depth: number): unknown => {
    const k = depth > 2 ? r() * 2 : r() * 4;
    if (k < 1) return { var: pick(STR_VARS) };
    if (k < 2) return pick(STRINGS);
    if (k < 3) return { cat: [str(depth + 1), str(depth + 1)] };
    return { substr: [str(depth + 1), Math.floor(r() * 4) - 1] };
  };
  const bool = (depth: number): unknown => {
    const k = depth > 3 ? r() * 3 : r() * 11;
    if (k < 1) return { var: pick(BOOL_VARS) };
    if (k < 2) return pick(PREDS);
    if (k < 3) return { [pick([">", ">=", "<", "<=", "==", "!="])]: [num(depth + 1), num(depth + 1)] };
    if (k < 4) return { [pick(["==", "===", "!=", "!=="])]: [str(depth + 1), str(depth + 1)] };
    if (k < 5)
      return { [pick(["and", "or"])]: [bool(depth + 1), bool(depth + 1), ...(r() < 0.3 ? [bool(depth + 1)] : [])] };
    if (k < 6) return { [pick(["!", "!!"])]: [bool(depth + 1)] };
    if (k < 7) return { in: [str(depth + 1), r() < 0.5 ? [pick(STRINGS), pick(STRINGS)] : str(depth + 1)] };
    if (k < 8) return { "<": [num(depth + 1), num(depth + 1), num(depth + 1)] };
    if (k < 9)
      return {
        [pick(["some", "all", "none"])]: [
          { var: pick(["vehicles", "household.vehicles"]) },
          { "==": [{ var: pick(["powertrain", "model", "onBrand"]) }, pick([...STRINGS, true])] },
        ],
      };
    if (k < 10) return { missing_some: [1, [pick(NUM_VARS), pick(STR_VARS)]] };
    return { if: [bool(depth + 1), bool(depth + 1), bool(depth + 1)] };
  };
  return Array.from({ length: count }, () => bool(0));
}

function randomGates(r: () => number, base: Gates): Gates {
  const maybe = (v: number) => (r() < 0.3 ? null : v);
  return {
    ...base,
    leaseEndsInDays: maybe(Math.floor(r() * 400) - 20),
    leaseEndsInMonths: maybe(Math.floor(r() * 13)),
    warrantyEndsInDays: maybe(Math.floor(r() * 800)),
    loanEndsInDays: maybe(Math.floor(r() * 300)),
    equityEstimate: maybe(Math.floor(r() * 20000) - 5000),
    serviceDueInDays: maybe(Math.floor(r() * 90) - 10),
    serviceDue: r() < 0.5,
    positiveEquity: r() < 0.5,
    openRecalls: Math.floor(r() * 3),
    loanPayoffInquirySeen: r() < 0.3,
    configuredDaysAgo: maybe(Math.floor(r() * 60)),
    powertrain: (["ev", "ice", "phev", "hybrid", null] as const)[Math.floor(r() * 5)]!,
    stage: (["owner", "shopper", "prospect", "lapsed"] as const)[Math.floor(r() * 4)]!,
  };
}

/** Rule data as decisions build it (fixtures × channels × GPC), plus randomized gates. */
export function dataCorpus(randomCount = 40): RuleData[] {
  const people = [null, evLessee(), rogueOwner(), shopper(), offBrandOnly(), profile()];
  const out: RuleData[] = [];
  for (const p of people) {
    for (const channel of DECISION_CHANNELS) {
      for (const gpc of [false, true]) {
        const inp = input({
          profile: p,
          household: p ? household(channel === "email" ? 1 : 0) : null,
          channel,
          gpc,
          context: { model: channel === "web_configurator" ? "Ariya" : undefined },
        });
        out.push(ruleDataFor(inp, p ? deriveGates(p, inp.household, NOW, DEFAULT_CONFIG) : null));
      }
    }
  }
  const r = seededRandom("data");
  const bases = out.filter((d) => d.gates);
  for (let i = 0; i < randomCount; i++) {
    const b = bases[i % bases.length]!;
    out.push({ ...b, gates: randomGates(r, b.gates!) });
  }
  return out;
}
