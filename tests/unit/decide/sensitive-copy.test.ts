import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { publicReasons, sensitiveReasons } from "../../../src/domain/decide/guardrails/sensitive-copy";
import { NEUTRAL_REASON } from "../../../src/domain/decide/sensitive";
import { act, catalogOf, heldBy, ids, input, rogueOwner } from "./fixtures";

const CREEPY = /loan|pay(ing)?[\s-]?off|payoff|inquir|equity|owe/i;

describe("sensitive copy guardrail", () => {
  it("reasons never carry a sensitive reason for anyone; a neutral reason stands in; sensitive ones only when shown", () => {
    const reasons = [
      { text: "Asked about paying off the loan", sensitive: true },
      { text: "Lease ends in 4 months", sensitive: false },
    ];
    expect(publicReasons(reasons)).toEqual(["Lease ends in 4 months"]);
    expect(publicReasons(reasons.slice(0, 1))).toEqual([NEUTRAL_REASON]);
    expect(sensitiveReasons(reasons, true)).toEqual(["Asked about paying off the loan"]);
    expect(sensitiveReasons(reasons, false)).toEqual([]);
  });

  it("staff reasons (a server key, the field a console shows as 'why') never name the trigger; sensitiveReasons only with profiles:read", () => {
    const p = rogueOwner();
    const noAppraisal = { ...p, vehicles: [{ ...p.vehicles[0]!, appraisal: undefined }] };
    const lane = (showSensitive: boolean) =>
      decide(input({ profile: noAppraisal, channel: "service_lane", placement: "console", limit: 5, showSensitive }));
    for (const showSensitive of [true, false]) {
      const r = lane(showSensitive);
      const offer = r.actions.find((a) => a.id === "loyalty-upgrade");
      expect(offer, JSON.stringify(r.actions.map((a) => a.id))).toBeDefined();
      expect(offer!.reasons.join(" ")).not.toMatch(CREEPY);
      if (showSensitive) expect(offer!.sensitiveReasons).toContain("Asked about paying off the loan");
      else expect(offer!.sensitiveReasons).toEqual([]);
    }
  });

  it("a sensitive note (an open complaint) reaches only an audience that may see sensitive reasons", () => {
    const p = { ...rogueOwner(), voice: { ...rogueOwner().voice, openComplaints: ["CMP-1"] } };
    const notes = (showSensitive: boolean) =>
      decide(input({ profile: p, channel: "service_lane", placement: "console", showSensitive })).notes.join(" ");
    expect(notes(true)).toMatch(/complaint/);
    expect(notes(false)).not.toMatch(/complaint/);
  });

  it("an action chosen because of a loan payoff inquiry reaches a browser without a word about it", () => {
    const p = rogueOwner();
    const noAppraisal = { ...p, vehicles: [{ ...p.vehicles[0]!, appraisal: undefined }] };
    const r = decide(
      input({ profile: noAppraisal, keyKind: "publishable", channel: "dealer_site", placement: "hero", limit: 5 }),
    );
    const loyalty = r.actions.find((a) => a.id === "loyalty-upgrade");
    expect(loyalty).toBeDefined();
    expect(JSON.stringify(r.actions)).not.toMatch(CREEPY);
    expect(loyalty!.reasons).toEqual([NEUTRAL_REASON]);
    const server = decide(input({ profile: noAppraisal, channel: "service_lane", placement: "console", limit: 5 }));
    expect(server.actions.find((a) => a.id === "loyalty-upgrade")?.sensitiveReasons).toContain(
      "Asked about paying off the loan",
    );
  });

  it("holds back, for every key, a stored creative whose words touch a sensitive topic", () => {
    const cat = catalogOf(
      act({
        id: "creepy",
        kind: "offer",
        category: "sales",
        channels: {
          service_lane: { title: "Paying off your loan?", body: "We saw you called finance.", cta: "Offer upgrade" },
        },
      }),
      act({
        id: "fine",
        kind: "offer",
        category: "sales",
        channels: { service_lane: { title: "Owner bonus", body: "$1,000 toward a new model.", cta: "Offer" } },
      }),
    );
    expect(cat.rejected).toEqual([]);
    const r = decide(input({ profile: rogueOwner(), catalog: cat, channel: "service_lane", placement: "console" }));
    expect(ids(r)).toEqual(["fine"]);
    expect(heldBy(r, "creepy")).toBe("sensitive_copy");
  });
});
