import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { holdProbability } from "../../../src/domain/decide/guardrails/fatigue";
import { seededRandom } from "../../../src/domain/decide/random";
import { act, catalogOf, contacts, DAY, heldBy, ids, input, NOW, profile } from "./fixtures";

const cat = catalogOf(
  act({ id: "lease", kind: "offer", category: "sales" }),
  act({ id: "tips", kind: "content", category: "info" }),
  act({ id: "recall", kind: "safety_recall", category: "safety" }),
);
const run = (over: object) => decide(input({ profile: profile(), catalog: cat, channel: "email", limit: 5, ...over }));

describe("fatigue guardrail", () => {
  it("holds an action dismissed twice for 30 days; once is not enough", () => {
    const twice = contacts([], [], { dismissals: { lease: { n: 2, last: NOW - 5 * DAY } } });
    expect(heldBy(run({ contacts: twice }), "lease")).toBe("fatigue");
    const once = contacts([], [], { dismissals: { lease: { n: 1, last: NOW - 5 * DAY } } });
    expect(ids(run({ contacts: once }))).toContain("lease");
    const longAgo = contacts([], [], { dismissals: { lease: { n: 2, last: NOW - 31 * DAY } } });
    expect(ids(run({ contacts: longAgo }))).toContain("lease");
  });

  it("holds a category the person is not interested in: their own preference, or a recent outcome", () => {
    const p = profile();
    const pref = { ...p, consent: { ...p.consent, notInterested: ["sales" as const] } };
    expect(heldBy(run({ profile: pref }), "lease")).toBe("fatigue");
    expect(
      heldBy(run({ contacts: contacts([], [], { notInterested: { sales: { at: NOW - 10 * DAY } } }) }), "lease"),
    ).toBe("fatigue");
    expect(ids(run({ contacts: contacts([], [], { notInterested: { sales: { at: NOW - 200 * DAY } } }) }))).toContain(
      "lease",
    );
  });

  it("contacts someone who ignored three in a row exponentially less: 1 − 2^−(streak − 2)", () => {
    expect([2, 3, 4, 5].map((s) => holdProbability(s, 3))).toEqual([0, 0.5, 0.75, 0.875]);
    const share = (streak: number) => {
      let held = 0;
      for (let i = 0; i < 400; i++) {
        const r = run({
          contacts: contacts([], [], { ignoredStreak: streak }),
          rng: seededRandom(`s${i}`),
          showSuppressed: false,
        });
        if (!r.actions.some((a) => a.id === "tips")) held++;
      }
      return held / 400;
    };
    expect(share(2)).toBe(0);
    expect(share(3)).toBeGreaterThan(0.42);
    expect(share(3)).toBeLessThan(0.58);
    expect(share(5)).toBeGreaterThan(0.83);
  });

  it("does not chase on pulled surfaces, and never holds a safety recall", () => {
    const tired = contacts([], [], { ignoredStreak: 30 });
    expect(ids(run({ contacts: tired, channel: "dealer_site", placement: "hero" }))).toHaveLength(3);
    const r = run({ contacts: tired });
    expect(ids(r)).toEqual(["recall"]);
    expect(r.notes).toContain("30 contacts ignored in a row: contacting less");
  });
});
