/**
 * Offline policy evaluation. `npm run ope -- <mode> [flags]`.
 *
 *   obd      --random R.csv --bts B.csv [--prior prior_bts.yaml] [--campaign men|women|all] [--json]
 *            Estimates the dataset's Bernoulli TS policy (its production Beta priors) from the uniform-random log
 *            with IPS, SNIPS and DR (95% bootstrap intervals) and prints the BTS log's own CTR beside them.
 *   learner  --random R.csv [--campaign men] [--json]
 *            Trains Pitwall's Thompson-sampling learner on the first half of the random log (by time) and estimates
 *            its CTR on the second half, beside random's and Bernoulli TS's on the same half.
 *
 *   pitwall  --db URL --tenant SLUG [--epsilon E] [--band B] [--prior-alpha A --prior-beta B] [--since ISO] [--json]
 *            Evaluates a learner setting on Pitwall's own decision log (libSQL: file:… or libsql://…), from the
 *            propensities and candidate sets logged with each decision; positive outcomes (click, accept, convert)
 *            are the reward. With no setting given it replays the logged policy itself (a check: IPS ≈ on-policy).
 *
 * Common: --draws N (Monte Carlo draws of the target policy, default 100000), --resamples N (bootstrap, default
 * 2000), --seed S. Defaults point at data/obd (the 'men' sample in this repository).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { seededRandom } from "../src/domain/decide/random";
import { onPolicy } from "../src/domain/learning/estimators";
import { btsPolicy, evaluateOnLog, parseObdCsv, pitwallPolicy, slotsOf } from "../src/domain/learning/obd";

const { values: f, positionals } = parseArgs({
  options: {
    random: { type: "string", default: "data/obd/men/random.csv" },
    bts: { type: "string", default: "data/obd/men/bts.csv" },
    prior: { type: "string", default: "data/obd/prior_bts.yaml" },
    campaign: { type: "string", default: "men" },
    draws: { type: "string", default: "100000" },
    resamples: { type: "string", default: "2000" },
    seed: { type: "string", default: "pitwall-ope" },
    db: { type: "string" },
    tenant: { type: "string" },
    epsilon: { type: "string" },
    band: { type: "string" },
    "prior-alpha": { type: "string" },
    "prior-beta": { type: "string" },
    since: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h" },
  },
  allowPositionals: true,
});

const USAGE = readFileSync(fileURLToPath(import.meta.url), "utf8")
  .split("*/")[0]!
  .replace(/^\/\*\*\n/, "")
  .replace(/^ \* ?/gm, "");

function fail(message: string): never {
  console.error(`ope: ${message} (npm run ope -- --help)`);
  process.exit(2);
}

const mode = positionals[0];
if (f.help || !mode) {
  console.log(USAGE);
  process.exit(f.help ? 0 : 2);
}
const draws = Number(f.draws);
const resamples = Number(f.resamples);
const rng = seededRandom(f.seed!);
const pct = (x: number) => `${(100 * x).toFixed(3)}%`;
const show = (label: string, e: { value: number; ci: [number, number] }) =>
  `${label.padEnd(34)} ${pct(e.value).padStart(8)}   95% CI [${pct(e.ci[0])}, ${pct(e.ci[1])}]`;

function readLog(path: string) {
  try {
    return parseObdCsv(readFileSync(path, "utf8"));
  } catch (e) {
    fail(`${path}: ${(e as Error).message}`);
  }
}

function readPrior(path: string, campaign: string) {
  const doc = parseYaml(readFileSync(path, "utf8")) as Record<string, { alpha: number[]; beta: number[] }>;
  const p = doc[campaign];
  if (!p) fail(`${path} has no campaign '${campaign}' (it has ${Object.keys(doc).join(", ")})`);
  return p;
}

if (mode === "obd") {
  const random = readLog(f.random!);
  const bts = readLog(f.bts!);
  const prior = readPrior(f.prior!, f.campaign!);
  const slots = Math.max(slotsOf(random), slotsOf(bts));
  const actions = prior.alpha.length;
  const maxItem = Math.max(...random.map((r) => r.item), ...bts.map((r) => r.item));
  if (maxItem >= actions) fail(`the logs name item ${maxItem}, but the '${f.campaign}' prior has ${actions} items`);
  const target = btsPolicy(prior, slots, draws, rng);
  const r = evaluateOnLog(random, target, rng, bts, resamples);
  const out = {
    campaign: f.campaign,
    rounds: r.rounds,
    onPolicy: r.onPolicy,
    logged: r.logged,
    ips: r.ips,
    snips: r.snips,
    dr: r.dr,
    meanWeight: r.meanWeight,
    maxWeight: r.maxWeight,
  };
  if (f.json) console.log(JSON.stringify(out));
  else {
    console.log(`Bernoulli TS ('${f.campaign}' priors) estimated from the uniform-random log (${r.rounds} rounds)\n`);
    console.log(show("on-policy CTR of the BTS log", r.onPolicy!));
    console.log(show("IPS", r.ips));
    console.log(show("SNIPS", r.snips));
    console.log(show("DR", r.dr));
    console.log(show("random log's own CTR", r.logged));
    console.log(`\nimportance weights: mean ${r.meanWeight.toFixed(3)}, max ${r.maxWeight.toFixed(1)}`);
  }
} else if (mode === "learner") {
  const random = [...readLog(f.random!)].sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
  const prior = readPrior(f.prior!, f.campaign!);
  const slots = slotsOf(random);
  const actions = prior.alpha.length;
  const half = Math.floor(random.length / 2);
  const [train, test] = [random.slice(0, half), random.slice(half)];
  const learner = pitwallPolicy(
    train,
    actions,
    slots,
    { epsilon: 0.05, band: 0.5, diverse: false, prior: { alpha: 1, beta: 30 } },
    draws,
    rng,
  );
  const mine = evaluateOnLog(test, learner, rng, undefined, resamples);
  const bts = evaluateOnLog(test, btsPolicy(prior, slots, draws, rng), rng, undefined, resamples);
  const randomCtr = onPolicy(
    test.map((r) => r.click),
    rng,
    resamples,
  );
  const out = { trainRounds: train.length, testRounds: test.length, random: randomCtr, pitwall: mine, bts };
  if (f.json) console.log(JSON.stringify(out));
  else {
    console.log(`Pitwall's learner trained on ${train.length} rounds, evaluated on the next ${test.length}\n`);
    console.log(show("random (on-policy, second half)", randomCtr));
    for (const [name, e] of [
      ["Pitwall learner", mine],
      ["Bernoulli TS (production priors)", bts],
    ] as const) {
      console.log(show(`${name}: IPS`, e.ips));
      console.log(show(`${name}: SNIPS`, e.snips));
      console.log(show(`${name}: DR`, e.dr));
    }
  }
} else if (mode === "pitwall") {
  if (!f.db || !f.tenant) fail("pitwall mode needs --db URL and --tenant SLUG");
  const { openLibsql } = await import("../src/store/libsql");
  const { createStore } = await import("../src/store");
  const { actionRate, pitwallRounds, slatesOf } = await import("../src/domain/learning/pitwall");
  const { estimate } = await import("../src/domain/learning/estimators");
  const database = await openLibsql(f.db, process.env.DATABASE_AUTH_TOKEN);
  const store = createStore(database);
  const tenant = await store.tenants.bySlug(f.tenant);
  if (!tenant) fail(`no tenant ${f.tenant} in ${f.db}`);
  const since = f.since ? Date.parse(f.since) : 0;
  if (Number.isNaN(since)) fail("--since must be an ISO-8601 time");
  const log = await store.decisioning.evaluationLog(tenant.id, since);
  database.close();
  const slates = log.flatMap(slatesOf);
  const setting = {
    ...(f.epsilon ? { epsilon: Number(f.epsilon) } : {}),
    ...(f.band ? { band: Number(f.band) } : {}),
    ...(f["prior-alpha"] && f["prior-beta"]
      ? { prior: { alpha: Number(f["prior-alpha"]), beta: Number(f["prior-beta"]) } }
      : {}),
  };
  // Cross-fitted reward model: each half of the log is scored by the model fitted on the other half.
  const halves = [slates.filter((_, i) => i % 2 === 0), slates.filter((_, i) => i % 2 === 1)];
  const rounds = halves.flatMap((half, k) =>
    pitwallRounds(half, setting, actionRate(halves[1 - k]!), rng, Math.min(draws, 2000)),
  );
  const logged = onPolicy(
    rounds.map((r) => r.reward),
    rng,
    resamples,
  );
  const r = estimate(rounds, rng, resamples);
  const out = { tenant: f.tenant, setting, decisions: log.length, onPolicy: logged, ...r };
  if (f.json) console.log(JSON.stringify(out));
  else {
    console.log(`Pitwall's decision log for ${f.tenant}: ${log.length} decisions, ${r.rounds} shown slots`);
    console.log(`target setting: ${JSON.stringify(setting)} (empty: the logged policy)\n`);
    console.log(show("logged policy, on-policy positive rate", logged));
    console.log(show("IPS", r.ips));
    console.log(show("SNIPS", r.snips));
    console.log(show("DR", r.dr));
    console.log(`\nimportance weights: mean ${r.meanWeight.toFixed(3)}, max ${r.maxWeight.toFixed(1)}`);
  }
} else fail(`unknown mode ${mode}`);
