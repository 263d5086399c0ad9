import { describe, expect, it } from "vitest";
import { decide, safeDefault } from "../../../src/domain/decide";
import { ActionSchema, compileCatalog, validateAction } from "../../../src/domain/decide/catalog";
import { DEMO_CATALOG } from "../../../src/domain/decide/demo-catalog";
import { compileTemplate } from "../../../src/domain/decide/templates";
import { act, catalogOf, DAY, DEMO, ids, input, NOW } from "./fixtures";

const lease = DEMO_CATALOG.find((a) => a.id === "lease-renewal")!;
const withCreative = (channels: object) => ({ ...lease, channels });

describe("catalogue", () => {
  it("fills defaults: lever 1, medium intrusiveness, a Beta(1, 30) prior, no caps", () => {
    const a = ActionSchema.parse({
      id: "hello",
      kind: "content",
      category: "info",
      value: 10,
      channels: { email: { subject: "S", body: "B" } },
    });
    expect(a).toMatchObject({
      lever: 1,
      intrusiveness: "medium",
      prior: { alpha: 1, beta: 30 },
      caps: {},
      rule: null,
      householdLevel: false,
    });
  });

  it("accepts the demo catalogue whole", () => {
    for (const a of DEMO_CATALOG) expect(validateAction(a), a.id).toEqual([]);
    expect(DEMO.rejected).toEqual([]);
    expect(DEMO.actions.length).toBeGreaterThanOrEqual(12);
  });

  it("refuses a template that names a sensitive field, naming the field and the topic", () => {
    const cases: [string, string][] = [
      ["{{profile.loanPayoffInquiryAt}}", "loan payoff inquiry"],
      ["{{profile.voice.openComplaints}}", "complaints"],
      ["{{gates.equityEstimate}}", "credit, loan or equity amounts"],
      ["{{vehicle.loan.amount}}", "credit, loan or equity amounts"],
      ["{{vehicle.location}}", "location"],
      ["{{vehicle.economy.value}}", "driving behaviour or telemetry"],
    ];
    for (const [tpl, topic] of cases) {
      const faults = validateAction(withCreative({ email: { subject: "Hi", body: `You have ${tpl}.` } }));
      expect(faults).toEqual([
        {
          type: "sensitive-field",
          pointer: "/channels/email/body",
          reason: `${tpl} is sensitive (${topic}) and may not appear in copy`,
        },
      ]);
    }
  });

  it("refuses unknown template fields and copy that says the quiet part out loud", () => {
    expect(validateAction(withCreative({ email: { subject: "Hi {{person.name}}", body: "B" } }))[0]).toMatchObject({
      type: "unknown-field",
      pointer: "/channels/email/subject",
    });
    expect(
      validateAction(withCreative({ email: { subject: "Thinking of paying off your loan?", body: "B" } }))[0],
    ).toMatchObject({ type: "sensitive-copy" });
    expect(
      validateAction(withCreative({ email: { subject: "Hi", body: "We noticed you drive fast" } }))[0],
    ).toMatchObject({ type: "sensitive-copy" });
  });

  it("refuses in-car copy over the payload limits, counting templates at their longest", () => {
    const tooLong = validateAction(withCreative({ in_vehicle: { text: "x".repeat(121), buttons: [] } }));
    expect(tooLong).toEqual([expect.objectContaining({ type: "payload-limit", pointer: "/channels/in_vehicle/text" })]);
    const expands = validateAction(
      withCreative({ in_vehicle: { text: `${"x".repeat(90)} {{dealer.name}}`, buttons: [] } }),
    );
    expect(expands[0]).toMatchObject({
      type: "payload-limit",
      reason: "can render 131 characters; the car allows 120",
    });
    expect(
      validateAction(withCreative({ in_vehicle: { text: "Hi", buttons: ["a", "b", "c", "d"] } }))[0],
    ).toMatchObject({ type: "payload-limit", pointer: "/channels/in_vehicle/buttons" });
    expect(
      validateAction(withCreative({ in_vehicle: { text: "Hi", buttons: ["A button label too long"] } }))[0],
    ).toMatchObject({ type: "payload-limit", pointer: "/channels/in_vehicle/buttons/0" });
    expect(
      validateAction(withCreative({ in_vehicle: { text: "See nissan.com/offers", buttons: [] } }))[0]?.reason,
    ).toContain("no URLs");
    expect(validateAction(withCreative({ in_vehicle: { text: "Great news 🎉", buttons: [] } }))[0]?.reason).toContain(
      "no emoji",
    );
  });

  it("names a bad rule's fault under /rule", () => {
    expect(validateAction({ ...lease, rule: { lease_ends_within: ["soon"] } })).toEqual([
      {
        type: "rule",
        pointer: "/rule/lease_ends_within/0",
        reason: "argument-type: lease_ends_within expects a number of days (0-3650) here (a literal)",
      },
    ]);
  });

  it("compiles: sorted by id, per-channel lists, frozen, bad rows set aside", () => {
    const cat = compileCatalog(
      [
        act({ id: "b" }),
        act({ id: "a", channels: { email: { subject: "S", body: "B" } } }),
        { id: "Bad Id" },
        act({ id: "twin" }),
        act({ id: "twin" }),
      ],
      "v7",
    );
    expect(cat.version).toBe("v7");
    expect(cat.actions.map((a) => a.id)).toEqual(["a", "b"]);
    expect(cat.byChannel.email.map((a) => a.id)).toEqual(["a", "b"]);
    expect(cat.byChannel.in_vehicle.map((a) => a.id)).toEqual(["b"]);
    expect(cat.rejected.map((r) => r.id)).toEqual(["Bad Id", "twin"]);
    expect(Object.isFrozen(cat.actions)).toBe(true);
    expect(cat.byId.get("a")?.weights.length).toBe(12);
  });

  it("renders templates with fallbacks", () => {
    const t = compileTemplate("Visit {{dealer.name}} in your {{vehicle.model|car}}, {{context.model}}");
    expect(t.render({ vehicle: null, dealerName: null, gates: null, contextModel: "Leaf" })).toBe(
      "Visit your dealer in your car, Leaf",
    );
    expect(t.refs.map((r) => r.path)).toEqual(["dealer.name", "vehicle.model", "context.model"]);
  });

  it("respects validity windows", () => {
    const cat = catalogOf(
      act({ id: "future", validFrom: new Date(NOW + DAY).toISOString() }),
      act({ id: "past", validTo: new Date(NOW - DAY).toISOString() }),
      act({ id: "now", validFrom: new Date(NOW - DAY).toISOString(), validTo: new Date(NOW + DAY).toISOString() }),
    );
    expect(ids(decide(input({ catalog: cat, channel: "email", limit: 5 })))).toEqual(["now"]);
  });
});

describe("safeDefault (degraded mode)", () => {
  it("answers from context only, with low-intrusiveness actions", () => {
    const r = safeDefault(DEMO, "web_configurator", { model: "Ariya" }, NOW);
    expect(ids(r)).toEqual(["book-test-drive"]);
    expect(r.actions[0]?.creative).toMatchObject({ title: "See the Ariya in person" });
    expect(r.notes[0]).toContain("degraded");
    expect(safeDefault(DEMO, "web_configurator", {}, NOW).actions).toEqual([]);
  });

  it("says nothing in the car, by email or by push", () => {
    for (const channel of ["in_vehicle", "email", "app"] as const)
      expect(safeDefault(DEMO, channel, { model: "Ariya", driveState: "parked" }, NOW).actions).toEqual([]);
  });
});
