import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { act, catalogOf, heldBy, household, ids, input, profile } from "./fixtures";

const cat = catalogOf(
  act({ id: "sale", kind: "offer", category: "sales" }),
  act({ id: "keep", kind: "offer", category: "retention" }),
  act({ id: "survey", kind: "survey", category: "info" }),
  act({ id: "recovery", kind: "content", category: "service" }),
  act({ id: "news", kind: "content", category: "info" }),
  act({ id: "recall", kind: "safety_recall", category: "safety" }),
);
const angry = profile({
  voice: { lastScore: 2, lastSurveyAt: null, verbatims: 1, openComplaints: ["CMP-1042"], lastComplaintAt: 0 },
});
const run = (over: object) =>
  decide(input({ catalog: cat, channel: "service_lane", placement: "console", limit: 10, ...over }));

describe("complaint guardrail", () => {
  it("an open complaint of the person's own: no sales, retention or survey; service recovery, safety and info go out", () => {
    const r = run({ profile: angry });
    expect(ids(r).sort()).toEqual(["news", "recall", "recovery"]);
    for (const id of ["sale", "keep", "survey"]) expect(heldBy(r, id)).toBe("complaint");
    expect(r.notes).toContain("open complaint: no upsell until it is resolved");
  });

  it("an open complaint anywhere in the household (the spouse's) holds upsell back too", () => {
    const r = run({ profile: profile(), household: household(1) });
    expect(ids(r)).not.toContain("sale");
    expect(r.suppressed.find((s) => s.id === "sale")?.reason).toContain("household");
  });

  it("says nothing about the complaint to a publishable or vehicle key", () => {
    const r = run({ profile: angry, keyKind: "publishable", channel: "dealer_site", placement: "hero" });
    expect(ids(r)).not.toContain("sale");
    expect(r.notes.join()).not.toMatch(/complaint/i);
    expect(r.suppressed).toEqual([]);
  });

  it("holds nothing back without an open complaint", () => {
    expect(ids(run({ profile: profile(), household: household(0) }))).toHaveLength(6);
  });
});
