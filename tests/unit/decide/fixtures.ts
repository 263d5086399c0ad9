/** Realistic people, households and contact logs for the engine tests; `NOW` is 10:00 in Los Angeles. */
import { compileCatalog } from "../../../src/domain/decide/catalog";
import type { ActionInput } from "../../../src/domain/decide/action";
import type { ContactLog, ShownContact } from "../../../src/domain/decide/contacts";
import { DEMO_CATALOG, DEMO_CATALOG_VERSION } from "../../../src/domain/decide/demo-catalog";
import { seededRandom } from "../../../src/domain/decide/random";
import type { DecisionInput } from "../../../src/domain/decide/types";
import type { HouseholdDoc, Profile, VehicleFacts } from "../../../src/domain/profile/types";

export const DAY = 86_400_000;
/** Tuesday 10 November 2026, 18:00 UTC = 10:00 in Los Angeles. */
export const NOW = Date.UTC(2026, 10, 10, 18, 0, 0);
export const LA = "America/Los_Angeles";
export const dateIn = (days: number) => new Date(NOW + days * DAY).toISOString().slice(0, 10);

export const DEMO = compileCatalog(DEMO_CATALOG, DEMO_CATALOG_VERSION);

export function vehicle(v: Partial<VehicleFacts> = {}): VehicleFacts {
  return {
    vin: "1N4AZ0CP6GC304290",
    make: "Nissan",
    model: "Ariya",
    year: 2024,
    powertrain: "ev",
    onBrand: true,
    relation: "owned",
    since: NOW - 400 * DAY,
    openRecalls: [],
    serviceVisits: 2,
    lastServiceAt: NOW - 120 * DAY,
    ...v,
  };
}

export function profile(p: Partial<Profile> = {}): Profile {
  return {
    v: 1,
    stage: "owner",
    firstAt: NOW - 900 * DAY,
    lastAt: NOW - 5 * DAY,
    lastKey: `${NOW - 5 * DAY}|evt_1`,
    events: 42,
    dealerId: "dlr_sf",
    interest: {
      pageViews: 12,
      models: [],
      powertrains: {},
      lastConfiguredAt: null,
      quotes: 0,
      lastQuoteAt: null,
      testDrives: 0,
      lastTestDriveAt: null,
    },
    vehicles: [vehicle()],
    loanPayoffInquiryAt: null,
    lastPurchaseAt: NOW - 400 * DAY,
    voice: { lastScore: 9, lastSurveyAt: NOW - 200 * DAY, verbatims: 1, openComplaints: [], lastComplaintAt: null },
    advocacy: { referrals: 0, converted: 0 },
    social: { mentions: 0, positive: 0, neutral: 0, negative: 0, lastAt: null },
    consent: {
      marketing: { email: true, push: true, in_vehicle: true, web: true },
      profilingObjection: false,
      drivingDataConsent: false,
      locationDataConsent: false,
      quietHours: null,
      preferredDealerId: "dlr_sf",
      preferredChannel: "email",
      timeZone: LA,
      notInterested: [],
      updatedAt: NOW - 300 * DAY,
    },
    ...p,
  };
}

/** Maya: leases an Ariya (EV only) whose lease ends in 5 months. */
export const evLessee = () =>
  profile({
    vehicles: [
      vehicle({ relation: "leased", leaseEnd: dateIn(151), warrantyEnd: dateIn(700), since: NOW - 944 * DAY }),
    ],
    lastPurchaseAt: NOW - 944 * DAY,
  });

/** Dan: finances a petrol Rogue, asked the finance call centre about paying it off 10 days ago; oil change due. */
export const rogueOwner = () =>
  profile({
    vehicles: [
      vehicle({
        vin: "5N1AT2MVXLC807279",
        model: "Rogue",
        year: 2021,
        powertrain: "ice",
        relation: "financed",
        since: NOW - 1700 * DAY,
        loan: { amount: 24000, termMonths: 60, end: dateIn(140), start: NOW - 1686 * DAY },
        appraisal: { value: 14500, at: NOW - 20 * DAY },
        odometer: 61000,
        nextService: { kind: "oil_change", due: dateIn(10), cost: 89 },
      }),
    ],
    loanPayoffInquiryAt: NOW - 10 * DAY,
    lastPurchaseAt: NOW - 1700 * DAY,
  });

/** A shopper who built an Ariya three days ago and owns nothing of the brand. */
export const shopper = () =>
  profile({
    stage: "shopper",
    vehicles: [],
    lastPurchaseAt: null,
    interest: {
      pageViews: 30,
      models: [{ model: "Ariya", trim: "Evolve+", powertrain: "ev", price: 47190, at: NOW - 3 * DAY }],
      powertrains: { ev: 3 },
      lastConfiguredAt: NOW - 3 * DAY,
      quotes: 1,
      lastQuoteAt: NOW - 2 * DAY,
      testDrives: 0,
      lastTestDriveAt: null,
    },
  });

/** A service-only customer: a Toyota Camry the dealer services, oil change due. */
export const offBrandOnly = () =>
  profile({
    stage: "prospect",
    lastPurchaseAt: null,
    vehicles: [
      vehicle({
        make: "Toyota",
        model: "Camry",
        powertrain: "ice",
        onBrand: false,
        relation: "serviced",
        odometer: 88000,
        nextService: { kind: "oil_change", mileage: 88500 },
      }),
    ],
  });

/** A household of two: Dan and his spouse, who has an open complaint; her Leaf and his Rogue. */
export const household = (openComplaints = 1): HouseholdDoc => ({
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
  openComplaints,
});

export function contacts(
  shown: Omit<ShownContact, "at">[] = [],
  agesInHours: number[] = [],
  extra: Partial<ContactLog> = {},
): ContactLog {
  return {
    shown: shown.map((s, i) => ({ ...s, at: NOW - (agesInHours[i] ?? 1) * 3_600_000 })),
    dismissals: {},
    notInterested: {},
    ignoredStreak: 0,
    lastEngagedAt: null,
    ...extra,
  };
}

/** A decision input with sensible defaults: a server key on the dealer site widget, no contacts, no stats. */
export function input(over: Partial<DecisionInput> = {}): DecisionInput {
  return {
    now: NOW,
    rng: seededRandom("test"),
    channel: "dealer_site",
    placement: "widget",
    limit: 3,
    dealer: { id: "dlr_sf", timeZone: LA, name: "Bay Nissan" },
    keyKind: "server",
    showSuppressed: true,
    showSensitive: true,
    gpc: false,
    context: {},
    profile: null,
    household: null,
    contacts: null,
    householdContacts: null,
    catalog: DEMO,
    stats: new Map(),
    ...over,
  };
}

const ALL_CHANNELS = {
  web_configurator: { title: "T", body: "B", cta: "Go" },
  dealer_site: { title: "T", body: "B", cta: "Go" },
  app: { title: "T", body: "B", cta: "Go" },
  service_lane: { title: "T", body: "B", cta: "Go" },
  in_vehicle: { text: "Short and safe to read aloud.", buttons: ["OK"] },
  email: { subject: "S", body: "B" },
};

/** A minimal action on every channel, always eligible unless a rule is given. */
export const act = (a: Partial<ActionInput> & Pick<ActionInput, "id">): ActionInput => ({
  kind: "content",
  category: "info",
  value: 100,
  intrusiveness: "low",
  channels: ALL_CHANNELS,
  ...a,
});

export const catalogOf = (...actions: ActionInput[]) => compileCatalog(actions, "test");

export const ids = (r: { actions: { id: string }[] }) => r.actions.map((a) => a.id);
export const heldBy = (r: { suppressed: { id: string; guardrail: string }[] }, id: string) =>
  r.suppressed.find((s) => s.id === id)?.guardrail;
