import { describe, expect, it } from "vitest";
import { applyOutcome, EMPTY_CONTACT_LOG, recordContact } from "../../../src/domain/decide/contacts";
import { DAY, NOW } from "./fixtures";

describe("contact log updaters", () => {
  it("recordContact appends, prunes past 31 days, and grows the ignored streak on interruptive channels only", () => {
    const old = {
      ...EMPTY_CONTACT_LOG,
      shown: [{ actionId: "x", category: "info" as const, channel: "email" as const, at: NOW - 32 * DAY }],
    };
    const log = recordContact(old, [{ actionId: "lease-renewal", category: "sales", channel: "email" }], NOW);
    expect(log.shown).toEqual([{ actionId: "lease-renewal", category: "sales", channel: "email", at: NOW }]);
    expect(log.ignoredStreak).toBe(1);
    expect(
      recordContact(log, [{ actionId: "a", category: "info", channel: "dealer_site" }], NOW + 1).ignoredStreak,
    ).toBe(1);
    expect(recordContact(null, [], NOW)).toEqual({ ...EMPTY_CONTACT_LOG, shown: [] });
  });

  it("applyOutcome: engagement resets the streak, dismissals count, not-interested holds a category; the input is untouched", () => {
    const start = { ...EMPTY_CONTACT_LOG, ignoredStreak: 4 };
    const clicked = applyOutcome(start, { type: "click", actionId: "a", category: "sales" }, NOW);
    expect(clicked).toMatchObject({ ignoredStreak: 0, lastEngagedAt: NOW });
    expect(start.ignoredStreak).toBe(4);
    const once = applyOutcome(start, { type: "dismiss", actionId: "a", category: "sales" }, NOW);
    const twice = applyOutcome(once, { type: "dismiss", actionId: "a", category: "sales" }, NOW + DAY);
    expect(twice.dismissals.a).toEqual({ n: 2, last: NOW + DAY });
    expect(
      applyOutcome(twice, { type: "not_interested", actionId: "a", category: "sales" }, NOW).notInterested.sales,
    ).toEqual({ at: NOW });
    expect(applyOutcome(start, { type: "impression", actionId: "a", category: "sales" }, NOW)).toBe(start);
  });

  it("forgets dismissals after 180 days", () => {
    const log = applyOutcome(null, { type: "dismiss", actionId: "a", category: "sales" }, NOW - 200 * DAY);
    expect(
      Object.keys(applyOutcome(log, { type: "dismiss", actionId: "b", category: "info" }, NOW).dismissals),
    ).toEqual(["b"]);
  });
});
