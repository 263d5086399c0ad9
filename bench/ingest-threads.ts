/**
 * Ingestion over HTTP with the server's CPU split by thread (main, libSQL writer, checkpointer, libuv pool):
 * `npx tsx bench/ingest-threads.ts [people=20000]`. The same load as `npm run bench -- --only=ingest`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogue200 } from "./fixtures";
import { ingestHttp, populateNode } from "./populate";
import { startPitwallNode } from "./targets";
import { cpuMsOfThreads as threads } from "./wrk";

const people = Number(process.argv[2] ?? 20_000);
const work = mkdtempSync(join(tmpdir(), "pitwall-ingest-"));
const file = join(work, "ingest.db");
const b = await populateNode(file, catalogue200(), 0, 1);
const s = await startPitwallNode(file, 8819, process.env.BENCH_CPU_PROF);
await ingestHttp(s.url, b.key, 0, 2_000, 5, 100, 4, "warm");
const t0 = threads(s.pid!);
const r = await ingestHttp(s.url, b.key, 2_000, 2_000 + people, 5, 100, 4);
const t1 = threads(s.pid!);
await s.stop();
rmSync(work, { recursive: true, force: true });
let total = 0;
const rows: [string, number][] = [];
for (const [k, v] of t1) {
  const d = v - (t0.get(k) ?? 0);
  total += d;
  if (d > 1) rows.push([k, (d * 1000) / r.events]);
}
console.log(
  `${r.events} events in ${r.seconds} s: ${r.eventsPerSecond}/s, batch p50 ${r.batchMs.p50} ms p95 ${r.batchMs.p95}, errors ${r.errors}; server CPU ${((total * 1000) / r.events).toFixed(0)} µs/event`,
);
for (const [k, us] of rows.sort((a, b) => b[1] - a[1])) console.log(`  ${k.padEnd(24)} ${us.toFixed(1)} µs/event`);
