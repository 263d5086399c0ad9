import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { resolveConfig } from "../../../src/domain/decide/config";
import { tally } from "../../../src/domain/decide/guardrails/frequency-caps";
import { act, catalogOf, contacts, DAY, heldBy, ids, input, NOW, profile } from "./fixtures";

const owner = profile();
const cat = catalogOf(
  act({ id: "daily", caps: { perDay: 1 } }),
  act({ id: "weekly", caps: { perWeek: 2 } }),
  act({ id: "monthly", caps: { perMonth: 1 } }),
  act({ id: "email-weekly", caps: { perChannel: { email: { perWeek: 1 } } } }),
  act({ id: "sale", kind: "offer", category: "sales" }),
  act({ id: "fix", kind: "service_reminder", category: "service" }),
  act({ id: "family", householdLevel: true, caps: { perWeek: 1 } }),
  act({ id: "recall", kind: "safety_recall", category: "safety" }),
);
const run = (over: object) =>
  decide(input({ profile: owner, catalog: cat, channel: "service_lane", placement: "console", limit: 10, ...over }));
const seen = (actionId: string, channel = "service_lane" as const, category = "info" as const) => ({
  actionId,
  channel,
  category,
});

describe("frequency caps guardrail", () => {
  it("caps an action per day, week and month over rolling windows", () => {
    const log = contacts([seen("daily"), seen("weekly"), seen("weekly"), seen("monthly")], [2, 30, 50, 24 * 20]);
    const r = run({ contacts: log });
    expect(heldBy(r, "daily")).toBe("frequency_caps");
    expect(heldBy(r, "weekly")).toBe("frequency_caps");
    expect(heldBy(r, "monthly")).toBe("frequency_caps");
    const older = contacts([seen("daily"), seen("weekly"), seen("weekly"), seen("monthly")], [25, 30, 24 * 8, 24 * 31]);
    expect(ids(run({ contacts: older }))).toEqual(expect.arrayContaining(["daily", "weekly", "monthly"]));
  });

  it("counts a contact recorded just after this decision's clock (a concurrent decision) as shown now", () => {
    const log = contacts([seen("daily")], [0]);
    const later = { ...log, shown: log.shown.map((c) => ({ ...c, at: NOW + 25 })) };
    expect(heldBy(run({ contacts: later }), "daily")).toBe("frequency_caps");
  });

  it("caps an action per channel", () => {
    const log = contacts([seen("email-weekly", "email" as never)], [48]);
    expect(heldBy(run({ contacts: log, channel: "email" }), "email-weekly")).toBe("frequency_caps");
    expect(ids(run({ contacts: log }))).toContain("email-weekly");
  });

  it("caps a channel: one email a day by default, and a batch of actions in one email is one contact", () => {
    const oneEmail = contacts(
      [seen("fix", "email" as never, "service" as never), seen("daily", "email" as never)],
      [3, 3],
    );
    const r = run({ contacts: oneEmail, channel: "email" });
    expect(ids(r)).toEqual(["recall"]);
    expect(r.notes).toContain("email cap reached");
    const c = tally(oneEmail, "email", NOW);
    expect(c.channel.day).toBe(1);
    expect(c.overall.day).toBe(1);
    expect(c.action.get("daily")?.day).toBe(1);
  });

  it("caps interruptive contacts overall, and per category only on interruptive channels", () => {
    const three = contacts(
      [seen("a", "app" as never), seen("b", "app" as never), seen("c", "in_vehicle" as never)],
      [1, 5, 9],
    );
    expect(ids(run({ contacts: three, channel: "email" }))).toEqual(["recall"]);
    const aSale = contacts([seen("sale", "email" as never, "sales" as never)], [30]);
    const cfg = resolveConfig({ caps: { perCategory: { sales: { perWeek: 1 } } } });
    expect(heldBy(run({ contacts: aSale, channel: "app", config: cfg }), "sale")).toBe("frequency_caps");
    expect(ids(run({ contacts: aSale, channel: "app", config: cfg }))).toContain("fix");
    expect(ids(run({ contacts: aSale, config: cfg }))).toContain("sale");
  });

  it("counts the household's contacts for household-level actions only", () => {
    const spouse = contacts([seen("family"), seen("weekly"), seen("weekly")], [20, 20, 21]);
    const r = run({ householdContacts: spouse });
    expect(heldBy(r, "family")).toBe("frequency_caps");
    expect(r.suppressed.find((s) => s.id === "family")?.reason).toBe("household action cap reached");
    expect(ids(r)).toContain("weekly");
    const mine = contacts([seen("family")], [30]);
    const sharedLog = { ...mine, shown: [...mine.shown] };
    const cfg = { caps: { perWeek: 2 } };
    const twice = catalogOf(act({ id: "family", householdLevel: true, caps: cfg.caps }));
    expect(ids(run({ catalog: twice, contacts: mine, householdContacts: sharedLog }))).toEqual(["family"]);
  });

  it("caps a safety recall only by its own caps — by default once a day in the car, once a week by email — never by marketing's", () => {
    // Marketing's budget is spent (channel, category and overall caps): the recall still goes out.
    const spent = contacts(
      [seen("a", "email" as never, "sales" as never), seen("b", "app" as never), seen("c", "in_vehicle" as never)],
      [1, 2, 3],
    );
    const byEmail = run({ contacts: spent, channel: "email" });
    expect(ids(byEmail)).toEqual(["recall"]);
    expect(byEmail.notes).toContain("email cap reached");
    // But once it went out by email this week, it is not sent again (the default safety cap).
    const sent = contacts([seen("recall", "email" as never, "safety" as never)], [72]);
    expect(heldBy(run({ contacts: sent, channel: "email" }), "recall")).toBe("frequency_caps");
    expect(ids(run({ contacts: sent, channel: "service_lane" }))).toContain("recall"); // the lane is not capped
    // Read out in the car a minute ago: not again today; tomorrow again.
    const inCar = { channel: "in_vehicle" as const, context: { driveState: "parked", secondsSinceIgnition: 900 } };
    const aMinuteAgo = contacts([seen("recall", "in_vehicle" as never, "safety" as never)], [1 / 60]);
    expect(heldBy(run({ contacts: aMinuteAgo, ...inCar }), "recall")).toBe("frequency_caps");
    const yesterday = contacts([seen("recall", "in_vehicle" as never, "safety" as never)], [25]);
    expect(ids(run({ contacts: yesterday, ...inCar }))).toContain("recall");
    // A safety action with caps of its own obeys those instead.
    const own = catalogOf(act({ id: "recall", kind: "safety_recall", category: "safety", caps: { perWeek: 3 } }));
    expect(ids(run({ catalog: own, contacts: sent, channel: "email" }))).toEqual(["recall"]);
  });

  it("ignores contacts older than the month window", () => {
    const old = contacts([seen("monthly")], [24 * 40]);
    expect(tally(old, "service_lane", NOW).action.size).toBe(0);
    expect(ids(run({ contacts: { ...old, shown: [{ ...old.shown[0]!, at: NOW - 40 * DAY }] } }))).toContain("monthly");
  });
});
