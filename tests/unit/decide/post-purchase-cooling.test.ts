import { describe, expect, it } from "vitest";
import { decide } from "../../../src/domain/decide";
import { resolveConfig } from "../../../src/domain/decide/config";
import { act, catalogOf, DAY, heldBy, ids, input, NOW, profile } from "./fixtures";

const cat = catalogOf(
  act({ id: "upgrade", kind: "offer", category: "sales", newVehicleSales: true }),
  act({ id: "accessories", kind: "offer", category: "sales" }),
  act({ id: "welcome", kind: "content", category: "info" }),
);
const run = (daysAgo: number, over = {}) =>
  decide(
    input({
      profile: profile({ lastPurchaseAt: NOW - daysAgo * DAY }),
      catalog: cat,
      channel: "email",
      limit: 5,
      ...over,
    }),
  );

describe("post-purchase cooling guardrail", () => {
  it("holds new-vehicle sales back for 90 days after a purchase", () => {
    const r = run(20);
    expect(ids(r).sort()).toEqual(["accessories", "welcome"]);
    expect(r.suppressed.find((s) => s.id === "upgrade")).toEqual({
      id: "upgrade",
      guardrail: "post_purchase_cooling",
      reason: "purchased 20 days ago: 90-day cooling",
    });
  });

  it("lets them through from day 90, and the period is configurable", () => {
    expect(ids(run(90))).toContain("upgrade");
    expect(heldBy(run(100, { config: resolveConfig({ coolingDays: 120 }) }), "upgrade")).toBe("post_purchase_cooling");
  });

  it("does nothing for someone who never bought", () => {
    expect(
      ids(decide(input({ profile: profile({ lastPurchaseAt: null }), catalog: cat, channel: "email", limit: 5 }))),
    ).toContain("upgrade");
  });
});
