import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { resolveConfig } from "../../../src/domain/decide/config";
import { DEFERRED_UNTIL_PARKED, RESERVED_FOR_SAFETY } from "../../../src/domain/decide/guardrails/in-car-safety";
import { seededRandom } from "../../../src/domain/decide/random";
import { act, catalogOf, contacts, heldBy, ids, input, NOW, profile, vehicle } from "./fixtures";

const owner = profile({ vehicles: [vehicle({ openRecalls: ["24V123"] })] });
const cat = catalogOf(
  act({
    id: "tip",
    category: "info",
    channels: { in_vehicle: { text: "Tip: precondition the cabin from the app before you leave.", buttons: ["OK"] } },
  }),
  act({
    id: "recall",
    kind: "safety_recall",
    category: "safety",
    rule: { open_recall: [] },
    channels: { in_vehicle: { text: "Safety recall: free repair at {{dealer.name}}.", buttons: ["Remind me"] } },
  }),
);
const car = (context: object, over = {}) =>
  decide(input({ profile: owner, channel: "in_vehicle", catalog: cat, context, ...over }));
const PARKED = { driveState: "parked", secondsSinceIgnition: 600 } as const;

describe("in-car safety guardrail", () => {
  it("shows nothing while moving, not even a safety recall, and says it is deferred until parked", () => {
    const r = car({ driveState: "moving", secondsSinceIgnition: 900 });
    expect(r.actions).toEqual([]);
    expect(heldBy(r, "recall")).toBe("in_car_safety");
    expect(r.notes).toContain(DEFERRED_UNTIL_PARKED);
    expect(r.ttl).toBe(30);
  });

  it("fails closed on an unknown or missing drive state, and on speed above zero", () => {
    expect(car({ driveState: "unknown", secondsSinceIgnition: 900 }).actions).toEqual([]);
    expect(car({ secondsSinceIgnition: 900 }).actions).toEqual([]);
    expect(car({ driveState: "parked", speedKph: 12, secondsSinceIgnition: 900 }).actions).toEqual([]);
  });

  it("stays quiet for 120 s after ignition (configurable), and when the ignition time is unknown", () => {
    expect(car({ driveState: "parked", secondsSinceIgnition: 10 }).actions).toEqual([]);
    expect(car({ driveState: "parked" }).actions).toEqual([]);
    expect(ids(car({ driveState: "parked", secondsSinceIgnition: 120 }))).toContain("recall");
    expect(
      car({ driveState: "parked", secondsSinceIgnition: 200 }, { config: resolveConfig({ ignitionQuietSeconds: 300 }) })
        .actions,
    ).toEqual([]);
  });

  it("allows at most two prompts per local day (Los Angeles), counting prompts shown together once", () => {
    // 10:00 in LA; 1 h ago and 8 h ago are today, 11 h ago (23:00) was yesterday.
    const twoToday = contacts(
      [
        { actionId: "tip", category: "info", channel: "in_vehicle" },
        { actionId: "x", category: "info", channel: "in_vehicle" },
      ],
      [1, 8],
    );
    const r = car(PARKED, { contacts: twoToday });
    expect(r.actions).toEqual([]);
    expect(r.notes).toContain("in-car: 2 prompts already today");
    const yesterday = contacts(
      [
        { actionId: "tip", category: "info", channel: "in_vehicle" },
        { actionId: "x", category: "info", channel: "in_vehicle" },
      ],
      [1, 11],
    );
    expect(car(PARKED, { contacts: yesterday }).actions.length).toBeGreaterThan(0);
    const together = { ...twoToday, shown: twoToday.shown.map((s) => ({ ...s, at: NOW - 3_600_000 })) };
    expect(car(PARKED, { contacts: together }).actions.length).toBeGreaterThan(0);
  });

  it("while an open recall is pending, marketing cannot use up the day's prompts; once read, the recall waits a day", () => {
    const cat = catalogOf(
      act({
        id: "lease",
        kind: "offer",
        category: "sales",
        value: 9000,
        lever: 3,
        channels: {
          in_vehicle: { text: "Your lease ends soon. Want renewal options sent to your phone?", buttons: ["Send"] },
        },
      }),
      act({
        id: "tip",
        category: "info",
        value: 5000,
        channels: { in_vehicle: { text: "Tip: precondition the cabin from the app.", buttons: ["OK"] } },
      }),
      act({
        id: "recall",
        kind: "safety_recall",
        category: "safety",
        rule: { open_recall: [] },
        value: 1,
        channels: {
          in_vehicle: { text: "Safety recall: the repair is free. Book it from the app.", buttons: ["Remind me"] },
        },
      }),
    );
    const prompt = (shown: { actionId: string; category: string }[], agesInHours: number[], rng = "x") =>
      decide(
        input({
          profile: owner,
          channel: "in_vehicle",
          catalog: cat,
          context: PARKED,
          limit: 1,
          rng: seededRandom(rng),
          contacts: contacts(
            shown.map((s) => ({ ...s, channel: "in_vehicle" }) as never),
            agesInHours,
          ),
        }),
      );
    // The first prompt of the day is the recall, whatever marketing would score.
    for (let i = 0; i < 50; i++) expect(ids(prompt([], [], `r${i}`))).toEqual(["recall"]);
    // A minute later it is not read again (its own cap), and marketing may take the remaining prompt.
    const after = prompt([{ actionId: "recall", category: "safety" }], [1 / 60]);
    expect(heldBy(after, "recall")).toBe("frequency_caps");
    expect(ids(after)).toHaveLength(1);
    // Had marketing got the first prompt today (before the recall arrived), the last one is kept for the recall.
    const oneMarketing = prompt([{ actionId: "tip", category: "info" }], [2]);
    expect(ids(oneMarketing)).toEqual(["recall"]);
    expect(oneMarketing.notes).toContain(RESERVED_FOR_SAFETY);
    const noRecall = decide(
      input({
        profile: profile(),
        channel: "in_vehicle",
        catalog: cat,
        context: PARKED,
        limit: 1,
        contacts: contacts([{ actionId: "tip", category: "info", channel: "in_vehicle" }], [2]),
      }),
    );
    expect(ids(noRecall)).toHaveLength(1); // positive control: without a recall, marketing may use the second prompt
    expect(ids(noRecall)).not.toContain("recall");
    // Even if the recall itself cannot be shown now (its copy is too long for this dealer), marketing does not get it.
    const longName = decide(
      input({
        profile: owner,
        channel: "in_vehicle",
        catalog: catalogOf(cat.byId.get("lease")!.source, cat.byId.get("tip")!.source, {
          ...cat.byId.get("recall")!.source,
          channels: { in_vehicle: { text: "Safety recall at {{dealer.name}}: the repair is free.", buttons: [] } },
        }),
        dealer: { id: "dlr_sf", timeZone: "America/Los_Angeles", name: "A".repeat(110) },
        context: PARKED,
        contacts: contacts([{ actionId: "tip", category: "info", channel: "in_vehicle" }], [2]),
      }),
    );
    expect(ids(longName)).toEqual([]);
  });

  it("re-checks the rendered payload: a dealer name that makes the copy too long holds the prompt back", () => {
    const r = car(PARKED, { dealer: { id: "dlr_sf", timeZone: "America/Los_Angeles", name: "A".repeat(110) } });
    expect(ids(r)).toEqual(["tip"]);
    expect(r.suppressed.find((s) => s.id === "recall")).toMatchObject({
      guardrail: "in_car_safety",
      reason: "in-car copy over the payload limits",
    });
  });

  it("never reads out a URL or emoji that arrives through a template value", () => {
    const r = car(PARKED, { dealer: { id: "dlr_sf", timeZone: "America/Los_Angeles", name: "baynissan.com 🚗" } });
    expect(ids(r)).toEqual(["tip"]);
  });

  it("does not touch other channels", () => {
    const r = decide(
      input({
        profile: owner,
        channel: "app",
        catalog: catalogOf(act({ id: "tip" })),
        context: { driveState: "moving" },
      }),
    );
    expect(ids(r)).toEqual(["tip"]);
  });
});
