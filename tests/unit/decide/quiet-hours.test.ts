import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { hhmm, inWindow, localTime } from "../../../src/domain/decide/time";
import { act, catalogOf, heldBy, ids, input, NOW, profile, vehicle } from "./fixtures";

const H = 3_600_000;
const cat = catalogOf(act({ id: "news" }), act({ id: "recall", kind: "safety_recall", category: "safety" }));
const person = (consent = {}) => {
  const p = profile({ vehicles: [vehicle()] });
  return { ...p, consent: { ...p.consent, ...consent } };
};

describe("quiet hours guardrail", () => {
  it("holds email, app and in-car back inside 21:00-08:00 local by default, safety recalls too", () => {
    const late = NOW + 12.5 * H; // 22:30 in Los Angeles
    for (const channel of ["email", "app"] as const) {
      const r = decide(input({ profile: person(), channel, catalog: cat, now: late }));
      expect(r.actions).toEqual([]);
      expect(heldBy(r, "recall")).toBe("quiet_hours");
      expect(r.notes).toContain("quiet hours 21:00-08:00 (America/Los_Angeles): deferred until 08:00");
    }
    expect(ids(decide(input({ profile: person(), channel: "email", catalog: cat })))).toHaveLength(2);
  });

  it("leaves pulled surfaces alone", () => {
    expect(
      ids(
        decide(
          input({ profile: person(), channel: "dealer_site", placement: "hero", catalog: cat, now: NOW + 12.5 * H }),
        ),
      ),
    ).toHaveLength(2);
  });

  it("uses the person's own quiet hours", () => {
    const p = person({ quietHours: { start: "09:30", end: "11:00" } });
    expect(decide(input({ profile: p, channel: "email", catalog: cat })).actions).toEqual([]);
    expect(ids(decide(input({ profile: p, channel: "email", catalog: cat, now: NOW + 12.5 * H })))).toHaveLength(2);
  });

  it("takes the person's zone first, then the dealer's, then the request's", () => {
    const at = NOW + 3 * H; // 21:00 UTC: 22:00 in Berlin, 13:00 in Los Angeles
    const berlin = person({ timeZone: "Europe/Berlin" });
    expect(decide(input({ profile: berlin, channel: "email", catalog: cat, now: at })).actions).toEqual([]);
    expect(
      ids(decide(input({ profile: person({ timeZone: null }), channel: "email", catalog: cat, now: at }))),
    ).toHaveLength(2);
    const anonymous = input({
      channel: "app",
      catalog: cat,
      now: at,
      dealer: null,
      context: { timeZone: "Europe/Berlin" },
    });
    expect(decide(anonymous).actions).toEqual([]);
  });

  it("falls back to UTC for an unknown zone, and says so", () => {
    const r = decide(
      input({
        profile: person({ timeZone: "Mars/Olympus_Mons" }),
        dealer: null,
        channel: "email",
        catalog: cat,
        now: NOW + 4 * H,
      }),
    );
    expect(r.notes).toContain("time zone unknown: quiet hours taken in UTC");
    expect(r.actions).toEqual([]);
  });

  it("computes local time across a DST change and wraps windows over midnight", () => {
    const beforeDst = Date.UTC(2026, 2, 8, 9, 30); // 01:30 PST
    const afterDst = Date.UTC(2026, 2, 8, 10, 30); // 03:30 PDT
    expect(localTime(["America/Los_Angeles"], beforeDst).minutes).toBe(90);
    expect(localTime(["America/Los_Angeles"], afterDst).minutes).toBe(210);
    expect(localTime(["Asia/Kathmandu"], Date.UTC(2026, 0, 1, 0, 0)).minutes).toBe(345);
    expect(inWindow(hhmm("23:30"), hhmm("21:00"), hhmm("08:00"))).toBe(true);
    expect(inWindow(hhmm("07:59"), hhmm("21:00"), hhmm("08:00"))).toBe(true);
    expect(inWindow(hhmm("08:00"), hhmm("21:00"), hhmm("08:00"))).toBe(false);
    expect(inWindow(hhmm("12:00"), hhmm("12:00"), hhmm("12:00"))).toBe(false);
  });
});
