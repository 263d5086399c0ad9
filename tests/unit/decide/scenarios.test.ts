/** The "what must never happen" column of DOMAIN.md, as decisions over the demo catalogue. */
import { describe, expect, it } from "vitest";
import { decide, safeDefault } from "../../../src/domain/decide";
import { compileCatalog } from "../../../src/domain/decide/catalog";
import { DEMO_CATALOG } from "../../../src/domain/decide/demo-catalog";
import { seededRandom } from "../../../src/domain/decide/random";
import type { DecisionInput, DecisionResult } from "../../../src/domain/decide/types";
import { DECISION_CHANNELS, isMarketing } from "../../../src/domain/decide/vocabulary";
import { contacts, DAY, DEMO, evLessee, household, ids, input, NOW, profile, rogueOwner, vehicle } from "./fixtures";

const PARKED = { driveState: "parked", secondsSinceIgnition: 900 } as const;
const H = 3_600_000;

/** The same question asked on every channel with many seeds: what can ever come back? */
function everShown(over: Partial<DecisionInput>, seeds = 40): Set<string> {
  const out = new Set<string>();
  for (const channel of DECISION_CHANNELS) {
    for (let i = 0; i < seeds; i++) {
      const r = decide(
        input({ channel, placement: "hero", context: PARKED, limit: 5, rng: seededRandom(`${channel}${i}`), ...over }),
      );
      for (const a of r.actions) out.add(a.id);
    }
  }
  return out;
}

const marketingIds = new Set(DEMO.actions.filter((a) => a.marketing).map((a) => a.id));
const anyMarketing = (ids: Set<string>) => [...ids].filter((id) => marketingIds.has(id));

describe("what must never happen", () => {
  it("an EV owner never gets an oil-change offer, on any channel, even with service due", () => {
    const p = evLessee();
    const due = {
      ...p,
      vehicles: [
        {
          ...p.vehicles[0]!,
          nextService: { kind: "tire_rotation", due: new Date(NOW + 5 * DAY).toISOString().slice(0, 10) },
        },
      ],
    };
    const seen = everShown({ profile: due });
    expect(seen).not.toContain("oil-change");
    expect(seen).toContain("service-due-reminder");
    expect(everShown({ profile: rogueOwner() })).toContain("oil-change");
  });

  it("an owner with an open complaint, or whose spouse has one, gets no sales offer anywhere", () => {
    const dan = rogueOwner();
    const angry = { ...dan, voice: { ...dan.voice, openComplaints: ["CMP-1042"] } };
    for (const over of [{ profile: angry }, { profile: dan, household: household(1) }]) {
      const seen = everShown(over);
      expect([...seen].filter((id) => DEMO.byId.get(id)!.category === "sales")).toEqual([]);
      expect(seen).toContain("service-recovery");
    }
  });

  it("a lease ending in 5 months brings a renewal on the dealer site, never in the car while moving or 10 s after ignition", () => {
    const maya = evLessee();
    const site = decide(input({ profile: maya, channel: "dealer_site", placement: "widget" }));
    expect(site.actions[0]).toMatchObject({ id: "lease-renewal", reasons: ["Lease ends in 5 months"] });
    expect(site.actions[0]?.creative).toMatchObject({ title: "Your lease ends in 5 months" });
    const moving = decide(
      input({
        profile: maya,
        channel: "in_vehicle",
        keyKind: "vehicle",
        context: { driveState: "moving", speedKph: 50 },
      }),
    );
    expect(moving.actions).toEqual([]);
    expect(moving.notes).toContain("in-car: deferred until parked");
    const ignition = decide(
      input({
        profile: maya,
        channel: "in_vehicle",
        keyKind: "vehicle",
        context: { driveState: "parked", secondsSinceIgnition: 10 },
      }),
    );
    expect(ignition.actions).toEqual([]);
    const parked = decide(input({ profile: maya, channel: "in_vehicle", keyKind: "vehicle", context: PARKED }));
    expect(ids(parked)).toContain("lease-renewal");
  });

  it("a service reminder goes to email in the owner's daytime, not to the dashboard at ignition, nor at night", () => {
    const dan = rogueOwner();
    expect(ids(decide(input({ profile: dan, channel: "email", limit: 5 })))).toContain("service-due-reminder");
    const atIgnition = decide(
      input({
        profile: dan,
        channel: "in_vehicle",
        keyKind: "vehicle",
        context: { driveState: "parked", secondsSinceIgnition: 4 },
      }),
    );
    expect(atIgnition.actions).toEqual([]);
    expect(decide(input({ profile: dan, channel: "email", now: NOW + 12.5 * H })).actions).toEqual([]);
  });

  it("a loan payoff inquiry raises a sales action whose copy and reasons never mention it to a browser, a car or the staff's script", () => {
    const dan = rogueOwner();
    const noAppraisal = { ...dan, vehicles: [{ ...dan.vehicles[0]!, appraisal: undefined }] };
    const creepy = /loan|pay(ing)?[\s-]?off|payoff|inquir|equity|finance/i;
    const browser = decide(
      input({ profile: noAppraisal, keyKind: "publishable", channel: "dealer_site", placement: "widget" }),
    );
    expect(ids(browser)).toContain("loyalty-upgrade");
    expect(JSON.stringify({ a: browser.actions, n: browser.notes })).not.toMatch(creepy);
    const lane = decide(input({ profile: noAppraisal, channel: "service_lane", placement: "console", limit: 5 }));
    const offer = lane.actions.find((a) => a.id === "loyalty-upgrade")!;
    expect(JSON.stringify(offer.creative)).not.toMatch(creepy);
    expect(offer.sensitiveReasons).toEqual(["Asked about paying off the loan", "Loan ends in 5 months"]);
    const car = decide(
      input({ profile: noAppraisal, channel: "in_vehicle", keyKind: "vehicle", context: PARKED, limit: 5 }),
    );
    expect(JSON.stringify({ a: car.actions, n: car.notes, s: car.suppressed })).not.toMatch(creepy);
    expect(car.suppressed).toEqual([]);
  });

  it("GPC removes every marketing action that would rest on the person; an Art. 21 objection removes every marketing action", () => {
    const dan = rogueOwner();
    expect(anyMarketing(everShown({ profile: dan, gpc: true }))).toEqual([]);
    const objecting = { ...dan, consent: { ...dan.consent, profilingObjection: true } };
    expect(anyMarketing(everShown({ profile: objecting }))).toEqual([]);
    expect(anyMarketing(everShown({ profile: objecting, context: { ...PARKED, model: "Ariya" } }))).toEqual([]);
    expect(everShown({ profile: objecting })).toContain("service-due-reminder");
    // Contextual advertising is not behavioural: under GPC the page's own model may still be offered for a test drive.
    expect(everShown({ profile: dan, gpc: true, context: { ...PARKED, model: "Ariya" } })).toEqual(
      new Set(["book-test-drive"]),
    );
  });

  it("a dealer never sees another dealer's actions, and an action a dealer switched off stays off on its rooftops", () => {
    const cat = compileCatalog(
      [
        ...DEMO_CATALOG.map((a) =>
          a.id === "lease-renewal" ? { ...a, dealerOverrides: { dlr_sf: { disabled: true } } } : a,
        ),
        {
          id: "la-house-special",
          kind: "offer",
          category: "sales",
          value: 99999,
          lever: 10,
          dealerId: "dlr_la",
          channels: { dealer_site: { title: "LA only", body: "B", cta: "Go" } },
        },
      ],
      "v2",
    );
    const sf = everShown({ profile: evLessee(), catalog: cat });
    expect(sf).not.toContain("la-house-special");
    expect(sf).not.toContain("lease-renewal");
    expect(
      ids(
        decide(input({ profile: evLessee(), catalog: cat, dealer: { id: "dlr_la", timeZone: "America/Los_Angeles" } })),
      ),
    ).toContain("la-house-special");
  });

  it("a dismissed offer stays dismissed, and someone who drops out is not chased", () => {
    const maya = evLessee();
    const dismissed = contacts([], [], { dismissals: { "lease-renewal": { n: 2, last: NOW - 3 * DAY } } });
    expect(everShown({ profile: maya, contacts: dismissed })).not.toContain("lease-renewal");
    const ignoring = contacts([], [], { ignoredStreak: 12 });
    const r = decide(input({ profile: maya, channel: "email", contacts: ignoring, limit: 5 }));
    expect(r.actions.filter((a) => isMarketing(a))).toEqual([]);
  });

  it("right after a purchase, no new-vehicle sales", () => {
    const buyer = profile({
      lastPurchaseAt: NOW - 10 * DAY,
      vehicles: [vehicle({ relation: "leased", leaseEnd: new Date(NOW + 100 * DAY).toISOString().slice(0, 10) })],
    });
    expect(everShown({ profile: buyer })).not.toContain("lease-renewal");
  });

  it("an unknown visitor on the configurator gets a next step from the page alone, in normal and degraded mode", () => {
    const visitor = decide(input({ channel: "web_configurator", keyKind: "publishable", context: { model: "Ariya" } }));
    expect(ids(visitor)).toEqual(["book-test-drive"]);
    expect(ids(safeDefault(DEMO, "web_configurator", { model: "Ariya" }, NOW))).toEqual(["book-test-drive"]);
    const seen: DecisionResult[] = DECISION_CHANNELS.map((channel) =>
      decide(input({ channel, context: PARKED, limit: 10 })),
    );
    expect(
      seen
        .flatMap((r) => r.actions)
        .every((a) => DEMO.byId.get(a.id)!.contextual || DEMO.byId.get(a.id)!.source.rule === null),
    ).toBe(true);
  });
});
