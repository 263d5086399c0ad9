import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { resolveConfig } from "../../../src/domain/decide/config";
import { boundedSample, estimatePropensities, statsKey, type CandidateSet } from "../../../src/domain/decide/learner";
import { sampleBeta, sampleGamma, seededRandom } from "../../../src/domain/decide/random";
import { act, catalogOf, evLessee, ids, input, rogueOwner } from "./fixtures";

const moments = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, variance: xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length };
};
const draws = (n: number, f: () => number) => Array.from({ length: n }, f);

describe("randomness", () => {
  it("seededRandom replays the same sequence for the same seed, in [0, 1)", () => {
    const a = draws(1000, seededRandom("dec_01J9"));
    expect(draws(1000, seededRandom("dec_01J9"))).toEqual(a);
    expect(draws(1000, seededRandom("dec_01J8"))).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    const m = moments(draws(20000, seededRandom("u")));
    expect(m.mean).toBeCloseTo(0.5, 2);
    expect(m.variance).toBeCloseTo(1 / 12, 2);
  });

  it("Gamma draws have mean and variance equal to the shape (shape ≥ 1 and the < 1 boost)", () => {
    for (const shape of [0.4, 1, 3.5, 40]) {
      const m = moments(draws(20000, () => sampleGamma(shape, rng)));
      expect(Math.abs(m.mean - shape) / shape).toBeLessThan(0.05);
      expect(Math.abs(m.variance - shape) / shape).toBeLessThan(0.1);
    }
  });

  it("Beta draws have the Beta mean and variance", () => {
    for (const [a, b] of [
      [2, 5],
      [1, 30],
      [0.5, 0.5],
      [120, 880],
    ] as const) {
      const m = moments(draws(20000, () => sampleBeta(a, b, rng)));
      const mean = a / (a + b);
      const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(m.mean - mean) / mean).toBeLessThan(0.04);
      expect(Math.abs(m.variance - variance) / variance).toBeLessThan(0.1);
    }
  });
});
const rng = seededRandom("moments");

describe("learner", () => {
  it("keys arms by action, channel and segment", () => {
    expect(statsKey("lease-renewal", "email", "owner")).toBe("lease-renewal|email|owner");
  });

  it("clips every sample to the exploration band around the posterior mean", () => {
    const r = seededRandom("band");
    for (let i = 0; i < 2000; i++) {
      const x = boundedSample(1, 30, 0.5, r);
      expect(x).toBeGreaterThanOrEqual((1 / 31) * 0.5 - 1e-12);
      expect(x).toBeLessThanOrEqual((1 / 31) * 1.5 + 1e-12);
    }
    expect(boundedSample(3, 7, 0, r)).toBeCloseTo(0.3, 12);
  });

  it("learns: an arm with good statistics in the person's segment wins more often", () => {
    const cat = catalogOf(act({ id: "a", value: 100 }), act({ id: "b", value: 100 }));
    const stats = new Map([[statsKey("b", "email", "owner"), { alpha: 40, beta: 400 }]]);
    const wins = { a: 0, b: 0 };
    for (let i = 0; i < 300; i++) {
      const r = decide(
        input({ profile: evLessee(), catalog: cat, channel: "email", limit: 1, stats, rng: seededRandom(`l${i}`) }),
      );
      wins[r.actions[0]!.id as "a" | "b"]++;
    }
    expect(wins.b).toBeGreaterThan(250);
  });

  it("reads a replaced statistics map afresh (maps are memoized by identity, never mutated)", () => {
    const cat = catalogOf(act({ id: "a", value: 100 }), act({ id: "b", value: 100 }));
    const exact = resolveConfig({ learner: { band: 0, epsilon: 0 } });
    const run = (stats: Map<string, { alpha: number; beta: number }>) =>
      ids(decide(input({ profile: evLessee(), catalog: cat, channel: "email", limit: 1, stats, config: exact })));
    expect(run(new Map([[statsKey("a", "email", "owner"), { alpha: 50, beta: 100 }]]))).toEqual(["a"]);
    expect(run(new Map([[statsKey("b", "email", "owner"), { alpha: 50, beta: 100 }]]))).toEqual(["b"]);
  });

  it("replays a decision identically from its seed", () => {
    const make = (seed: string) =>
      decide(input({ profile: rogueOwner(), channel: "email", limit: 3, rng: seededRandom(seed) }));
    expect(make("dec_42")).toEqual(make("dec_42"));
    const differs = Array.from({ length: 20 }, (_, i) => JSON.stringify(ids(make(`dec_${i}`))));
    expect(new Set(differs).size).toBeGreaterThan(1);
  });
});

describe("estimatePropensities", () => {
  const cat = catalogOf(
    act({ id: "a", value: 120, category: "info" }),
    act({ id: "b", value: 100, category: "info" }),
    act({ id: "c", value: 90, category: "service", kind: "service_reminder" }),
    act({ id: "d", value: 30, category: "sales", kind: "offer" }),
  );
  const base = (seed: string) =>
    input({
      profile: evLessee(),
      catalog: cat,
      channel: "email",
      limit: 3,
      rng: seededRandom(seed),
      showSuppressed: false,
    });

  it("gives per-slot distributions that sum to at most 1, and an epsilon floor for every eligible action", () => {
    const r = decide(base("p"));
    const est = estimatePropensities(r.candidates, seededRandom("est"), 500);
    expect(est.map((e) => e.actionId)).toEqual(ids(r));
    for (const e of est) {
      const sum = Object.values(e.distribution).reduce((a, b) => a + b, 0);
      expect(sum).toBeLessThanOrEqual(1 + 1e-9);
      expect(sum).toBeGreaterThan(0.999);
      const m = Object.keys(e.distribution).length;
      for (const p of Object.values(e.distribution)) expect(p).toBeGreaterThanOrEqual(0.05 / m - 1e-12);
      expect(e.propensity).toBe(e.distribution[e.actionId]);
    }
  });

  it("matches how often decide() really puts each action first", () => {
    const first: Record<string, number> = {};
    const n = 3000;
    for (let i = 0; i < n; i++) {
      const id = decide(base(`f${i}`)).actions[0]!.id;
      first[id] = (first[id] ?? 0) + 1;
    }
    const est = estimatePropensities(decide(base("x")).candidates, seededRandom("est2"), 4000)[0]!.distribution;
    for (const id of ["a", "b", "c", "d"]) expect(Math.abs((first[id] ?? 0) / n - (est[id] ?? 0))).toBeLessThan(0.03);
  });

  it("an action that cannot win on score is shown only by exploration, at exactly epsilon / eligible", () => {
    // Five times the value: even the lowest clipped sample of "star" beats the highest of the others.
    const cat = catalogOf(
      act({ id: "star", value: 500 }),
      act({ id: "x", value: 100 }),
      act({ id: "y", value: 100 }),
      act({ id: "z", value: 100 }),
    );
    const one = (seed: string) =>
      input({
        profile: evLessee(),
        catalog: cat,
        channel: "email",
        limit: 1,
        rng: seededRandom(seed),
        showSuppressed: false,
      });
    const est = estimatePropensities(decide(one("s")).candidates, seededRandom("e"), 400)[0]!.distribution;
    expect(est).toEqual({ star: 0.05 / 4 + 0.95, x: 0.05 / 4, y: 0.05 / 4, z: 0.05 / 4 });
    let others = 0;
    for (let i = 0; i < 4000; i++) if (decide(one(`p${i}`)).actions[0]!.id !== "star") others++;
    expect(others / 4000).toBeCloseTo(0.0375, 2);
  });

  it("respects diversity in later slots and splits exact ties evenly", () => {
    const set: CandidateSet = {
      items: [
        { id: "x", category: "info", alpha: 1, beta: 9, base: 10 },
        { id: "y", category: "info", alpha: 1, beta: 9, base: 10 },
        { id: "z", category: "sales", alpha: 1, beta: 9, base: 1 },
      ],
      shown: [0, 2],
      diverse: true,
      epsilon: 0,
      band: 0,
    };
    const [s0, s1] = estimatePropensities(set, seededRandom("t"), 100);
    expect(s0!.distribution).toEqual({ x: 0.5, y: 0.5, z: 0 });
    expect(s1!.distribution).toEqual({ z: 1 });
  });

  it("is deterministic with a deterministic config (band 0, epsilon 0): the best arm, always", () => {
    const cfg = resolveConfig({ learner: { band: 0, epsilon: 0 } });
    const r = decide({ ...base("d"), config: cfg });
    expect(ids(r)).toEqual(["a", "c", "b"]);
    expect(estimatePropensities(r.candidates, seededRandom("e"), 50).map((e) => e.propensity)).toEqual([1, 1, 1]);
  });
});
