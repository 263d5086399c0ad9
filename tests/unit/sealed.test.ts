/** Sealed decision ids and visitor tokens (Web Crypto, the same on Workers and Node). */
import { describe, expect, it } from "vitest";
import { openDecision, sealDecision, type DecisionClaim } from "../../src/services/decision-ids";
import { issueVisitor, tokenVisitor, visitorOf } from "../../src/services/visitors";

const claim: DecisionClaim = {
  v: 1,
  n: "nonce",
  at: 1_800_000_000_000,
  p: "prs_4bQm2kT9xYz01AbCdEfG",
  k: "key_4bQm2kT9xYz01AbCdEfG",
  d: null,
  s: null,
  c: "dealer_site",
  g: "owner",
  pl: ["hero", "sidebar"],
  a: [
    ["lease-renewal", "sales", 0],
    ["welcome-content", "info", 1],
  ],
};

describe("sealed decision ids", () => {
  it("open with the tenant's secret to exactly what was sealed, and reveal nothing to their holder", async () => {
    const id = await sealDecision("secret-a", "tnt_a", claim);
    expect(id).toMatch(/^dec_[A-Za-z0-9_-]+$/);
    expect(id.length).toBeLessThan(400);
    expect(id).not.toContain("prs_");
    expect(
      atob(id.slice(4).replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - ((id.length - 4) % 4)) % 4)),
    ).not.toContain("lease");
    expect(await openDecision("secret-a", "tnt_a", id)).toEqual(claim);
  });

  it("do not open under another tenant, another secret, or after any change", async () => {
    const id = await sealDecision("secret-a", "tnt_a", claim);
    expect(await openDecision("secret-a", "tnt_b", id)).toBeNull();
    expect(await openDecision("secret-b", "tnt_a", id)).toBeNull();
    const flipped = id.slice(0, 20) + (id[20] === "A" ? "B" : "A") + id.slice(21);
    expect(await openDecision("secret-a", "tnt_a", flipped)).toBeNull();
    expect(await openDecision("secret-a", "tnt_a", "dec_4bQm2kT9xYz01AbCdEfG")).toBeNull();
  });
});

describe("visitor tokens", () => {
  it("name their visitor for the key they were issued to, under the tenant's secret only", async () => {
    const { visitorId, visitorToken } = await issueVisitor("s", "tnt_a", "key_aaaaaaaaaaaaaaaaaaaa");
    expect(tokenVisitor(visitorToken)).toBe(visitorId);
    expect(await visitorOf("s", "tnt_a", visitorToken, "key_aaaaaaaaaaaaaaaaaaaa")).toBe(visitorId);
    expect(await visitorOf("s", "tnt_a", visitorToken, null)).toBe(visitorId);
    expect(await visitorOf("s", "tnt_a", visitorToken, "key_bbbbbbbbbbbbbbbbbbbb")).toBeNull();
    expect(await visitorOf("s", "tnt_b", visitorToken, null)).toBeNull();
    expect(await visitorOf("t", "tnt_a", visitorToken, null)).toBeNull();
    const forged = visitorToken.replace(visitorId, "v_aaaaaaaaaaaaaaaaaaaa");
    expect(await visitorOf("s", "tnt_a", forged, null)).toBeNull();
  });
});
