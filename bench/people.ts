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

const VALUE: Record<string, number> = Object.fromEntries(
  [..."0123456789"]
    .map((c, i) => [c, i])
    .concat(
      [..."ABCDEFGH"].map((c, i) => [c, i + 1]),
      [..."JKLMN"].map((c, i) => [c, i + 1]),
      [
        ["P", 7],
        ["R", 9],
      ],
      [..."STUVWXYZ"].map((c, i) => [c, i + 2]),
    ),
);
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

/** Person `i`'s own car: a real VIN's make, model, year and plant with a serial of its own (and its check digit). */
export function vinOf(i: number): string {
  const base = VINS[i % VINS.length]!;
  const v = [...`${base.slice(0, 11)}${String(100_000 + (i % 900_000)).padStart(6, "0")}`];
  const sum = v.reduce((a, c, k) => a + VALUE[c]! * WEIGHTS[k]!, 0);
  v[8] = sum % 11 === 10 ? "X" : String(sum % 11);
  return v.join("");
}

/** The customer id of person `i` (the benches' wrk scripts build the same ids). */
export const customerId = (i: number) => `C-${i}`;

/**
 * Person `i`'s history: `n` events ending around `now` (the first is the purchase). `tag` keeps ids of separate
 * runs apart; `seq` orders events in time across people (a live stream moves forward).
 */
export function personEvents(i: number, n: number, now: number, tag = "p"): Record<string, unknown>[] {
  const vin = vinOf(i);
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
