/**
 * A warm-up for a fresh Workers isolate, run in the Worker's global scope (startup, not a request's CPU budget):
 * the engine's functions, the request schema and the rule compiler are compiled by V8 before the first request
 * needs them. Pure: no I/O, no clock, no CSPRNG (none of which global scope allows). Issue 11: a cold isolate's
 * first decision must fit Workers' 10 ms of CPU.
 */
import { compileCatalog, VALIDATOR_VERSION } from "./domain/decide/catalog";
import { DEMO_CATALOG } from "./domain/decide/demo-catalog";
import { estimatePropensities } from "./domain/decide/learner";
import { decidePage } from "./domain/decide/page";
import { seededRandom } from "./domain/decide/random";
import { checkAction } from "./domain/decide/validate-action";
import type { DecisionInput } from "./domain/decide/types";
import type { Profile } from "./domain/profile/types";
import { DecideRequestSchema } from "./routes/decide";

const NOW = Date.UTC(2026, 0, 15, 18);
const DAY = 86_400_000;

/** A financed owner with service due and a lease ending: most gates and guardrails run. */
const OWNER: Profile = {
  v: 1,
  stage: "owner",
  firstAt: NOW - 900 * DAY,
  lastAt: NOW - 2 * DAY,
  lastKey: "warm",
  events: 12,
  dealerId: "dlr_warm",
  interest: {
    pageViews: 4,
    models: [{ model: "Ariya", powertrain: "ev", at: NOW - 12 * DAY }],
    powertrains: { ev: 1 },
    lastConfiguredAt: NOW - 12 * DAY,
    quotes: 0,
    lastQuoteAt: null,
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
      relation: "leased",
      since: NOW - 800 * DAY,
      leaseEnd: new Date(NOW + 150 * DAY).toISOString().slice(0, 10),
      odometer: 41000,
      nextService: { kind: "oil_change", due: new Date(NOW + 12 * DAY).toISOString().slice(0, 10), cost: 89 },
      openRecalls: [],
      serviceVisits: 3,
    },
  ],
  lastPurchaseAt: NOW - 800 * DAY,
  loanPayoffInquiryAt: null,
  voice: { lastScore: 9, lastSurveyAt: NOW - 90 * DAY, verbatims: 1, openComplaints: [], lastComplaintAt: null },
  advocacy: { referrals: 0, converted: 0 },
  social: { mentions: 0, positive: 0, neutral: 0, negative: 0, lastAt: null },
  consent: {
    marketing: { email: true, push: true, in_vehicle: true, web: true },
    profilingObjection: false,
    drivingDataConsent: false,
    locationDataConsent: false,
    quietHours: { start: "22:00", end: "07:00" },
    preferredDealerId: "dlr_warm",
    preferredChannel: "email",
    timeZone: "America/Chicago",
    notInterested: [],
    updatedAt: NOW - 300 * DAY,
  },
};

/** Runs the decision path's pure parts a few times. Never throws (a warm-up must not break start-up). */
export function warmUp(): void {
  try {
    DecideRequestSchema.safeParse({ subject: { customerId: "C-1" }, channel: "dealer_site", placement: "hero" });
    // As the store gives a catalogue (JSON, checked at upsert: the path a first request takes), and unchecked.
    const stored = JSON.parse(JSON.stringify(DEMO_CATALOG.map((a) => checkAction(a).action)));
    const catalog = compileCatalog(
      stored,
      "warm",
      stored.map(() => VALIDATOR_VERSION),
    );
    compileCatalog(DEMO_CATALOG, "warm");
    for (const channel of ["dealer_site", "email", "in_vehicle", "web_configurator"] as const) {
      const input: DecisionInput = {
        now: NOW,
        rng: seededRandom(`warm/${channel}`),
        channel,
        placement: "hero",
        limit: 3,
        dealer: { id: "dlr_warm", timeZone: "America/Chicago", name: "Warm Nissan" },
        keyKind: "server",
        showSuppressed: true,
        showSensitive: true,
        gpc: false,
        context: { page: "/owners" },
        profile: OWNER,
        household: null,
        contacts: null,
        householdContacts: null,
        catalog,
        stats: new Map(),
      };
      const page = decidePage(input, ["hero", "side"], (i) => seededRandom(`warm/${channel}/${i}`));
      for (const p of page.placed) estimatePropensities(p.result.candidates, seededRandom("warm/p"), 20);
      JSON.stringify(page.placed);
    }
  } catch {
    // a warm-up is an optimisation only
  }
}
