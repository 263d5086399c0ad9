/**
 * A brand's own settings (tenants.settings): its marketing-consent default and its holdout group. Pure: no I/O.
 *
 * Marketing consent: where opt-in applies, a person with no recorded consent for a channel gets no marketing on it
 * (an explicit opt-out always blocks, everywhere). Which rule applies follows the country of the person when known
 * (set with their preferences), else the country of the dealer the decision is for; a country listed in
 * `optInCountries` or `optOutCountries` takes that rule, any other the brand's `default`.
 */
import { z } from "zod";
import { DEFAULT_CONFIG, type DecideConfig } from "./decide/config";

/** ISO 3166-1 alpha-2. */
export const CountryCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 country code such as DE")
  .transform((c) => c.toUpperCase())
  .meta({ pattern: "^[A-Za-z]{2}$", example: "DE" });

/** The EU member states and the other EEA countries (Iceland, Liechtenstein, Norway), where GDPR and the ePrivacy rules ask for prior opt-in. */
export const EU_EEA: readonly string[] = Object.freeze([
  "AT",
  "BE",
  "BG",
  "HR",
  "CY",
  "CZ",
  "DK",
  "EE",
  "FI",
  "FR",
  "DE",
  "GR",
  "HU",
  "IE",
  "IT",
  "LV",
  "LT",
  "LU",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SK",
  "SI",
  "ES",
  "SE",
  "IS",
  "LI",
  "NO",
]);

export const MarketingConsentSchema = z
  .object({
    default: z.enum(["opt-in", "opt-out"]).meta({
      description: "opt-in: marketing needs a recorded opt-in per channel; opt-out: only an opt-out blocks it",
    }),
    optInCountries: z.array(CountryCode).max(250).default([]).meta({ description: "Countries where opt-in applies" }),
    optOutCountries: z
      .array(CountryCode)
      .max(250)
      .default([])
      .meta({ description: "Countries where opt-out applies (when the default is opt-in)" }),
  })
  .strict()
  .refine((m) => !m.optInCountries.some((c) => m.optOutCountries.includes(c)), {
    message: "a country cannot be in both optInCountries and optOutCountries",
    path: ["optOutCountries"],
  })
  .meta({ id: "MarketingConsentPolicy" });
export type MarketingConsent = z.output<typeof MarketingConsentSchema>;

export const HoldoutSchema = z
  .object({
    share: z.number().min(0).max(0.5).meta({
      description:
        "Share of households (a person without one counts alone) held out of marketing to measure its lift; 0 = none",
    }),
  })
  .strict()
  .meta({ id: "HoldoutPolicy" });

export const TenantSettingsSchema = z
  .object({ marketingConsent: MarketingConsentSchema.optional(), holdout: HoldoutSchema.optional() })
  .strict()
  .meta({ id: "TenantSettings" });
export type TenantSettings = z.output<typeof TenantSettingsSchema>;

/** A brand with no settings: opt-out everywhere (only an explicit opt-out blocks marketing). */
export const DEFAULT_MARKETING_CONSENT: MarketingConsent = Object.freeze({
  default: "opt-out",
  optInCountries: [],
  optOutCountries: [],
}) as MarketingConsent;

/**
 * Whether marketing needs a recorded opt-in for this decision: the person's country if known, else the dealer's.
 * marketingRequiresOptIn({default: "opt-out", optInCountries: ["DE"], optOutCountries: []}, null, "DE") === true.
 */
export function marketingRequiresOptIn(
  policy: MarketingConsent | undefined,
  personCountry: string | null | undefined,
  dealerCountry: string | null | undefined,
): boolean {
  const p = policy ?? DEFAULT_MARKETING_CONSENT;
  const country = (personCountry || dealerCountry || "").toUpperCase();
  if (country && p.optInCountries.includes(country)) return true;
  if (country && p.optOutCountries.includes(country)) return false;
  return p.default === "opt-in";
}

const OPT_IN_CONFIG: Readonly<DecideConfig> = Object.freeze({ ...DEFAULT_CONFIG, marketingRequiresOptIn: true });
const OPT_OUT_CONFIG: Readonly<DecideConfig> = Object.freeze({ ...DEFAULT_CONFIG, marketingRequiresOptIn: false });

/**
 * The engine config of one decision under the brand's settings: `marketingRequiresOptIn` per the person's country
 * (else the dealer's). Built once per process, so a decision allocates nothing for it.
 */
export function decideConfigFor(
  settings: TenantSettings,
  personCountry: string | null | undefined,
  dealerCountry: string | null | undefined,
): Readonly<DecideConfig> {
  return marketingRequiresOptIn(settings.marketingConsent, personCountry, dealerCountry)
    ? OPT_IN_CONFIG
    : OPT_OUT_CONFIG;
}

/**
 * Settings as stored, read without throwing (a decision must not fail on them). An unreadable document fails closed:
 * opt-in everywhere, so no marketing goes out without a recorded opt-in until the settings are fixed.
 */
export function readTenantSettings(raw: unknown): TenantSettings {
  const r = TenantSettingsSchema.safeParse(typeof raw === "string" ? safeJson(raw) : (raw ?? {}));
  return r.success ? r.data : { marketingConsent: { default: "opt-in", optInCountries: [], optOutCountries: [] } };
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}
