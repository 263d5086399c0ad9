import { describe, expect, it } from "vitest";
import { decide } from "../../src/domain/decide";
import {
  decideConfigFor,
  EU_EEA,
  marketingRequiresOptIn,
  readTenantSettings,
  TenantSettingsSchema,
} from "../../src/domain/tenant-settings";
import { act, catalogOf, heldBy, ids, input, profile } from "./decide/fixtures";

const demo = { default: "opt-out" as const, optInCountries: [...EU_EEA], optOutCountries: [] };

describe("a brand's marketing-consent default", () => {
  it("follows the person's country when known, else the dealer's, else the brand default", () => {
    expect(marketingRequiresOptIn(demo, "DE", "US")).toBe(true); // the person's country wins
    expect(marketingRequiresOptIn(demo, "US", "DE")).toBe(false);
    expect(marketingRequiresOptIn(demo, null, "FR")).toBe(true); // else the dealer's
    expect(marketingRequiresOptIn(demo, null, "US")).toBe(false);
    expect(marketingRequiresOptIn(demo, null, null)).toBe(false); // else the default
    expect(marketingRequiresOptIn(demo, "no", null)).toBe(true); // Norway: EEA, case-insensitive
    const optInBrand = { default: "opt-in" as const, optInCountries: [], optOutCountries: ["US"] };
    expect(marketingRequiresOptIn(optInBrand, null, null)).toBe(true);
    expect(marketingRequiresOptIn(optInBrand, "US", null)).toBe(false);
    expect(marketingRequiresOptIn(undefined, "DE", "DE")).toBe(false); // a brand with no settings: opt-out
    expect(EU_EEA).toHaveLength(30);
  });

  it("validates settings: ISO country codes, not in both lists", () => {
    expect(TenantSettingsSchema.safeParse({ marketingConsent: { default: "opt-in" } }).success).toBe(true);
    expect(TenantSettingsSchema.safeParse({ marketingConsent: { default: "maybe" } }).success).toBe(false);
    expect(
      TenantSettingsSchema.safeParse({ marketingConsent: { default: "opt-in", optInCountries: ["Germany"] } }).success,
    ).toBe(false);
    expect(
      TenantSettingsSchema.safeParse({
        marketingConsent: { default: "opt-in", optInCountries: ["DE"], optOutCountries: ["de"] },
      }).success,
    ).toBe(false);
  });

  it("an unreadable settings document fails closed: opt-in everywhere", () => {
    expect(readTenantSettings("{not json").marketingConsent?.default).toBe("opt-in");
    expect(readTenantSettings({ marketingConsent: { default: 3 } }).marketingConsent?.default).toBe("opt-in");
    expect(readTenantSettings("{}")).toEqual({});
    expect(readTenantSettings(null)).toEqual({});
  });

  it("plumbs into the engine: a person with no recorded consent gets no marketing where opt-in applies", () => {
    const cat = catalogOf(
      act({ id: "offer", kind: "offer", category: "sales" }),
      act({ id: "recall", kind: "safety_recall", category: "safety" }),
    );
    const never = profile({ consent: { ...profile().consent, marketing: {} } });
    const settings = { marketingConsent: demo };
    const run = (personCountry: string | null, dealerCountry: string | null) =>
      decide(
        input({
          profile: never,
          catalog: cat,
          channel: "email",
          placement: "inbox",
          config: decideConfigFor(settings, personCountry, dealerCountry),
        }),
      );
    const eu = run(null, "DE");
    expect(ids(eu)).toEqual(["recall"]);
    expect(heldBy(eu, "offer")).toBe("consent");
    expect(ids(run(null, "US")).sort()).toEqual(["offer", "recall"]);
    expect(ids(run("US", "DE")).sort()).toEqual(["offer", "recall"]);
    // With a recorded opt-in, marketing goes out in the EU too.
    const optedIn = profile({ consent: { ...profile().consent, marketing: { email: true } } });
    expect(
      ids(
        decide(
          input({ profile: optedIn, catalog: cat, channel: "email", config: decideConfigFor(settings, null, "DE") }),
        ),
      ),
    ).toContain("offer");
  });
});
