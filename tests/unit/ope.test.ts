// Off-policy evaluation: the estimators on simulated logs with a known truth, the policies' slot distributions, and
// the CLI on the Open Bandit Dataset sample in data/obd (and on another campaign's files).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../src/domain/decide/random";
import { bootstrapCi, estimate, type Round } from "../../src/domain/learning/estimators";
import { btsPolicy, evaluateOnLog, type ObdRow, parseObdCsv, slotCtr } from "../../src/domain/learning/obd";
import { actionRate, type LoggedCandidates, pitwallRounds, slatesOf } from "../../src/domain/learning/pitwall";
import { betaTopK, pitwallSlate, slotProbability } from "../../src/domain/learning/policies";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "pitwall-ope-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A simulated uniform-random log over `ctr` (per action, one slot) with a known target policy. */
function simulate(ctr: number[], target: number[], n: number, seed: string): { rounds: Round[]; truth: number } {
  const rng = seededRandom(seed);
  const k = ctr.length;
  const rounds: Round[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.floor(rng() * k);
    const reward = rng() < ctr[a]! ? 1 : 0;
    rounds.push({
      reward,
      pscore: 1 / k,
      target: target[a]!,
      q: ctr[a]! * 0.8,
      dm: ctr.reduce((s, c, j) => s + target[j]! * c * 0.8, 0),
    });
  }
  return { rounds, truth: ctr.reduce((s, c, j) => s + target[j]! * c, 0) };
}

describe("estimators", () => {
  const ctr = [0.02, 0.05, 0.1, 0.2];
  const target = [0.1, 0.1, 0.2, 0.6];

  it("IPS, SNIPS and DR land near the target policy's true value, and their intervals cover it", () => {
    const { rounds, truth } = simulate(ctr, target, 40_000, "sim-1");
    const r = estimate(rounds, seededRandom("boot-1"), 500);
    for (const e of [r.ips, r.snips, r.dr]) {
      expect(Math.abs(e.value - truth)).toBeLessThan(0.01);
      expect(e.ci[0]).toBeLessThanOrEqual(truth);
      expect(e.ci[1]).toBeGreaterThanOrEqual(truth);
      expect(e.ci[1] - e.ci[0]).toBeLessThan(0.03);
    }
    // Known truth ≈ 0.147, while the logging (uniform) policy earns ≈ 0.0925: the estimators see the difference.
    expect(r.ips.value).toBeGreaterThan(0.12);
  });

  it("IPS is unbiased: its mean over many small logs is the truth", () => {
    let sum = 0;
    const trials = 200;
    let truth = 0;
    for (let t = 0; t < trials; t++) {
      const s = simulate(ctr, target, 400, `small-${t}`);
      truth = s.truth;
      sum += estimate(s.rounds, seededRandom("b"), 10).ips.value;
    }
    expect(Math.abs(sum / trials - truth)).toBeLessThan(0.006);
  });

  it("DR with an exact reward model is exact, where IPS still varies", () => {
    // Rewards fully determined by the action: a reward model that knows them leaves DR nothing to estimate.
    const sure = [0, 0, 1, 1];
    const rng = seededRandom("dr");
    const rounds: Round[] = [];
    for (let i = 0; i < 5000; i++) {
      const a = Math.floor(rng() * 4);
      const dm = sure.reduce((s, c, j) => s + target[j]! * c, 0);
      rounds.push({ reward: sure[a]!, pscore: 0.25, target: target[a]!, q: sure[a]!, dm });
    }
    const r = estimate(rounds, seededRandom("b2"), 500);
    expect(r.dr.value).toBeCloseTo(0.8, 12);
    expect(r.dr.ci[1] - r.dr.ci[0]).toBeLessThan(1e-12);
    expect(r.ips.ci[1] - r.ips.ci[0]).toBeGreaterThan(0.03);
  });

  it("refuses a round the logging policy could not have produced", () => {
    expect(() => estimate([{ reward: 1, pscore: 0, target: 1 }], seededRandom("x"))).toThrow(/propensity/);
  });

  it("bootstrap intervals of a mean have about the normal width", () => {
    const xs = Array.from({ length: 2000 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const ci = bootstrapCi(
      xs.length,
      (idx) => Array.from(idx).reduce((s, i) => s + xs[i]!, 0) / idx.length,
      seededRandom("c"),
      1000,
    );
    const se = Math.sqrt((0.1 * 0.9) / 2000);
    expect(ci[1] - ci[0]).toBeGreaterThan(2 * 1.96 * se * 0.8);
    expect(ci[1] - ci[0]).toBeLessThan(2 * 1.96 * se * 1.2);
  });
});

describe("policies", () => {
  it("betaTopK ranks by the sampled values: near-certain priors give a fixed order, and each slot sums to 1", () => {
    const d = betaTopK([10_000, 30_000, 20_000], [90_000, 70_000, 80_000], 2, 2000, seededRandom("t"));
    expect(slotProbability(d, 1, 0)).toBe(1);
    expect(slotProbability(d, 2, 1)).toBe(1);
    const vague = betaTopK([1, 1, 1, 1], [1, 1, 1, 1], 3, 20_000, seededRandom("v"));
    for (let k = 0; k < 3; k++) {
      let sum = 0;
      for (let a = 0; a < 4; a++) {
        sum += slotProbability(vague, a, k);
        expect(slotProbability(vague, a, k)).toBeCloseTo(0.25, 1);
      }
      expect(sum).toBeCloseTo(1, 10);
    }
  });

  it("pitwallSlate: pure exploration is uniform; no exploration follows the posteriors; diversity keeps one per category", () => {
    const items = ["a", "b", "c", "d"].map((id, i) => ({
      id,
      category: (i < 2 ? "sales" : "info") as "sales" | "info",
      alpha: 1 + 10 * i,
      beta: 100,
      base: 1,
    }));
    const explore = pitwallSlate(items, 2, { epsilon: 1, band: 0.5, diverse: false }, 20_000, seededRandom("e"));
    for (let a = 0; a < 4; a++) expect(slotProbability(explore, a, 0)).toBeCloseTo(0.25, 1);
    const exploit = pitwallSlate(items, 1, { epsilon: 0, band: 0.5, diverse: false }, 5000, seededRandom("g"));
    expect(slotProbability(exploit, 3, 0)).toBeGreaterThan(0.8);
    expect(slotProbability(exploit, 0, 0)).toBe(0); // its band can never reach the best one's
    const diverse = pitwallSlate(items, 2, { epsilon: 0, band: 0.5, diverse: true }, 5000, seededRandom("h"));
    // Slot 2 can never hold a second info action after the best (info) one took slot 1.
    expect(slotProbability(diverse, 2, 1) + slotProbability(diverse, 3, 1)).toBeLessThan(0.05);
  });
});

describe("Open Bandit Dataset", () => {
  it("parses the logs: 10,000 rounds each, 3 slots, the sample's clicks", async () => {
    const { readFileSync } = await import("node:fs");
    const random = parseObdCsv(readFileSync("data/obd/men/random.csv", "utf8"));
    const bts = parseObdCsv(readFileSync("data/obd/men/bts.csv", "utf8"));
    expect(random).toHaveLength(10_000);
    expect(random.reduce((s, r) => s + r.click, 0)).toBe(46);
    expect(bts.reduce((s, r) => s + r.click, 0)).toBe(69);
    expect(new Set(random.map((r) => r.slot))).toEqual(new Set([0, 1, 2]));
    expect(random.every((r) => Math.abs(r.pscore - 1 / 34) < 1e-12)).toBe(true);
    expect(() => parseObdCsv("a,b\n1,2")).toThrow(/no timestamp column/);
  });

  it("the reward model shrinks a rarely shown item toward its slot's CTR", () => {
    const rows: ObdRow[] = [
      ...Array.from({ length: 1000 }, (_, i) => ({
        timestamp: "",
        item: 0,
        slot: 0,
        click: i < 10 ? 1 : 0,
        pscore: 0.5,
      })),
      { timestamp: "", item: 1, slot: 0, click: 1, pscore: 0.5 },
    ];
    const q = slotCtr(rows, 2, 1);
    expect(q(0, 0)).toBeCloseTo(0.01, 2);
    expect(q(1, 0)).toBeLessThan(0.05);
  });

  it("`npm run ope -- obd --json` on the 'men' sample: every interval covers the BTS log's own CTR", async () => {
    const r = await run("npx", ["tsx", "scripts/ope.ts", "obd", "--json", "--draws", "50000", "--resamples", "1000"]);
    const out = JSON.parse(r.stdout) as Record<string, { value: number; ci: [number, number] }>;
    expect(out.onPolicy!.value).toBeCloseTo(0.0069, 6);
    for (const k of ["ips", "snips", "dr"]) {
      const e = out[k]!;
      expect(e.ci[0]).toBeLessThan(e.value);
      expect(e.ci[1]).toBeGreaterThan(e.value);
      expect(e.ci[1]).toBeGreaterThanOrEqual(out.onPolicy!.value);
      expect(e.ci[0]).toBeLessThanOrEqual(out.onPolicy!.value);
    }
  }, 60_000);

  it("works on another campaign's files (46 items, 'women' priors) and names a mismatch in one line", async () => {
    const rng = seededRandom("women");
    const header = ",timestamp,item_id,position,click,propensity_score\n";
    const line = (i: number) =>
      `${i},2019-11-24 00:00:${String(i % 60).padStart(2, "0")}+00:00,${Math.floor(rng() * 46)},${1 + (i % 3)},${rng() < 0.01 ? 1 : 0},${1 / 46}`;
    writeFileSync(join(dir, "random.csv"), header + Array.from({ length: 3000 }, (_, i) => line(i)).join("\n"));
    writeFileSync(join(dir, "bts.csv"), header + Array.from({ length: 3000 }, (_, i) => line(i)).join("\n"));
    const args = [
      "tsx",
      "scripts/ope.ts",
      "obd",
      "--json",
      "--draws",
      "5000",
      "--resamples",
      "200",
      "--random",
      join(dir, "random.csv"),
      "--bts",
      join(dir, "bts.csv"),
    ];
    const r = await run("npx", [...args, "--campaign", "women"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ campaign: "women", rounds: 3000 });
    const bad = await run("npx", [...args, "--campaign", "men"]).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr.trim().split("\n")).toHaveLength(1);
    expect((bad as { stderr: string }).stderr).toMatch(/prior has 34 items/);
  }, 60_000);

  it("evaluating the logging policy on its own log recovers its CTR", async () => {
    const { readFileSync } = await import("node:fs");
    const random = parseObdCsv(readFileSync("data/obd/men/random.csv", "utf8"));
    const uniform = { actions: 34, slots: 3, dist: new Float64Array(3 * 34).fill(1 / 34) };
    const r = evaluateOnLog(random, uniform, seededRandom("u"), undefined, 200);
    expect(r.ips.value).toBeCloseTo(r.logged.value, 10);
    expect(r.snips.value).toBeCloseTo(r.logged.value, 10);
    expect(btsPolicy({ alpha: [1, 2], beta: [3, 4] }, 1, 10, seededRandom("z")).actions).toBe(2);
  });
});

describe("Pitwall's own log", () => {
  const candidates: LoggedCandidates = {
    placement: "hero",
    items: [
      ["a", "info", 2, 60, 10, 1, 30],
      ["b", "info", 1, 31, 9, 1, 30],
    ],
    shown: [0],
    diverse: false,
    epsilon: 0.05,
    band: 0.5,
  };

  it("replays the logged setting with weights of about 1, and another setting with the weights it implies", () => {
    const slates = Array.from({ length: 200 }, () => ({ candidates, propensities: [0.7], rewards: [true] }));
    const same = pitwallRounds(slates.slice(0, 20), {}, () => 0.5, seededRandom("s"), 4000);
    // The logged propensity (0.7) and the replay differ by the replay's own estimate of it.
    const replayed = same[0]!.target;
    expect(replayed).toBeGreaterThan(0.5);
    expect(replayed).toBeLessThan(0.95);
    const uniform = pitwallRounds(slates.slice(0, 5), { epsilon: 1 }, () => 0.5, seededRandom("u"), 2000);
    expect(uniform[0]!.target).toBeCloseTo(0.5, 10);
    // A much stronger prior washes the observed counts out: both arms sample the same propensity, so the base score
    // decides and a (10 vs 9) wins every Thompson draw: 0.95, plus half of the 0.05 exploration.
    const prior = pitwallRounds(
      slates.slice(0, 5),
      { prior: { alpha: 1e5, beta: 3e6 } },
      () => 0.5,
      seededRandom("p"),
      4000,
    );
    expect(prior[0]!.target).toBeCloseTo(0.975, 3);
  });

  it("slatesOf pairs each slot with its logged propensity and outcome, and leaves a mismatched slot unweighed", () => {
    const [ok] = slatesOf({
      shown: [{ actionId: "a", propensity: 0.6, placement: "hero" }],
      candidates: [candidates],
      positive: (id) => id === "a",
    });
    expect(ok).toMatchObject({ propensities: [0.6], rewards: [true] });
    const [bad] = slatesOf({
      shown: [{ actionId: "b", propensity: 0.6, placement: "hero" }],
      candidates: [candidates],
      positive: () => false,
    });
    expect(bad!.propensities).toEqual([0]);
    expect(pitwallRounds([bad!], {}, () => 0, seededRandom("x"), 10)).toEqual([]);
    expect(actionRate([ok!], 0)("a")).toBe(1);
  });
});
