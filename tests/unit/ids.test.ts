import { describe, expect, it } from "vitest";
import { newId, newSortableId } from "../../src/lib/crypto";

describe("newSortableId", () => {
  it("sorts by the time it was made, whatever its random part", () => {
    const times = [0, 1, 61, 62, 3_843, 1_700_000_000_000, 1_764_000_000_000, 1_764_000_000_001, 62 ** 8 - 1];
    const ids = times.map((t) => newSortableId("prs", t));
    expect([...ids].sort()).toEqual(ids);
    // Within one millisecond, ids differ (71 random bits) but share their time prefix.
    const same = Array.from({ length: 1_000 }, () => newSortableId("prs", 1_764_000_000_000));
    expect(new Set(same).size).toBe(1_000);
    expect(new Set(same.map((id) => id.slice(0, 12))).size).toBe(1);
  });

  it("has the shape of newId: prefix, underscore, 20 base62 characters", () => {
    const shape = /^prs_[0-9A-Za-z]{20}$/;
    expect(newId("prs")).toMatch(shape);
    expect(newSortableId("prs", Date.now())).toMatch(shape);
  });
});
