import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import type { SlotChoice } from "../../../src/domain/channels/slots";
import { act, catalogOf, heldBy, ids, input, NOW, profile, vehicle } from "./fixtures";

const cat = catalogOf(
  act({
    id: "reminder",
    kind: "service_reminder",
    category: "service",
    channels: {
      email: { subject: "Service at {{slots.dealer}}", body: "First open: {{slots.first|soon}} ({{slots.count}})." },
      dealer_site: { title: "Book service", body: "At {{slots.dealer}}.", cta: "Book" },
      service_lane: { title: "Service due", body: "Offer it today.", cta: "Add" },
    },
  }),
  act({ id: "news", kind: "content", category: "info" }),
);
const owner = () => profile({ vehicles: [vehicle({ model: "Rogue", powertrain: "ice" })] });
const slot = (i: number) => ({
  id: `slt_${i}`,
  dealerId: "dlr_sf",
  startAt: NOW + (i + 1) * 86_400_000,
  durationMin: 60,
  resource: "bay" as const,
  left: 1,
  label: `Day ${i + 1}, 9:00 AM`,
});
const open: SlotChoice = {
  dealerId: "dlr_sf",
  dealerName: "Bay Nissan",
  slots: [0, 1, 2].map(slot),
  reason: null,
  fallback: false,
};
const none: SlotChoice = { ...open, slots: [], reason: "no open service slot at Bay Nissan in the next 14 days" };
const run = (over = {}) =>
  decide(
    input({ profile: owner(), catalog: cat, channel: "dealer_site", limit: 5, context: { timeZone: "UTC" }, ...over }),
  );

describe("service capacity guardrail", () => {
  it("a reminder with open slots is offered, and its copy names them", () => {
    const r = run({ channel: "email", serviceSlots: open }); // 10:00 at the dealer (LA): not quiet hours
    expect(ids(r)).toContain("reminder");
    const c = r.actions.find((a) => a.id === "reminder")!.creative as unknown as { subject: string; body: string };
    expect(c.subject).toBe("Service at Bay Nissan");
    expect(c.body).toBe("First open: Day 1, 9:00 AM (3).");
  });

  it("without capacity the reminder is held back, saying why; other actions are not", () => {
    const r = run({ serviceSlots: none });
    expect(ids(r)).toEqual(["news"]);
    expect(heldBy(r, "reminder")).toBe("service_capacity");
    expect(r.suppressed.find((s) => s.id === "reminder")?.reason).toBe(none.reason);
  });

  it("where the person does not book (the service lane), no capacity is needed", () => {
    expect(ids(run({ channel: "service_lane", serviceSlots: none }))).toContain("reminder");
  });

  it("a booking ahead holds reminders back until it has passed", () => {
    const booked = { ...owner(), serviceBooking: { bookingId: "bkg_1", dealerId: "dlr_sf", at: NOW + 86_400_000 } };
    expect(heldBy(run({ profile: booked, serviceSlots: open }), "reminder")).toBe("service_capacity");
    const past = { ...booked, serviceBooking: { ...booked.serviceBooking, at: NOW - 86_400_000 } };
    expect(ids(run({ profile: past, serviceSlots: open }))).toContain("reminder");
  });

  it("when the caller did not look capacity up, the engine decides as before (positive control)", () => {
    expect(ids(run())).toContain("reminder");
  });
});
