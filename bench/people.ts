/**
 * Believable people for the benches: each a purchase of a real VIN (so decoding is real) followed by a year of
 * web visits, builds, telemetry, service, surveys and service reminders — the events Pitwall's customers send.
 * Profiles come out at ~1–1.6 KB, like the demo population's.
 */

/** Real VINs (tests/fixtures/vins/vins.csv); each is decoded once per process, then cached. */
export const VINS = [
  "1N4AZ0CP6GC304290",
  "5N1AT2MVXLC807279",
  "3N8AP6CB1SL419565",
  "JN8BT3AB4SW412749",
  "JN8BT3BB7TW089619",
  "5N1AT2MT9LC784186",
];
const DAY = 86_400_000;
const MODELS = ["Ariya", "Rogue", "Kicks", "Leaf", "Pathfinder", "Frontier"];

/** The customer id of person `i` (the benches' wrk scripts build the same ids). */
export const customerId = (i: number) => `C-${i}`;

/**
 * Person `i`'s history: `n` events ending around `now` (the first is the purchase). `tag` keeps ids of separate
 * runs apart; `seq` orders events in time across people (a live stream moves forward).
 */
export function personEvents(i: number, n: number, now: number, tag = "p"): Record<string, unknown>[] {
  const vin = VINS[i % VINS.length]!;
  const ids = { customerId: customerId(i) };
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY - (i % 1000) * 1000).toISOString();
  const kinds = [
    (d: number) => ({
      type: "page_view",
      occurredAt: at(d),
      data: { url: `https://www.example.com/vehicles/${i % 7}` },
    }),
    (d: number) => ({
      type: "configurator_build",
      occurredAt: at(d),
      data: {
        model: MODELS[i % MODELS.length],
        powertrain: i % 4 === 0 ? "ev" : "ice",
        price: 30000 + (i % 20) * 1000,
      },
    }),
    (d: number) => ({
      type: "telemetry_snapshot",
      occurredAt: at(d),
      data: { vin, odometer: 10000 + ((i * 37 + d) % 50000), batteryStateOfHealth: 90 },
    }),
    (d: number) => ({
      type: "service_visit",
      occurredAt: at(d),
      data: {
        vin,
        odometer: 20000 + (i % 50000),
        workLines: [{ description: "Inspection", amount: 120 }],
        amount: 120,
      },
    }),
    (d: number) => ({
      type: "survey_response",
      occurredAt: at(d),
      data: { score: i % 11, verbatim: "Friendly staff." },
    }),
    (d: number) => ({
      type: "service_due",
      occurredAt: at(d),
      data: { vin, kind: "oil_change", dueDate: new Date(now + ((i % 60) + 5) * DAY).toISOString().slice(0, 10) },
    }),
  ];
  const out: Record<string, unknown>[] = [
    {
      id: `bench-${tag}-${i}-0`,
      type: "purchase",
      occurredAt: at(400 + (i % 300)),
      identifiers: { ...ids, email: `person${i}@example.com` },
      data: { vin, condition: i % 3 ? "new" : "used" },
    },
  ];
  for (let k = 1; k < n; k++) {
    const e = kinds[(i + k) % kinds.length]!(Math.max(1, 300 - k * 40));
    out.push({ id: `bench-${tag}-${i}-${k}`, identifiers: ids, ...e });
  }
  return out;
}
