/**
 * Ingestion throughput: batches of 100 realistic events over HTTP, on Node + libSQL and on workerd + D1.
 * Usage: npx tsx bench/ingest.ts [node|workers] [batches=200] [concurrency=4]
 */
import { startNodeTarget, startWorkersTarget, pct } from "./lib";

const runtime = (process.argv[2] ?? "node") as "node" | "workers";
const batches = Number(process.argv[3] ?? 200);
const concurrency = Number(process.argv[4] ?? 4);
const BATCH = 100;
// Real VINs (tests/fixtures/vins/vins.csv) so that decoding is real; each is decoded once, then cached.
const VINS = [
  "1N4AZ0CP6GC304290",
  "5N1AT2MVXLC807279",
  "3N8AP6CB1SL419565",
  "JN8BT3AB4SW412749",
  "JN8BT3BB7TW089619",
  "5N1AT2MT9LC784186",
];

let seq = 0;
const RUN = Date.now().toString(36);
const START = Date.now() - 30 * 86_400_000;
/** One person's worth of believable activity, spread over a year. */
function eventsFor(person: number, n: number) {
  const out = [];
  const vin = VINS[person % VINS.length]!;
  const ids = { customerId: `C-${person}` };
  const kinds = [
    () => ({ type: "page_view", data: { url: `https://www.example.com/vehicles/${person % 7}` } }),
    () => ({
      type: "configurator_build",
      data: {
        model: ["Ariya", "Rogue", "Kicks", "Leaf"][person % 4],
        powertrain: person % 4 === 0 ? "ev" : "ice",
        price: 30000 + (person % 20) * 1000,
      },
    }),
    () => ({ type: "telemetry_snapshot", data: { vin, odometer: 10000 + (seq % 50000), batteryStateOfHealth: 90 } }),
    () => ({
      type: "service_visit",
      data: {
        vin,
        odometer: 20000 + (seq % 50000),
        workLines: [{ description: "Inspection", amount: 120 }],
        amount: 120,
      },
    }),
    () => ({ type: "survey_response", data: { score: seq % 11, verbatim: "Friendly staff." } }),
    () => ({ type: "service_due", data: { vin, kind: "oil_change", dueDate: "2027-03-01" } }),
  ];
  for (let i = 0; i < n; i++) {
    const k = kinds[(person + i) % kinds.length]!();
    // Event time moves forward (a live stream); late events are the exception, measured separately by the tests.
    out.push({
      id: `bench-${person}-${seq}-${RUN}`,
      occurredAt: new Date(START + seq++ * 1000).toISOString(),
      identifiers: ids,
      ...k,
    });
  }
  return out;
}

const target = runtime === "node" ? await startNodeTarget() : await startWorkersTarget();
const post = async (events: unknown[]) => {
  const t0 = performance.now();
  const res = await fetch(target.url + "/v1/events", {
    method: "POST",
    headers: { authorization: `Bearer ${target.key}`, "content-type": "application/json" },
    body: JSON.stringify({ events }),
  });
  const body = (await res.json()) as { accepted: number };
  if (res.status !== 200 || body.accepted !== events.length)
    throw new Error(`batch failed: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  return performance.now() - t0;
};

// Warm-up: the first owners (purchases) and a decode of each VIN.
const warm = VINS.map((vin, i) => ({
  id: `warm-${i}-${Date.now()}`,
  type: "purchase",
  occurredAt: new Date(Date.now() - 400 * 86_400_000).toISOString(),
  identifiers: { customerId: `C-${i}` },
  data: { vin, condition: "new" },
}));
await post(warm);

const PEOPLE = 2000;
const queue = Array.from({ length: batches }, (_, b) =>
  Array.from({ length: BATCH / 10 }, (_, j) => eventsFor((b * 10 + j) % PEOPLE, 10)).flat(),
);
const latencies: number[] = [];
const t0 = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    for (let batch = queue.shift(); batch; batch = queue.shift()) latencies.push(await post(batch));
  }),
);
const seconds = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
const events = batches * BATCH;
console.log(
  JSON.stringify({
    runtime,
    batches,
    batchSize: BATCH,
    concurrency,
    events,
    seconds: +seconds.toFixed(2),
    eventsPerSecond: Math.round(events / seconds),
    batchMs: {
      p50: +pct(latencies, 50).toFixed(1),
      p95: +pct(latencies, 95).toFixed(1),
      max: +latencies.at(-1)!.toFixed(1),
    },
  }),
);
await target.stop();
process.exit(0);
