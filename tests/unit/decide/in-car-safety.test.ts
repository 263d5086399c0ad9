import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { resolveConfig } from "../../../src/domain/decide/config";
import { DEFERRED_UNTIL_PARKED } from "../../../src/domain/decide/guardrails/in-car-safety";
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
