import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { contextWeight, isSmallSurface, needsDiversity, selectSlate } from "../../../src/domain/decide/arbitrate";
import { resolveConfig } from "../../../src/domain/decide/config";
import { estimatePropensities } from "../../../src/domain/decide/learner";
import { seededRandom } from "../../../src/domain/decide/random";
import { act, catalogOf, ids, input, profile } from "./fixtures";

const exact = resolveConfig({ learner: { band: 0, epsilon: 0 } });

describe("arbitration", () => {
  it("scores propensity × context weight × value × lever", () => {
    const cat = catalogOf(act({ id: "a", value: 100, lever: 2, prior: { alpha: 1, beta: 9 } }));
    const r = decide(input({ profile: profile(), catalog: cat, channel: "email", config: exact }));
    expect(r.actions[0]?.score).toBeCloseTo(0.1 * 1 * 100 * 2, 9);
    expect(r.candidates.items[0]).toEqual({ id: "a", category: "info", alpha: 1, beta: 9, base: 200 });
  });

  it("down-weights intrusive actions on small surfaces and ill-fitting kinds on the dashboard", () => {
    expect(contextWeight("offer", "high", "dealer_site", true)).toBeLessThan(
      contextWeight("offer", "high", "dealer_site", false),
    );
    expect(contextWeight("offer", "low", "dealer_site", true)).toBe(1);
    expect(contextWeight("service_reminder", "low", "in_vehicle", true)).toBeLessThan(
      contextWeight("service_reminder", "low", "email", false),
    );
    expect(contextWeight("safety_recall", "high", "in_vehicle", true)).toBe(1);
    expect(isSmallSurface("dealer_site", "sidebar-widget")).toBe(true);
    expect(isSmallSurface("web_configurator", "hero")).toBe(false);
    expect(isSmallSurface("in_vehicle", "home")).toBe(true);
    expect([needsDiversity("in_vehicle"), needsDiversity("dealer_site"), needsDiversity("email")]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it("a quieter action can beat a more valuable intrusive one in a widget, not in a hero slot", () => {
    const cat = catalogOf(
      act({ id: "loud", value: 150, intrusiveness: "high" }),
      act({ id: "quiet", value: 100, intrusiveness: "low", category: "service", kind: "service_reminder" }),
    );
    expect(
      ids(decide(input({ profile: profile(), catalog: cat, placement: "widget", limit: 1, config: exact }))),
    ).toEqual(["quiet"]);
    expect(
      ids(decide(input({ profile: profile(), catalog: cat, placement: "hero", limit: 1, config: exact }))),
    ).toEqual(["loud"]);
  });

  it("never puts two actions of one category in an in-car or dealer-site slate", () => {
    const cat = catalogOf(
      act({ id: "a", value: 300 }),
      act({ id: "b", value: 200 }),
      act({ id: "c", value: 100, category: "sales", kind: "offer" }),
    );
    expect(ids(decide(input({ profile: profile(), catalog: cat, limit: 3, config: exact })))).toEqual(["a", "c"]);
    expect(ids(decide(input({ profile: profile(), catalog: cat, channel: "email", limit: 3, config: exact })))).toEqual(
      ["a", "b", "c"],
    );
  });

  it("breaks ties with the rng, uniformly", () => {
    const seen: Record<number, number> = { 0: 0, 1: 0, 2: 0 };
    for (let i = 0; i < 3000; i++)
      seen[selectSlate([5, 5, 5, 1], [3, 0, 1, 4], 1, false, 0, seededRandom(`t${i}`))[0]!]!++;
    for (const k of [0, 1, 2]) expect(seen[k]! / 3000).toBeCloseTo(1 / 3, 1);
  });

  it("explores uniformly with probability epsilon and stops when candidates run out", () => {
    const picks = Array.from(
      { length: 2000 },
      (_, i) => selectSlate([9, 1, 1, 1], [3, 0, 1, 4], 1, false, 1, seededRandom(`e${i}`))[0],
    );
    expect(picks.filter((p) => p === 0).length / 2000).toBeCloseTo(0.25, 1);
    expect(selectSlate([3, 2], [3, 3], 5, true, 0, seededRandom("x"))).toEqual([0]);
  });

  it("safety outranks marketing on every small surface (in-car, dealer widget): an eligible recall takes the first slot", () => {
    const cat = catalogOf(
      act({ id: "offer", kind: "offer", category: "sales", value: 50_000, lever: 5, prior: { alpha: 9, beta: 1 } }),
      act({ id: "recall", kind: "safety_recall", category: "safety", value: 1, prior: { alpha: 1, beta: 999 } }),
    );
    const parked = { driveState: "parked" as const, secondsSinceIgnition: 900 };
    for (let i = 0; i < 300; i++) {
      // Exploration on (epsilon 5%): the first slot is still the recall, every time.
      const rng = seededRandom(`s${i}`);
      const widget = decide(input({ profile: profile(), catalog: cat, placement: "widget", limit: 2, rng }));
      expect(ids(widget)[0]).toBe("recall");
      const car = decide(
        input({ profile: profile(), catalog: cat, channel: "in_vehicle", context: parked, limit: 1, rng }),
      );
      expect(ids(car)).toEqual(["recall"]);
    }
    // Positive control: on a large placement (a hero banner) the far more valuable offer wins on score.
    expect(
      ids(decide(input({ profile: profile(), catalog: cat, placement: "hero", limit: 1, config: exact }))),
    ).toEqual(["offer"]);
    // The deferred propensity estimate knows the rule: the recall is certain in slot 0.
    const r = decide(input({ profile: profile(), catalog: cat, placement: "widget", limit: 2 }));
    const est = estimatePropensities(r.candidates, seededRandom("p"), 200);
    expect(est[0]).toMatchObject({ actionId: "recall", propensity: 1, distribution: { recall: 1 } });
    expect(est[1]!.actionId).toBe("offer");
  });

  it("selectSlate pins a category to the first slot only when a candidate of it exists", () => {
    expect(selectSlate([9, 1, 5], [0, 4, 1], 3, false, 0, seededRandom("a"), 4)).toEqual([1, 0, 2]);
    expect(selectSlate([9, 1, 5], [0, 3, 1], 3, false, 0, seededRandom("a"), 4)).toEqual([0, 2, 1]);
  });

  it("applies dealer overrides and dealer-owned actions", () => {
    const cat = catalogOf(
      act({ id: "oem", value: 100, dealerOverrides: { dlr_sf: { lever: 3 }, dlr_la: { disabled: true } } }),
      act({ id: "house", value: 100, dealerId: "dlr_la", category: "sales", kind: "offer" }),
    );
    const sf = decide(input({ profile: profile(), catalog: cat, channel: "email", config: exact }));
    expect(ids(sf)).toEqual(["oem"]);
    expect(sf.candidates.items[0]?.base).toBe(300);
    const la = decide(
      input({
        profile: profile(),
        catalog: cat,
        channel: "email",
        config: exact,
        dealer: { id: "dlr_la", timeZone: null },
      }),
    );
    expect(ids(la)).toEqual(["house"]);
    expect(ids(decide(input({ profile: profile(), catalog: cat, channel: "email", dealer: null })))).toEqual(["oem"]);
  });
});
