/** Shared bench fixtures: a generated 200-action catalogue and realistic people (engine and cold-start benches). */
import type { ActionInput } from "../src/domain/decide/action";
import type { CompiledCatalog } from "../src/domain/decide/catalog";
import type { DecisionInput } from "../src/domain/decide/types";
import { DEMO_CATALOG } from "../src/domain/decide/demo-catalog";
import { seededRandom } from "../src/domain/decide/random";
import type { HouseholdDoc, Profile } from "../src/domain/profile/types";

export const DAY = 86_400_000;
export const NOW = Date.UTC(2026, 10, 10, 18, 0, 0);
const dateIn = (d: number) => new Date(NOW + d * DAY).toISOString().slice(0, 10);
const MODELS = ["Rogue", "Ariya", "Leaf", "Pathfinder", "Frontier", "Altima", "Kicks", "Sentra", "Murano", "Titan"];
const STAGES = [["owner"], ["owner", "lapsed"], ["shopper", "prospect"], ["owner", "shopper"]];

/** 200 variants of the demo actions: per-model, per-stage and per-season versions with richer rules. */
export function catalogue200(): ActionInput[] {
  const r = seededRandom("catalogue");
  const out: ActionInput[] = [];
  for (let i = 0; out.length < 200; i++) {
    const base = DEMO_CATALOG[i % DEMO_CATALOG.length]!;
    const model = MODELS[i % MODELS.length]!;
    const extra: unknown[] = [
      { "==": [{ var: "vehicle.model" }, model] },
      { in: [{ var: "gates.stage" }, STAGES[i % STAGES.length]!] },
      { ">=": [{ var: "vehicle.year" }, 2016 + (i % 8)] },
      { "<=": [{ var: "gates.serviceDueInDays" }, 10 + (i % 50)] },
      { "!": { var: "gates.openComplaint" } },
      { some: [{ var: "vehicles" }, { "==": [{ var: "powertrain" }, ["ice", "ev", "hybrid"][i % 3]] }] },
    ].filter(() => r() < 0.45);
    const rule =
      base.rule && extra.length
        ? { and: [base.rule, ...extra] }
        : (base.rule ?? (extra.length ? { and: extra } : null));
    out.push({
      ...base,
      id: `${base.id}-${i}`,
      rule: rule as ActionInput["rule"],
      value: Math.round((base.value as number) * (0.5 + r())),
      ...(i % 17 === 0 ? { dealerId: i % 34 === 0 ? "dlr_sf" : "dlr_la" } : {}),
      ...(i % 11 === 0 ? { dealerOverrides: { dlr_sf: { lever: 1.5 } } } : {}),
    });
  }
  return out;
}

/** Every gate open at once (lease ending, loan payoff, equity, brakes due, recall, update, a build, an off-brand car). */
export const stressOwner: Profile = {
  v: 1,
  stage: "owner",
  firstAt: NOW - 1900 * DAY,
  lastAt: NOW - 2 * DAY,
  lastKey: "x",
  events: 180,
  dealerId: "dlr_sf",
  interest: {
    pageViews: 40,
    models: [{ model: "Ariya", powertrain: "ev", at: NOW - 12 * DAY }],
    powertrains: { ev: 2 },
    lastConfiguredAt: NOW - 12 * DAY,
    quotes: 1,
    lastQuoteAt: NOW - 11 * DAY,
    testDrives: 0,
    lastTestDriveAt: null,
  },
  vehicles: [
    {
      vin: "5N1AT2MVXLC807279",
      make: "Nissan",
      model: "Rogue",
      year: 2021,
      powertrain: "ice",
      onBrand: true,
      relation: "financed",
      since: NOW - 1700 * DAY,
      loan: { amount: 24000, termMonths: 60, end: dateIn(140), start: NOW - 1686 * DAY },
      appraisal: { value: 14500, at: NOW - 20 * DAY },
      odometer: 61000,
      nextService: { kind: "brake_service", due: dateIn(20), cost: 640 },
      openRecalls: ["24V123"],
      lastServiceAt: NOW - 150 * DAY,
      serviceVisits: 7,
    },
    {
      vin: "1N4AZ0CP6GC304290",
      make: "Nissan",
      model: "Leaf",
      year: 2022,
      powertrain: "ev",
      onBrand: true,
      relation: "leased",
      since: NOW - 900 * DAY,
      leaseEnd: dateIn(151),
      warrantyEnd: dateIn(400),
      openRecalls: [],
      serviceVisits: 2,
      updateAvailable: { version: "2.5.0", critical: false },
    },
    {
      vin: "4T1BF1FK5CU123456",
      make: "Toyota",
      model: "Camry",
      year: 2012,
      powertrain: "ice",
      onBrand: false,
      relation: "serviced",
      since: NOW - 600 * DAY,
      odometer: 150000,
      nextService: { kind: "tires", mileage: 150500 },
      openRecalls: [],
      serviceVisits: 3,
    },
  ],
  loanPayoffInquiryAt: NOW - 10 * DAY,
  lastPurchaseAt: NOW - 900 * DAY,
  voice: { lastScore: 8, lastSurveyAt: NOW - 90 * DAY, verbatims: 2, openComplaints: [], lastComplaintAt: null },
  advocacy: { referrals: 1, converted: 0 },
  social: { mentions: 0, positive: 0, neutral: 0, negative: 0, lastAt: null },
  consent: {
    marketing: { email: true, push: true, in_vehicle: true, web: true },
    profilingObjection: false,
    drivingDataConsent: false,
    locationDataConsent: false,
    quietHours: { start: "22:00", end: "07:00" },
    preferredDealerId: "dlr_sf",
    preferredChannel: "email",
    timeZone: "America/Los_Angeles",
    notInterested: [],
    updatedAt: NOW - 300 * DAY,
  },
};
/** A typical owner: a financed Rogue with an oil change coming up, a recent loan payoff inquiry, and a spouse's Leaf. */
export const owner: Profile = {
  ...stressOwner,
  interest: { ...stressOwner.interest, models: [], lastConfiguredAt: null, quotes: 0, lastQuoteAt: null },
  vehicles: [
    {
      ...stressOwner.vehicles[0]!,
      appraisal: undefined,
      openRecalls: [],
      nextService: { kind: "oil_change", due: dateIn(12), cost: 89 },
    },
  ],
};
export const household: HouseholdDoc = {
  members: ["per_dan", "per_eva"],
  vehicles: [
    {
      vin: "5N1AT2MVXLC807279",
      make: "Nissan",
      model: "Rogue",
      year: 2021,
      powertrain: "ice",
      onBrand: true,
      personId: "per_dan",
    },
    {
      vin: "1N4AZ1CP8KC301122",
      make: "Nissan",
      model: "Leaf",
      year: 2019,
      powertrain: "ev",
      onBrand: true,
      personId: "per_eva",
    },
  ],
  openComplaints: 0,
};

/** The typical owner on the dealer-site widget, with no learner statistics or contacts yet (a cold isolate). */
export function typicalInput(catalog: CompiledCatalog): DecisionInput {
  return {
    now: NOW,
    rng: seededRandom("cold"),
    channel: "dealer_site",
    placement: "widget",
    limit: 3,
    dealer: { id: "dlr_sf", timeZone: "America/Los_Angeles", name: "Bay Nissan" },
    keyKind: "server",
    showSuppressed: false,
    gpc: false,
    context: { page: "/owners" },
    profile: owner,
    household,
    contacts: null,
    householdContacts: null,
    catalog,
    stats: new Map(),
  };
}

/** A catalogue of `n` actions: the first `n` of the generated variants, repeated past 200 with new ids. */
export function catalogueOf(n: number): ActionInput[] {
  const base = catalogue200();
  return Array.from({ length: n }, (_, i) => ({
    ...base[i % base.length]!,
    id: `${base[i % base.length]!.id}-v${Math.floor(i / base.length)}`,
  }));
}
