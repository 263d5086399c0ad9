/**
 * The pure engine on its own: decide() over a 200-action catalogue for a realistic owner with a household,
 * compiled rules against json-logic-js, and the deferred propensity estimate.
 * Run: npx tsx bench/engine.bench.ts   (numbers go into bench/NOTES-engine.md by hand)
 */
import jsonLogic from "json-logic-js";
import { PerformanceObserver } from "node:perf_hooks";
import { Bench } from "tinybench";
import { decide, estimatePropensities, statsKey, type ArmStats, type DecisionInput } from "../src/domain/decide";
import { compileCatalog } from "../src/domain/decide/catalog";
import { DEFAULT_CONFIG } from "../src/domain/decide/config";
import { deriveGates } from "../src/domain/decide/gates";
import { ruleDataFor } from "../src/domain/decide/guardrails/consent";
import { seededRandom } from "../src/domain/decide/random";
import { DECISION_CHANNELS, SEGMENTS } from "../src/domain/decide/vocabulary";
import { compileRule, compileRules } from "../src/domain/rules/compile";
import { truthy } from "../src/domain/rules/operators";
import { installPredicates } from "../src/domain/rules/predicates";
import type { Profile } from "../src/domain/profile/types";

import { catalogue200, DAY, household, NOW, owner, stressOwner } from "./fixtures";

const raw = catalogue200();
const catalog = compileCatalog(raw, "bench");
if (catalog.rejected.length || catalog.actions.length !== 200)
  throw new Error(`catalogue: ${catalog.actions.length} compiled, ${JSON.stringify(catalog.rejected[0])}`);

const stats = new Map<string, ArmStats>();
const sr = seededRandom("stats");
for (const a of catalog.actions)
  for (const c of DECISION_CHANNELS)
    for (const s of SEGMENTS)
      stats.set(statsKey(a.id, c, s), { alpha: Math.floor(sr() * 40), beta: Math.floor(400 + sr() * 4000) });

const shown = Array.from({ length: 24 }, (_, i) => {
  const a = catalog.actions[(i * 7) % 200]!;
  return {
    actionId: a.id,
    category: a.category,
    channel: DECISION_CHANNELS[i % 6]!,
    at: NOW - (i * 29 + 3) * 3_600_000,
  };
});
const contacts = {
  shown,
  dismissals: { [catalog.actions[3]!.id]: { n: 1, last: NOW - 5 * DAY } },
  notInterested: {},
  ignoredStreak: 1,
  lastEngagedAt: NOW - 6 * DAY,
};
const householdContacts = {
  ...contacts,
  shown: shown.filter((_, i) => i % 4 === 0).map((c) => ({ ...c, at: c.at - 3_600_000 })),
  dismissals: {},
};

let seed = 0;
const rng = seededRandom("bench");
const base: DecisionInput = {
  now: NOW,
  rng,
  channel: "dealer_site",
  placement: "widget",
  limit: 3,
  dealer: { id: "dlr_sf", timeZone: "America/Los_Angeles", name: "Bay Nissan" },
  keyKind: "server",
  showSuppressed: false,
  gpc: false,
  context: { page: "/owners" },
  profile: owner,
  household,
  contacts,
  householdContacts,
  catalog,
  stats,
};
const cases: Record<string, DecisionInput> = {
  "decide: owner, dealer_site widget": base,
  "decide: every gate open, dealer_site widget": { ...base, profile: stressOwner },
  "decide: owner, email (quiet hours checked)": { ...base, channel: "email", placement: "newsletter" },
  "decide: owner, in_vehicle parked": {
    ...base,
    channel: "in_vehicle",
    placement: "home",
    keyKind: "vehicle",
    context: { driveState: "parked", secondsSinceIgnition: 600 },
  },
  "decide: owner, service_lane, showSuppressed": {
    ...base,
    channel: "service_lane",
    placement: "console",
    limit: 5,
    showSuppressed: true,
  },
  "decide: anonymous visitor, configurator": {
    ...base,
    channel: "web_configurator",
    placement: "hero",
    keyKind: "publishable",
    context: { model: "Ariya" },
    profile: null,
    household: null,
    contacts: null,
    householdContacts: null,
  },
};

// Rules: every catalogue rule on the rule data of the "every gate open" owner, compiled vs the reference
// interpreter. Each call gets a fresh data object, as each decision does, so shared subtrees are not cached
// across calls.
installPredicates(jsonLogic);
const data = ruleDataFor({ ...base, channel: "email" }, deriveGates(stressOwner, household, NOW, DEFAULT_CONFIG));
const rules = raw.map((a) => a.rule).filter((x) => x !== null && x !== undefined);
const shared = compileRules(rules).tests;
const alone = rules.map((x) => compileRule(x));
for (let i = 0; i < rules.length; i++) {
  const ref = jsonLogic.truthy(jsonLogic.apply(rules[i] as never, data));
  if (ref !== alone[i]!({ ...data }) || ref !== truthy(shared[i]!({ ...data }))) throw new Error(`rule ${i} disagrees`);
}
let sink = 0;

const sample = decide({ ...base, profile: stressOwner, channel: "service_lane", limit: 5 });

const bench = new Bench({ time: 2000, warmupTime: 500 });
for (const [name, inp] of Object.entries(cases))
  bench.add(name, () => {
    sink += decide(inp).actions.length;
  });
const RULES_ALONE = `rules: compiled one by one (compileRule), all ${rules.length}`;
const RULES_SHARED = `rules: compiled together (compileRules, shared subtrees), all ${rules.length}`;
const RULES_REF = `rules: json-logic-js apply, all ${rules.length}`;
bench.add(RULES_ALONE, () => {
  const d = { ...data };
  for (const f of alone) sink += f(d) ? 1 : 0;
});
bench.add(RULES_SHARED, () => {
  const d = { ...data };
  for (const f of shared) sink += truthy(f(d)) ? 1 : 0;
});
bench.add(RULES_REF, () => {
  const d = { ...data };
  for (const x of rules) sink += jsonLogic.truthy(jsonLogic.apply(x as never, d)) ? 1 : 0;
});
bench.add("compileCatalog (200 actions, once per version)", () => {
  sink += compileCatalog(raw, "v").actions.length;
});
bench.add(`estimatePropensities (${sample.candidates.items.length} candidates × 300 draws, deferred)`, () => {
  sink += estimatePropensities(sample.candidates, seededRandom(`p${seed++}`), 300).length;
});

await bench.run();
const us = (ms: number) => (ms * 1000).toFixed(2);
const stats_ = (name: string) => {
  const r = bench.tasks.find((t) => t.name === name)!.result;
  if (r.state !== "completed") throw new Error(`${name}: ${r.state}`);
  return r.latency;
};
const eligible = (p: Profile) =>
  ["dealer_site", "email", "service_lane"]
    .map((c) => decide({ ...base, profile: p, channel: c as never }).candidates.items.length)
    .join("/");
console.log(
  `node ${process.version}; catalogue: ${catalog.actions.length} actions, ${catalog.byChannel.dealer_site.length} on dealer_site; eligible on dealer_site/email/service_lane: owner ${eligible(owner)}, every gate open ${eligible(stressOwner)}`,
);
console.log("| case | mean µs | p50 µs | p99 µs | samples |");
console.log("|---|---:|---:|---:|---:|");
for (const t of bench.tasks) {
  const l = stats_(t.name);
  console.log(`| ${t.name} | ${us(l.mean)} | ${us(l.p50)} | ${us(l.p99)} | ${l.samplesCount} |`);
}
const perRule = (name: string) => ((stats_(name).mean * 1e6) / rules.length).toFixed(0);
console.log(
  `per rule (mean): one by one ${perRule(RULES_ALONE)} ns, together ${perRule(RULES_SHARED)} ns, json-logic-js ${perRule(RULES_REF)} ns`,
);
// Tail latency outside tinybench: 100k decisions in a row, each timed, with the garbage collections counted.
let gcs = 0;
const gcWatch = new PerformanceObserver((l) => void (gcs += l.getEntries().length));
gcWatch.observe({ entryTypes: ["gc"] });
console.log("\n| case (100k in a row) | p50 µs | p90 µs | p99 µs | p99.9 µs | GCs |");
console.log("|---|---:|---:|---:|---:|---:|");
for (const [name, inp] of Object.entries(cases).slice(0, 3)) {
  const n = 100_000;
  const lat = new Float64Array(n);
  gcs = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    sink += decide(inp).actions.length;
    lat[i] = performance.now() - t;
  }
  await new Promise((r) => setTimeout(r, 20));
  lat.sort();
  const q = (p: number) => us(lat[Math.floor(n * p)]!);
  console.log(`| ${name} | ${q(0.5)} | ${q(0.9)} | ${q(0.99)} | ${q(0.999)} | ${gcs} |`);
}
gcWatch.disconnect();
if (sink === -1) console.log(sink);
