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
  ];
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
  return ingestEvents({ ...ctx, principal }, demoEvents(ctx.now, dealers));
}
