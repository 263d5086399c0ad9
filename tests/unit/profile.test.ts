/** The profile projection, pure: order independence, incremental = replay, lifecycle, gates facts. */
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../../src/domain/profile/events";
import { applyEvent, emptyProfile, eventKey, project, type ProjectionContext } from "../../src/domain/profile/project";
import { seededRandom } from "../../src/domain/decide/random";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const LEAF = "1N4AZ0CP6GC304290";
const VOLT = "1G1RB6S56HU172687";
const ctx: ProjectionContext = {
  brandMakes: ["NISSAN"],
  vin: (vin) =>
    vin === LEAF
      ? { make: "Nissan", model: "Leaf", year: 2016, powertrain: "ev" }
      : vin === VOLT
        ? { make: "Chevrolet", model: "Volt", year: 2017, powertrain: "phev" }
        : undefined,
};
let n = 0;
const ev = <T extends DomainEvent["type"]>(
  day: number,
  type: T,
  data: Extract<DomainEvent, { type: T }>["data"],
): DomainEvent =>
  ({
    id: `e${String(n++).padStart(3, "0")}`,
    type,
    occurredAt: T0 + day * DAY,
    receivedAt: T0 + day * DAY,
    dealerId: null,
    data,
  }) as DomainEvent;

const history: DomainEvent[] = [
  ev(0, "page_view", { url: "https://example.com/leaf" }),
  ev(1, "configurator_build", { model: "Leaf", powertrain: "ev", price: 31000 }),
  ev(2, "quote_request", { model: "Leaf" }),
  ev(10, "purchase", { vin: LEAF, condition: "new", financing: "lease" }),
  ev(10, "lease_started", { vin: LEAF, termMonths: 36, endDate: "2027-01-10" }),
  ev(50, "service_visit", { vin: VOLT, odometer: 40000, workLines: [{ description: "Tyres" }] }),
  ev(60, "telemetry_snapshot", { vin: LEAF, odometer: 5000, batteryStateOfHealth: 98, troubleCodes: ["P0A80"] }),
  ev(70, "recall_notice", { vin: LEAF, campaignId: "24V001", status: "open" }),
  ev(80, "complaint_opened", { complaintId: "C1" }),
  ev(90, "loan_payoff_inquiry", {}),
  ev(95, "consent_changed", { marketing: { email: false }, profilingObjection: true }),
  ev(99, "complaint_closed", { complaintId: "C1" }),
];

describe("profile projection", () => {
  it("gives byte-identical profiles for every order of the same events", () => {
    const expected = JSON.stringify(project(history, ctx));
    const rng = seededRandom("shuffle");
    for (let i = 0; i < 200; i++) {
      const shuffled = [...history].sort(() => rng() - 0.5);
      expect(JSON.stringify(project(shuffled, ctx))).toBe(expected);
    }
  });

  it("applying in-order events one by one equals the replay", () => {
    const p = emptyProfile();
    for (const e of [...history].sort((a, b) => (eventKey(a) < eventKey(b) ? -1 : 1))) applyEvent(p, e, ctx);
    expect(JSON.stringify(p)).toBe(JSON.stringify(project(history, ctx)));
  });

  it("derives stage, vehicles, gates facts, voice and consent", () => {
    const p = project(history, ctx);
    expect(p.stage).toBe("owner");
    expect(p.events).toBe(history.length);
    const leaf = p.vehicles.find((v) => v.vin === LEAF)!;
    expect(leaf).toMatchObject({
      make: "Nissan",
      powertrain: "ev",
      onBrand: true,
      relation: "leased",
      leaseEnd: "2027-01-10",
      warrantyEnd: "2027-01-11",
      openRecalls: ["24V001"],
      troubleCodes: 1,
      batterySoh: 98,
    });
    expect(p.vehicles.find((v) => v.vin === VOLT)).toMatchObject({
      onBrand: false,
      relation: "serviced",
      serviceVisits: 1,
    });
    expect(p.loanPayoffInquiryAt).toBe(T0 + 90 * DAY);
    expect(p.voice.openComplaints).toEqual([]);
    expect(p.consent).toMatchObject({ marketing: { email: false }, profilingObjection: true });
    expect(p.interest.models).toEqual([{ model: "Leaf", powertrain: "ev", price: 31000, at: T0 + DAY }]);
  });

  it("moves through the lifecycle: prospect, shopper, owner, lapsed", () => {
    expect(project([history[0]!], ctx).stage).toBe("prospect");
    expect(project(history.slice(0, 3), ctx).stage).toBe("shopper");
    expect(project(history.slice(0, 5), ctx).stage).toBe("owner");
    expect(project([...history.slice(0, 5), ev(10 + 800, "page_view", { url: "x" })], ctx).stage).toBe("lapsed");
  });

  it("keeps the remedied recall closed and the last three configured models, newest first", () => {
    const p = project(
      [
        ...history,
        ev(100, "recall_notice", { vin: LEAF, campaignId: "24V001", status: "remedied" }),
        ev(101, "configurator_build", { model: "Ariya", powertrain: "ev" }),
        ev(102, "configurator_build", { model: "Rogue", powertrain: "ice" }),
        ev(103, "configurator_build", { model: "Kicks", powertrain: "ice" }),
      ],
      ctx,
    );
    expect(p.vehicles.find((v) => v.vin === LEAF)!.openRecalls).toEqual([]);
    expect(p.interest.models.map((m) => m.model)).toEqual(["Kicks", "Rogue", "Ariya"]);
  });
});
