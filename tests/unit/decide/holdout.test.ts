import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { armOf, proportion, unitOf, uplift, wilson } from "../../../src/domain/learning/holdout";
import { act, catalogOf, heldBy, ids, input, profile } from "./fixtures";

const cat = catalogOf(
  act({ id: "sale", kind: "offer", category: "sales" }),
  act({ id: "keep", kind: "offer", category: "retention" }),
  act({ id: "drive", kind: "test_drive", category: "info" }),
  act({ id: "oil", kind: "service_reminder", category: "service" }),
  act({ id: "news", kind: "content", category: "info" }),
  act({ id: "recall", kind: "safety_recall", category: "safety" }),
);
const run = (over: object) =>
  decide(
    input({ catalog: cat, channel: "service_lane", placement: "console", limit: 10, profile: profile(), ...over }),
  );

describe("holdout guardrail", () => {
  it("holds every marketing action back for a person in the holdout group; safety, service and information go out", () => {
    const r = run({ holdout: true });
    expect(ids(r).sort()).toEqual(["news", "oil", "recall"]);
    for (const id of ["sale", "keep", "drive"]) expect(heldBy(r, id)).toBe("holdout");
  });

  it("holds nothing back in the treatment arm (positive control)", () => {
    expect(ids(run({ holdout: false })).sort()).toEqual(["drive", "keep", "news", "oil", "recall", "sale"]);
    expect(ids(run({})).length).toBe(6);
  });
});

describe("holdout assignment", () => {
  it("is a stable function of the brand and the unit, randomizing about `share` of units", () => {
    const units = Array.from({ length: 20_000 }, (_, i) => `hh_${i}`);
    const held = units.filter((u) => armOf("tnt_a", u, 0.05) === "holdout");
    expect(held.length / units.length).toBeGreaterThan(0.045);
    expect(held.length / units.length).toBeLessThan(0.055);
    expect(units.map((u) => armOf("tnt_a", u, 0.05))).toEqual(units.map((u) => armOf("tnt_a", u, 0.05)));
    // Another brand draws its own group.
    const other = units.filter((u) => armOf("tnt_b", u, 0.05) === "holdout");
    expect(other.filter((u) => held.includes(u)).length).toBeLessThan(held.length * 0.2);
    // Raising the share keeps everyone already held out; no share, no holdout.
    expect(held.every((u) => armOf("tnt_a", u, 0.1) === "holdout")).toBe(true);
    expect(units.some((u) => armOf("tnt_a", u, 0) === "holdout")).toBe(false);
  });

  it("randomizes a household as one unit: every member shares the household's arm; a person without one is alone", () => {
    expect(unitOf("prs_1", "hh_9")).toBe("hh_9");
    expect(unitOf("prs_2", "hh_9")).toBe("hh_9");
    expect(unitOf("prs_3", null)).toBe("prs_3");
  });
});

describe("uplift intervals", () => {
  it("Wilson's interval matches the published example (Newcombe 1998, 81/263)", () => {
    const [lo, hi] = wilson(81, 263);
    expect(lo).toBeCloseTo(0.2553, 4);
    expect(hi).toBeCloseTo(0.3662, 4);
  });

  it("Newcombe's hybrid score interval of a difference matches the published example (56/70 vs 48/80)", () => {
    const u = uplift(proportion(56, 70), proportion(48, 80));
    expect(u.absolute).toBeCloseTo(0.2, 10);
    expect(u.ci[0]).toBeCloseTo(0.0524, 4);
    expect(u.ci[1]).toBeCloseTo(0.3339, 4);
    expect(u.relative).toBeCloseTo(0.2 / 0.6, 10);
  });

  it("no holdout units: the interval is wide open rather than falsely precise", () => {
    const u = uplift(proportion(5, 100), proportion(0, 0));
    expect(u.ci[1] - u.ci[0]).toBeGreaterThan(0.9);
    expect(u.relative).toBeNull();
  });
});
