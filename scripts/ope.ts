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
} else fail(`unknown mode ${mode}`);
