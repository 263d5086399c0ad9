/**
 * The demo population, sent through the same ingestion path as any client's events: shoppers, owners
 * with leases ending, an EV owner, a household with an off-brand second car and an open complaint, a loan
 * payoff inquiry. Times are relative to `now`, so the demo always shows live decision gates.
 */
import type { Principal } from "../http/context";
import { ingestEvents, type IngestContext } from "../services/ingest";
import type { Dealer } from "../store/dealers";

const DAY = 86_400_000;

/** Events of the demo population (ids are stable, so a re-run stores nothing twice). */
export function demoEvents(now: number, dealers: Dealer[]) {
  const [west, central] = dealers;
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
  const date = (daysAhead: number) => new Date(now + daysAhead * DAY).toISOString().slice(0, 10);
  let n = 0;
  const e = (
    daysAgo: number,
    type: string,
    identifiers: Record<string, string>,
    data: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => ({ id: `demo-${String(++n).padStart(3, "0")}`, type, occurredAt: at(daysAgo), identifiers, data, ...extra });
  const leaf = "1N4AZ0CP6GC304290";
  const rogue25 = "JN8BT3AB4SW412749";
  const rogue20 = "5N1AT2MVXLC807279";
  const rogue20b = "5N1AT2MT9LC784186";
  const kicks = "3N8AP6CB1SL419565";
  const volt = "1G1RB6S56HU172687";
  return [
    // Maya, a shopper: browses, configures an Ariya, asks for a quote (the quote makes her known).
    e(6, "page_view", { visitorId: "v-maya" }, { url: "https://www.nissan.example/vehicles/ariya", model: "Ariya" }),
    e(
      5,
      "configurator_build",
      { visitorId: "v-maya" },
      { model: "Ariya", trim: "Evolve+", powertrain: "ev", price: 47190, currency: "USD" },
    ),
    e(
      4,
      "quote_request",
      { visitorId: "v-maya", email: "maya.demo@example.com" },
      { model: "Ariya", trim: "Evolve+", powertrain: "ev" },
      { dealerId: west!.id },
    ),
    e(3, "test_drive_booked", { email: "maya.demo@example.com" }, { model: "Ariya" }, { dealerId: west!.id }),
    // Jordan, an anonymous visitor comparing SUVs.
    e(2, "page_view", { visitorId: "v-jordan" }, { url: "https://www.nissan.example/vehicles/rogue", model: "Rogue" }),
    e(
      1,
      "configurator_build",
      { visitorId: "v-jordan" },
      { model: "Rogue", trim: "SV", powertrain: "ice", price: 32000 },
    ),
    // Lee, a leased Rogue whose lease ends in about five months.
    e(
      900,
      "purchase",
      { customerId: "C-LEE-1001", email: "lee.demo@example.com" },
      { vin: rogue25, condition: "new", financing: "lease", dealerId: central!.id },
    ),
    e(
      900,
      "lease_started",
      { customerId: "C-LEE-1001" },
      { vin: rogue25, termMonths: 36, endDate: date(150), monthlyAmount: 349 },
    ),
    e(
      40,
      "service_visit",
      { customerId: "C-LEE-1001" },
      {
        vin: rogue25,
        dealerId: central!.id,
        odometer: 28400,
        workLines: [{ code: "OIL", description: "Oil and filter change", amount: 89 }],
        amount: 89,
      },
    ),
    e(
      30,
      "survey_response",
      { customerId: "C-LEE-1001" },
      { score: 9, verbatim: "Quick and friendly.", topic: "service" },
    ),
    // Robin, an EV owner: the demo in-car app's Leaf, a battery check due and a software update.
    e(
      1500,
      "purchase",
      { customerId: "C-ROBIN-2002", phone: "+1 619 555 0142" },
      { vin: leaf, condition: "new", financing: "cash", dealerId: west!.id },
      { householdRef: "HH-ROBIN" },
    ),
    e(
      20,
      "telemetry_snapshot",
      { vin: leaf },
      {
        vin: leaf,
        odometer: 48211,
        economy: { value: 17.2, unit: "kwh_per_100km" },
        batteryStateOfHealth: 81,
        troubleCodes: [],
        softwareVersion: "2.4.1",
      },
    ),
    e(10, "service_due", { vin: leaf }, { vin: leaf, kind: "battery_check", dueDate: date(12), estimatedCost: 0 }),
    e(8, "software_update_available", { vin: leaf }, { vin: leaf, version: "2.5.0", critical: false }),
    e(
      7,
      "preference_changed",
      { customerId: "C-ROBIN-2002" },
      { quietHours: { start: "21:00", end: "07:30" }, timeZone: "America/Los_Angeles" },
    ),
    // The Parks household: Pat owns a Kicks; Sam's Chevrolet Volt is serviced at the dealer and Sam has an open complaint.
    e(
      200,
      "purchase",
      { customerId: "C-PAT-3003" },
      { vin: kicks, condition: "new", financing: "cash", dealerId: west!.id },
      { householdRef: "HH-PARKS" },
    ),
    e(
      60,
      "service_visit",
      { customerId: "C-SAM-3004" },
      {
        vin: volt,
        dealerId: west!.id,
        odometer: 61200,
        workLines: [{ description: "Tyre rotation", amount: 60 }],
        amount: 60,
      },
      { householdRef: "HH-PARKS" },
    ),
    e(9, "complaint_opened", { customerId: "C-SAM-3004" }, { complaintId: "CMP-2291", category: "service" }),
    // Alex, a financed Rogue: appraisal, then a call about paying off the loan (a buying signal).
    e(
      1600,
      "purchase",
      { customerId: "C-ALEX-4004" },
      { vin: rogue20, condition: "new", financing: "loan", dealerId: central!.id },
    ),
    e(
      1600,
      "loan_started",
      { customerId: "C-ALEX-4004" },
      { vin: rogue20, termMonths: 60, endDate: date(200), amount: 24000 },
    ),
    e(25, "trade_in_appraisal", { customerId: "C-ALEX-4004" }, { vin: rogue20, value: 16500, odometer: 61000 }),
    e(3, "loan_payoff_inquiry", { customerId: "C-ALEX-4004" }, { vin: rogue20, channel: "phone" }),
    e(
      50,
      "recall_notice",
      { vin: rogue20 },
      { vin: rogue20, campaignId: "24V123", status: "open", component: "Fuel pump" },
    ),
    // Casey, an ICE owner with an oil change coming up and marketing email consent.
    e(
      1200,
      "purchase",
      { customerId: "C-CASEY-5005", email: "casey.demo@example.com" },
      { vin: rogue20b, condition: "used", financing: "cash", dealerId: central!.id },
    ),
    e(
      15,
      "service_due",
      { vin: rogue20b },
      { vin: rogue20b, kind: "oil_change", dueDate: date(10), estimatedCost: 89 },
    ),
    e(
      14,
      "consent_changed",
      { customerId: "C-CASEY-5005" },
      { marketing: { email: true, sms: false, push: true, in_vehicle: true, web: true }, source: "owner-portal" },
    ),
    // Issue 10: Robin and Jamie share the Leaf (head-unit profiles driver-1 and driver-2) and both agreed to
    // compare their driving in the monthly report; three more Leaf owners give the model comparison.
    e(
      90,
      "consent_changed",
      { customerId: "C-JAMIE-2006" },
      { driverComparisonConsent: true, source: "owner-app" },
      { householdRef: "HH-ROBIN" },
    ),
    e(90, "consent_changed", { customerId: "C-ROBIN-2002" }, { driverComparisonConsent: true, source: "owner-app" }),
    ...DEMO_FLEET.map(([customerId, vin], i) =>
      e(800 + i * 40, "purchase", { customerId }, { vin, condition: "new", financing: "cash", dealerId: west!.id }),
    ),
    ...demoTrips(now),
  ];
}

/** Other Leaf owners of the demo brand (valid VINs of the demo Leaf's type): the report's model comparison. */
export const DEMO_FLEET: readonly [string, string][] = [
  ["C-FLEET-7001", "1N4AZ0CPXGC301117"],
  ["C-FLEET-7002", "1N4AZ0CP4GC302845"],
  ["C-FLEET-7003", "1N4AZ0CP7GC305562"],
];

/** A small deterministic random source (mulberry32): the same trips on every run for the same `now`. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `ms` as the car's local time with its offset in `tz`, e.g. 2026-11-21T08:02:00-08:00. */
export function localIso(ms: number, tz: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      timeZoneName: "longOffset",
    })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  const offset = parts.timeZoneName === "GMT" ? "+00:00" : String(parts.timeZoneName).slice(3);
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Trip summaries of the last 70 days, sent by each car (`identifiers: {vin}`): the demo Leaf (Robin as driver-1,
 * Jamie as driver-2) every day, the fleet's Leafs most days. Times in San Diego local time.
 */
export function demoTrips(now: number) {
  const cars: [string, number, number][] = [
    ["1N4AZ0CP6GC304290", 1, 0.165],
    ...DEMO_FLEET.map(([, vin], i): [string, number, number] => [vin, 0.6, 0.172 + i * 0.008]),
  ];
  const out = [];
  const dayStart = Math.floor(now / DAY) * DAY;
  for (const [vin, perDay, kwhPerKm] of cars) {
    const rand = rng(Number.parseInt(vin.slice(-6), 10));
    let n = 0;
    for (let daysAgo = 70; daysAgo >= 1; daysAgo--) {
      const trips = rand() < perDay ? (rand() < 0.45 ? 2 : 1) : 0;
      for (let k = 0; k < trips; k++) {
        const start = dayStart - daysAgo * DAY + (15 + k * 9) * 3_600_000 + Math.floor(rand() * 50) * 60_000;
        const km = r1(4 + rand() * 38);
        const minutes = Math.round((km / (28 + rand() * 22)) * 60) + 3;
        const end = start + minutes * 60_000;
        const driver = vin === "1N4AZ0CP6GC304290" ? (rand() < 0.62 ? "driver-1" : "driver-2") : "driver-1";
        const kwh = r2(km * (kwhPerKm + (rand() - 0.5) * 0.02));
        if (end > now - 60_000) continue; // a trip still under way is not summarized yet
        out.push({
          id: `demo-trip-${vin.slice(-6)}-${String(++n).padStart(3, "0")}`,
          type: "trip_summary",
          occurredAt: new Date(end).toISOString(),
          identifiers: { vin },
          data: {
            vin,
            startedAt: localIso(start, "America/Los_Angeles"),
            endedAt: localIso(end, "America/Los_Angeles"),
            distanceKm: km,
            energyKwh: kwh,
            driverProfileId: driver,
          },
        });
      }
    }
  }
  return out;
}

/** Ingests the demo population for the demo tenant. */
export async function seedPopulation(ctx: Omit<IngestContext, "principal">, dealers: Dealer[]) {
  const principal: Principal = {
    keyId: "seed",
    tenantId: ctx.tenant.id,
    kind: "server",
    scopes: new Set(["admin"]),
    dealerId: null,
    vin: null,
    origin: null,
  };
  // In batches of 250, as a client would send them (the API takes up to 500 at a time).
  const events = demoEvents(ctx.now, dealers);
  const results = [];
  for (let i = 0; i < events.length; i += 250)
    results.push(...(await ingestEvents({ ...ctx, principal }, events.slice(i, i + 250))).results);
  return { results };
}
