import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { resolveConfig } from "../../../src/domain/decide/config";
import { GPC_NOTE, ruleDataFor } from "../../../src/domain/decide/guardrails/consent";
import { isMarketing } from "../../../src/domain/decide/vocabulary";
import { act, catalogOf, evLessee, heldBy, ids, input, profile, rogueOwner, vehicle } from "./fixtures";

const withConsent = (marketing: Record<string, boolean>, extra = {}) => {
  const p = rogueOwner();
  return {
    ...p,
    vehicles: [{ ...p.vehicles[0]!, openRecalls: ["24V123"] }],
    consent: { ...p.consent, marketing, ...extra },
  };
};

const mixed = catalogOf(
  act({ id: "sale", kind: "offer", category: "sales" }),
  act({ id: "service-offer", kind: "offer", category: "service" }),
  act({ id: "reminder", kind: "service_reminder", category: "service" }),
  act({ id: "news", kind: "content", category: "info" }),
  act({ id: "recall", kind: "safety_recall", category: "safety" }),
);

describe("consent guardrail", () => {
  it("holds marketing back on a channel whose marketing consent was refused; service, info and safety pass", () => {
    const r = decide(input({ profile: withConsent({ email: false }), channel: "email", catalog: mixed, limit: 5 }));
    expect(ids(r).sort()).toEqual(["news", "recall", "reminder"]);
    expect(heldBy(r, "sale")).toBe("consent");
    expect(heldBy(r, "service-offer")).toBe("consent");
    expect(r.notes).toContain("No marketing consent for email: service, safety and information only");
  });

  it("maps decision channels to consent channels: app is push, the configurator and dealer site are web", () => {
    const p = withConsent({ email: true, push: false, web: true });
    expect(heldBy(decide(input({ profile: p, channel: "app", catalog: mixed, limit: 5 })), "sale")).toBe("consent");
    expect(ids(decide(input({ profile: p, channel: "email", catalog: mixed, limit: 5 })))).toContain("sale");
    const noWeb = withConsent({ web: false });
    expect(
      heldBy(decide(input({ profile: noWeb, channel: "web_configurator", catalog: mixed, limit: 5 })), "sale"),
    ).toBe("consent");
    expect(
      heldBy(
        decide(input({ profile: noWeb, channel: "dealer_site", placement: "hero", catalog: mixed, limit: 5 })),
        "sale",
      ),
    ).toBe("consent");
  });

  it("has no marketing gate in the service lane", () => {
    const p = withConsent({ email: false, push: false, web: false, in_vehicle: false });
    expect(ids(decide(input({ profile: p, channel: "service_lane", catalog: mixed, limit: 5 })))).toContain("sale");
  });

  it("requires an explicit opt-in when configured to", () => {
    const cfg = resolveConfig({ marketingRequiresOptIn: true });
    const r = decide(input({ profile: withConsent({}), channel: "email", catalog: mixed, limit: 5, config: cfg }));
    expect(heldBy(r, "sale")).toBe("consent");
    expect(ids(decide(input({ profile: withConsent({}), channel: "email", catalog: mixed, limit: 5 })))).toContain(
      "sale",
    );
  });

  it("an Art. 21 objection leaves only service, safety and information, whatever the channel consent", () => {
    const p = withConsent({ email: true, web: true }, { profilingObjection: true });
    for (const channel of ["email", "dealer_site", "service_lane"] as const) {
      const r = decide(input({ profile: p, channel, placement: "hero", catalog: mixed, limit: 5 }));
      expect(ids(r).sort()).toEqual(["news", "recall", "reminder"]);
      expect(r.notes.join()).toContain("Art. 21");
    }
  });

  it("safety recalls bypass marketing consent", () => {
    const p = withConsent({ email: false, push: false, web: false, in_vehicle: false }, { profilingObjection: true });
    expect(ids(decide(input({ profile: p, channel: "email", catalog: mixed, limit: 5 })))).toContain("recall");
  });

  it("GPC: the rule data holds only the request context, and the output says so", () => {
    const p = evLessee();
    const inp = input({ profile: p, gpc: true, context: { model: "Ariya", page: "/ariya" } });
    expect(ruleDataFor(inp, null)).toEqual({
      context: { channel: "dealer_site", placement: "widget", page: "/ariya", model: "Ariya", locale: null },
    });
    const r = decide(inp);
    expect(r.notes).toContain(GPC_NOTE);
    expect(r.segment).toBe("anonymous");
    expect(ids(r)).not.toContain("lease-renewal");
    expect(ids(r)).toEqual(["book-test-drive"]);
    expect(heldBy(r, "ev-charging-tips")).toBe("consent");
    expect(JSON.stringify(r.actions)).not.toContain("lease");
  });

  it("GPC: templates render no profile fields", () => {
    const cat = catalogOf(
      act({ id: "hello", channels: { dealer_site: { title: "For your {{vehicle.model}}", body: "B", cta: "Go" } } }),
    );
    const r = decide(input({ profile: profile({ vehicles: [vehicle({ model: "Ariya" })] }), gpc: true, catalog: cat }));
    expect(r.actions[0]?.creative).toMatchObject({ title: "For your your vehicle" });
  });

  it("an unknown visitor has no consent record: web marketing is decided on context alone", () => {
    const r = decide(input({ channel: "web_configurator", context: { model: "Leaf" } }));
    expect(ids(r)).toEqual(["book-test-drive"]);
    expect(r.actions.every((a) => !isMarketing(a) || a.reasons.join().includes("Leaf"))).toBe(true);
  });
});
