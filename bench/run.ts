/**
 * `npm run bench`: the whole bench in one command. Prints a table and writes bench/RESULTS.md.
 *   npm run bench                  quick (< 15 min on 2 cores): floors, lookup and decide on Node + libSQL and on
 *                                  workerd + D1 (Miniflare), cold start, scale 10k → 100k profiles and 10 → 1,000
 *                                  actions, ingestion on both runtimes
 *   npm run bench -- --full        adds the 1M-profile point and the 5-minute soak
 *   npm run bench -- --only=node,workers,cold,scale,ingest,soak   a subset (RESULTS.md is written only for a full set)
 *   --seconds=N                    seconds per load point (default 10)
 */
import { cpus, totalmem, tmpdir } from "node:os";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { catalogue200, catalogueOf } from "./fixtures";
import { brandOnD1, growNode, ingestHttp, populateFloorD1, populateFloorNode, populateNode } from "./populate";
import {
  buildWorker,
  migrationStatements,
  ROOT,
  startFloorNode,
  startMiniflare,
  startPitwallNode,
  type Server,
} from "./targets";
import { cpuMs, ensureWrk, load, luaRequest, workerdPid, type LoadResult } from "./wrk";

const args = process.argv.slice(2);
const full = args.includes("--full");
const only = args
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const seconds = Number(args.find((a) => a.startsWith("--seconds="))?.slice(10) ?? 10);
const want = (s: string) => (only ? only.includes(s) : s !== "soak" || full);
const work = mkdtempSync(join(tmpdir(), "pitwall-bench-"));
const results: Record<string, unknown> = {};
const started = Date.now();
const log = (s: string) => process.stderr.write(`${s}\n`);

const CHANNELS = ["dealer_site", "email", "service_lane", "web_configurator"];
/** Lua: a decision for a random person of `n`, channels in turn (the mix a brand's callers send). */
const decideLua = (key: string, n: number) =>
  luaRequest({
    method: "POST",
    path: '"/v1/decide"',
    key,
    prelude: `local channels = { ${CHANNELS.map((c) => `"${c}"`).join(", ")} }`,
    body: `(function() local i = math.random(0, ${n - 1}); return '{"subject":{"customerId":"C-' .. i .. '"},"channel":"' .. channels[(i % 4) + 1] .. '","placement":"hero","limit":3}' end)()`,
  });
const lookupLua = (key: string, n: number) =>
  luaRequest({ method: "GET", path: `"/v1/profiles/lookup?customerId=C-" .. math.random(0, ${n - 1})`, key });
const floorLua = (n: number) => luaRequest({ method: "GET", path: `"/rows/r" .. math.random(0, ${n - 1})` });

/** A warm-up (JIT, caches, the catalogue compiled) and then the measured run. */
function measure(name: string, server: Server, lua: string, secs = seconds): LoadResult {
  load(server.url, lua, Math.min(3, secs));
  const r = load(server.url, lua, secs, 32, server.pid);
  log(
    `  ${name.padEnd(34)} ${String(r.rps).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ` +
      `cpu ${r.cpuUsPerReq ?? "?"} µs/req  errors ${r.errors}`,
  );
  return r;
}

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 10_000);
const PER_PERSON = 8;

async function nodeSection() {
  log(`Node + libSQL: ${PEOPLE} people, 200 actions`);
  const floorDb = join(work, "floor.db");
  await populateFloorNode(floorDb, 100_000);
  const file = join(work, "node.db");
  const b = await populateNode(file, catalogue200(), PEOPLE, PER_PERSON);
  log(`  population: ${b.rate.events} events in ${b.rate.seconds} s (${b.rate.eventsPerSecond}/s)`);
  const skip = process.env.BENCH_SKIP?.split(",") ?? [];
  const floor = await startFloorNode(floorDb, 8801);
  const floorR = skip.includes("floor") ? null : measure("floor (Hono + @libsql/client)", floor, floorLua(100_000));
  await floor.stop();
  const s = await startPitwallNode(file, 8802, process.env.BENCH_CPU_PROF);
  const lookup = skip.includes("lookup") ? null : measure("lookupProfile", s, lookupLua(b.readKey, PEOPLE));
  const decide = measure("decide", s, decideLua(b.decideKey, PEOPLE));
  await s.stop();
  results.node = { population: b.rate, floor: floorR, lookup, decide };
}

async function workersSection() {
  const people = Number(process.env.BENCH_WORKER_PEOPLE ?? PEOPLE);
  log(`workerd + D1 (Miniflare, the built bundle): ${people} people, 200 actions`);
  const script = buildWorker(join(work, "dist"));
  // The floor: a minimal Worker and its own D1.
  const floor = await startMiniflare({ script: join(ROOT, "bench/floor/worker.js"), persist: join(work, "mf-floor"), port: 8803 });
  await populateFloorD1(await floor.db(), 100_000);
  floor.pid = workerdPid();
  const floorR = measure("floor (Worker + D1 prepared read)", floor, floorLua(100_000));
  await floor.stop();
  const s = await startMiniflare({
    script,
    persist: join(work, "mf-pitwall"),
    port: 8804,
    vars: { RATE_LIMIT_PER_MINUTE: "1000000" },
    d1: ["DB", "VPIC"],
  });
  const d1 = await s.db();
  for (const stmt of migrationStatements()) await d1.prepare(stmt).run();
  const b = await brandOnD1(d1, catalogue200());
  s.pid = workerdPid();
  const ingest = await ingestHttp(s.url, b.key, 0, people, PER_PERSON, 100, 4);
  log(`  ingestion over HTTP (batches of 100, 4 in flight): ${ingest.events} events, ${ingest.eventsPerSecond}/s, batch p50 ${ingest.batchMs.p50} ms, errors ${ingest.errors}`);
  const lookup = measure("lookupProfile", s, lookupLua(b.readKey, people));
  const decide = measure("decide", s, decideLua(b.decideKey, people));
  await s.stop();
  // A cold isolate's first decision: fresh workerd processes on the same D1, CPU of the first and second request
  // (the whole workerd process: the Worker's isolate and, under Miniflare, D1's own work on the same machine).
  const cold: { first: number; second: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const w = await startMiniflare({ script, persist: join(work, "mf-pitwall"), port: 8805, d1: ["DB", "VPIC"] });
    const pid = workerdPid()!;
    await new Promise((r) => setTimeout(r, 300)); // start-up settles
    const one = async () => {
      const c0 = cpuMs(pid);
      const res = await fetch(`${w.url}/v1/decide`, {
        method: "POST",
        headers: { authorization: `Bearer ${b.decideKey}`, "content-type": "application/json" },
        body: JSON.stringify({ subject: { customerId: `C-${i}` }, channel: "dealer_site", placement: "hero", limit: 3 }),
      });
      await res.text();
      if (res.status !== 200) throw new Error(`cold decide: ${res.status}`);
      await new Promise((r) => setTimeout(r, 200)); // the log written after the answer counts too
      return +(cpuMs(pid) - c0).toFixed(1);
    };
    cold.push({ first: await one(), second: await one() });
    await w.stop();
  }
  log(`  cold isolate, first decide (workerd CPU ms, incl. D1): ${cold.map((c) => c.first).join(", ")}; second: ${cold.map((c) => c.second).join(", ")}`);
  results.workers = { floor: floorR, ingest, lookup, decide, cold };
}

const firstLine = (cmd: string, a: string[]) => {
  try {
    return execFileSync(cmd, a, { encoding: "utf8", cwd: ROOT }).split("\n")[0]!.trim();
  } catch {
    return "?";
  }
};

const wrkVersion = ensureWrk();
if (want("node")) await nodeSection();
if (want("workers")) await workersSection();
log(JSON.stringify(results, null, 1));
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
rmSync(work, { recursive: true, force: true });
void [
  cpus,
  totalmem,
  writeFileSync,
  readFileSync,
  catalogueOf,
  brandOnD1,
  growNode,
  populateFloorD1,
  buildWorker,
  migrationStatements,
  startMiniflare,
  firstLine,
  wrkVersion,
];
