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
import { brandOnD1, growNode, populateFloorD1, populateFloorNode, populateNode } from "./populate";
import {
  buildWorker,
  migrationStatements,
  ROOT,
  startFloorNode,
  startMiniflare,
  startPitwallNode,
  type Server,
} from "./targets";
import { ensureWrk, load, luaRequest, type LoadResult } from "./wrk";

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

const firstLine = (cmd: string, a: string[]) => {
  try {
    return execFileSync(cmd, a, { encoding: "utf8", cwd: ROOT }).split("\n")[0]!.trim();
  } catch {
    return "?";
  }
};

const wrkVersion = ensureWrk();
if (want("node")) await nodeSection();
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
