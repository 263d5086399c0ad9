/** Contact logs across merges, what counts against a cap, and a page's placements decided at once (pure). */
import { describe, expect, it } from "vitest";
import {
  countsAgainstCaps,
  foldContacts,
  recordContact,
  unfoldContacts,
  type ContactLog,
} from "../../../src/domain/decide/contacts";
import { DEFAULT_CONFIG } from "../../../src/domain/decide/config";
import { decidePage } from "../../../src/domain/decide/page";
import { seededRandom } from "../../../src/domain/decide/random";
import { safeDefault } from "../../../src/domain/decide";
import { act, catalogOf, contacts, DAY, input, NOW, profile } from "./fixtures";

const seen = (actionId: string, channel = "dealer_site" as const) => ({ actionId, channel, category: "info" as const });

describe("contact logs across a merge", () => {
  const customer: ContactLog = {
    ...contacts([seen("a"), seen("b")], [5, 2]),
    dismissals: { a: { n: 1, last: NOW - 3 * DAY } },
    notInterested: { sales: { at: NOW - 10 * DAY } },
    ignoredStreak: 1,
    lastEngagedAt: NOW - 20 * DAY,
  };
  const visitor: ContactLog = {
    ...contacts([seen("capped")], [1]),
    dismissals: { a: { n: 1, last: NOW - DAY }, c: { n: 2, last: NOW - DAY } },
    notInterested: { retention: { at: NOW - DAY } },
    ignoredStreak: 4,
    lastEngagedAt: null,
  };

  it("folds the absorbed person's shown actions, dismissals, not-interested and fatigue into the survivor's", () => {
    const f = foldContacts(customer, visitor)!;
    expect(f.shown.map((s) => s.actionId)).toEqual(["a", "b", "capped"]);
    expect(f.dismissals).toEqual({ a: { n: 2, last: NOW - DAY }, c: { n: 2, last: NOW - DAY } });
    expect(Object.keys(f.notInterested).sort()).toEqual(["retention", "sales"]);
    expect(f.ignoredStreak).toBe(4);
    expect(f.lastEngagedAt).toBe(NOW - 20 * DAY);
    expect(foldContacts(null, visitor)).toBe(visitor);
    expect(foldContacts(customer, null)).toBe(customer);
  });

  it("gives them back on unmerge, keeping what happened to the survivor since", () => {
    const merged = recordContact(foldContacts(customer, visitor), [seen("later")], NOW);
    const back = unfoldContacts(merged, visitor)!;
    expect(back.shown.map((s) => s.actionId)).toEqual(["a", "b", "later"]);
    expect(back.dismissals).toEqual({ a: { n: 1, last: NOW - DAY } });
    expect(Object.keys(back.notInterested)).toEqual(["sales"]);
  });
});

describe("what counts against a cap", () => {
  const cat = catalogOf(
    act({ id: "capped", caps: { perDay: 1 } }),
    act({ id: "free" }),
    act({ id: "recall", kind: "safety_recall", category: "safety", caps: { perDay: 1 } }),
  );
  const cfg = { ...DEFAULT_CONFIG, caps: { ...DEFAULT_CONFIG.caps, perChannel: {} } };
  it("an action with caps of its own, anything on a channel with caps, anything that reaches out", () => {
    expect(countsAgainstCaps([{ id: "capped", category: "info" }], "service_lane", cat, cfg)).toBe(true);
    expect(countsAgainstCaps([{ id: "free", category: "info" }], "service_lane", cat, cfg)).toBe(false);
    expect(countsAgainstCaps([{ id: "recall", category: "safety" }], "service_lane", cat, cfg)).toBe(false);
    expect(countsAgainstCaps([{ id: "free", category: "info" }], "email", cat, cfg)).toBe(true);
    expect(countsAgainstCaps([{ id: "free", category: "info" }], "dealer_site", cat, DEFAULT_CONFIG)).toBe(true);
    expect(countsAgainstCaps([], "email", cat, cfg)).toBe(false);
  });

  it("the degraded default never uses up an action's own cap: it cannot be counted", () => {
    const picks = safeDefault(cat, "dealer_site", { placement: "hero" }, NOW, 10).actions.map((a) => a.id);
    expect(picks).toContain("free");
    expect(picks).not.toContain("capped");
  });
});

describe("a page's placements, decided at once", () => {
  const cat = catalogOf(
    act({ id: "capped", value: 900, caps: { perDay: 1 } }),
    act({ id: "second", value: 500 }),
    act({ id: "third", value: 100, category: "service", kind: "service_reminder" }),
  );
  const base = input({ catalog: cat, profile: profile(), channel: "service_lane", placement: "x", limit: 1 });

  it("gives each placement its own actions, the capped one at most once, and records one contact", () => {
    const { placed, contacts: log } = decidePage(base, ["hero", "sidebar", "footer"], (i) => seededRandom(`p/${i}`));
    const all = placed.flatMap((p) => p.result.actions.map((a) => a.id));
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((id) => id === "capped")).toHaveLength(1);
    expect(placed.map((p) => p.placement)).toEqual(["hero", "sidebar", "footer"]);
    expect(log!.shown.map((s) => s.actionId).sort()).toEqual([...all].sort());
    expect(new Set(log!.shown.map((s) => s.at))).toEqual(new Set([NOW]));
  });

  it("shows the capped action on no placement once it was shown today", () => {
    const shown = contacts([{ actionId: "capped", channel: "service_lane", category: "info" }], [2]);
    const { placed } = decidePage({ ...base, contacts: shown }, ["hero", "sidebar"], (i) => seededRandom(`q/${i}`));
    expect(placed.flatMap((p) => p.result.actions.map((a) => a.id))).not.toContain("capped");
  });
});
