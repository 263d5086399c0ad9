/** Pure parts of issue 10: slot choice, send times, back-off, creatives per language. */
import { describe, expect, it } from "vitest";
import { chooseSlots, SLOT_HORIZON_DAYS, slotLabel, type OpenSlot } from "../../src/domain/channels/slots";
import { runDay, sendTime } from "../../src/domain/channels/reminders";
import { retryDelayMs } from "../../src/domain/channels/webhooks";
import { compileCatalog, creativeFor } from "../../src/domain/decide/catalog";
import { validateAction } from "../../src/domain/decide/validate-action";

const NOW = Date.UTC(2027, 0, 11, 12); // a Monday, noon UTC
const dealers = new Map([
  ["a", { id: "a", name: "North", timeZone: "Europe/Berlin", latitude: 52.5, longitude: 13.4 }],
  ["near", { id: "near", name: "Potsdam", timeZone: "Europe/Berlin", latitude: 52.4, longitude: 13.06 }],
  ["far", { id: "far", name: "Munich", timeZone: "Europe/Berlin", latitude: 48.1, longitude: 11.6 }],
]);
const s = (id: string, dealerId: string, inHours: number, left = 1): OpenSlot => ({
  id,
  dealerId,
  startAt: NOW + inHours * 3_600_000,
  durationMin: 60,
  resource: "bay",
  left,
});
const q = (open: OpenSlot[], over = {}) =>
  chooseSlots({
    open,
    dealers,
    dealerId: "a",
    allowFallback: true,
    now: NOW,
    timeZone: "Europe/Berlin",
    locale: "en-GB",
    ...over,
  });

describe("chooseSlots", () => {
  it("the 3 earliest open slots at the person's dealer, from 2 hours on, labelled in their time zone", () => {
    const c = q([
      s("x1", "a", 1),
      s("x5", "a", 50),
      s("x2", "a", 3),
      s("x3", "a", 5),
      s("x4", "a", 24),
      s("full", "a", 4, 0),
    ]);
    expect(c.slots.map((x) => x.id)).toEqual(["x2", "x3", "x4"]);
    expect(c).toMatchObject({ dealerId: "a", dealerName: "North", fallback: false, reason: null });
    expect(c.slots[0]!.label).toBe(slotLabel(NOW + 3 * 3_600_000, "Europe/Berlin", "en-GB"));
    expect(c.slots[0]!.label).toContain("16:00"); // 15:00 UTC is 16:00 in Berlin in January
  });

  it("nothing in the horizon: the nearest dealer with capacity stands in", () => {
    const c = q([s("late", "a", (SLOT_HORIZON_DAYS + 1) * 24), s("m", "far", 5), s("p", "near", 30)]);
    expect(c).toMatchObject({ dealerId: "near", fallback: true });
  });

  it("a dealer-bound key gets no other dealer's slots, and a reason", () => {
    const c = q([s("m", "far", 5)], { allowFallback: false });
    expect(c.slots).toEqual([]);
    expect(c.reason).toBe(`no open service slot at North in the next ${SLOT_HORIZON_DAYS} days`);
  });

  it("a person without a dealer gets the dealer with the earliest slot; with no capacity anywhere, a reason", () => {
    expect(q([s("m", "far", 5), s("p", "near", 30)], { dealerId: null }).dealerId).toBe("far");
    expect(q([], { dealerId: null }).reason).toContain("at any dealer");
  });
});

describe("sendTime", () => {
  it("now inside 09:00–17:00 local, else the next 09:00 there", () => {
    expect(sendTime(NOW, "Europe/Berlin")).toEqual({ at: NOW, zone: "Europe/Berlin" }); // 13:00 Berlin
    expect(sendTime(NOW, "America/Los_Angeles").at).toBe(Date.UTC(2027, 0, 11, 17)); // 04:00 LA → 09:00 LA
    expect(sendTime(NOW, "Asia/Tokyo").at).toBe(Date.UTC(2027, 0, 12, 0)); // 21:00 Tokyo → 09:00 next day
    expect(sendTime(NOW, null).zone).toBe("UTC");
  });

  it("09:00 across a DST change (Berlin, last Sunday of March)", () => {
    const sat = Date.UTC(2027, 2, 27, 20); // 21:00 CET on Saturday
    expect(sendTime(sat, "Europe/Berlin").at).toBe(Date.UTC(2027, 2, 28, 7)); // 09:00 CEST = 07:00 UTC
  });

  it("a run's day is its UTC date", () => expect(runDay(NOW)).toBe("2027-01-11"));
});

describe("webhook back-off", () => {
  it("doubles from the base with ±20% jitter, at most an hour", () => {
    expect(retryDelayMs(0, 5000, 0.5)).toBe(5000);
    expect(retryDelayMs(3, 5000, 0.5)).toBe(40_000);
    expect(retryDelayMs(0, 5000, 0)).toBe(4000);
    expect(retryDelayMs(0, 5000, 0.9999)).toBeLessThanOrEqual(6000);
    expect(retryDelayMs(30, 5000, 0.5)).toBe(3_600_000);
  });
});

describe("creatives per language", () => {
  const action = {
    id: "svc",
    kind: "service_reminder",
    category: "service",
    value: 1,
    channels: { email: { subject: "Service time", body: "Book at {{dealer.name}}." } },
    locales: {
      de: { channels: { email: { subject: "Zeit für den Service", body: "Buchen Sie bei {{dealer.name}}." } } },
      "de-AT": { channels: { email: { subject: "Servicezeit", body: "Buchen Sie bei {{dealer.name}}." } } },
    },
  };
  const a = compileCatalog([action], "t").byId.get("svc")!;
  const subject = (loc: string | null) =>
    (
      creativeFor(a, "email", loc).render({ vehicle: null, dealerName: "X", gates: null, contextModel: null }) as {
        subject: string;
      }
    ).subject;

  it("the exact tag, else its language, else the default", () => {
    expect(subject("de-AT")).toBe("Servicezeit");
    expect(subject("de-CH")).toBe("Zeit für den Service");
    expect(subject("de")).toBe("Zeit für den Service");
    expect(subject("fr-FR")).toBe("Service time");
    expect(subject(null)).toBe("Service time");
  });

  it("is validated like the default copy", () => {
    expect(validateAction(action)).toEqual([]);
    const bad = {
      ...action,
      locales: {
        de: { channels: { email: { subject: "Wir sahen, dass Sie zahlen", body: "{{profile.loanPayoffInquiryAt}}" } } },
      },
    };
    const faults = validateAction(bad);
    expect(faults.map((f) => f.pointer)).toContain("/locales/de/channels/email/body");
    expect(faults.some((f) => f.type === "sensitive-field")).toBe(true);
    expect(validateAction({ ...action, locales: { DE: action.locales.de } }).length).toBeGreaterThan(0);
  });
});
