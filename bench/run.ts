/**
 * `npm run bench`: the whole bench in one command. Prints a table and writes bench/RESULTS.md.
 *   npm run bench                  quick (< 15 min on 2 cores): floors, lookup and decide on Node + libSQL and on
 *                                  workerd + D1 (Miniflare), cold start, scale 10k → 100k profiles and 10 → 1,000
 *                                  actions, ingestion on both runtimes
 *   npm run bench -- --full        adds the 1M-profile point and the 5-minute soak
 *   npm run bench -- --only=node,workers,cold,scale,ingest,soak   a subset (RESULTS.md is written only for a full set,
 *                                  or with BENCH_WRITE=1: e.g. the default set plus the soak; BENCH_MERGE=1 keeps
 *                                  the other sections of the current RESULTS.md)
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
import { soak } from "./soak";
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
/** The same route refused at validation (an unknown channel): HTTP, auth, body and validation — no read, no write. */
const refusedLua = (key: string) =>
  luaRequest({ method: "POST", path: '"/v1/decide"', key, body: `'{"channel":"nope","placement":"hero"}'` });
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
  // The floor is measured before and after Pitwall's points, and the faster of the two is the reference: a floor
  // slowed by whatever else the machine ran meanwhile would flatter Pitwall's ratio.
  const measureFloor = async (when: string) => {
    const floor = await startFloorNode(floorDb, 8801);
    const r = skip.includes("floor")
      ? null
      : measure(`floor (Hono + @libsql/client), ${when}`, floor, floorLua(100_000));
    await floor.stop();
    return r;
  };
  const floorBefore = await measureFloor("before");
  const s = await startPitwallNode(file, 8802, process.env.BENCH_CPU_PROF);
  const lookup = skip.includes("lookup") ? null : measure("lookupProfile", s, lookupLua(b.readKey, PEOPLE));
  const decide = measure("decide", s, decideLua(b.decideKey, PEOPLE));
  const refused = skip.includes("refused") ? null : measure("decide refused at validation", s, refusedLua(b.decideKey));
  await s.stop();
  const floorAfter = await measureFloor("after");
  const floorR = [floorBefore, floorAfter].reduce(
    (a, x) => (x && (!a || x.rps > a.rps) ? x : a),
    null as LoadResult | null,
  );
  results.node = { population: b.rate, floor: floorR, floorRuns: [floorBefore, floorAfter], lookup, decide, refused };
}

async function workersSection() {
  const people = Number(process.env.BENCH_WORKER_PEOPLE ?? PEOPLE);
  log(`workerd + D1 (Miniflare, the built bundle): ${people} people, 200 actions`);
  const script = buildWorker(join(work, "dist"));
  // The floor: a minimal Worker and its own D1.
  const floor = await startMiniflare({
    script: join(ROOT, "bench/floor/worker.js"),
    persist: join(work, "mf-floor"),
    port: 8803,
  });
  await populateFloorD1(await floor.db(), 100_000);
  floor.pid = workerdPid();
  const floorBefore = measure("floor (Worker + D1 prepared read), before", floor, floorLua(100_000));
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
  log(
    `  ingestion over HTTP (batches of 100, 4 in flight): ${ingest.events} events, ${ingest.eventsPerSecond}/s, batch p50 ${ingest.batchMs.p50} ms, errors ${ingest.errors}`,
  );
  const lookup = measure("lookupProfile", s, lookupLua(b.readKey, people));
  const decide = measure("decide", s, decideLua(b.decideKey, people));
  await s.stop();
  // The floor again after Pitwall's points; the faster of the two is the reference (as on Node).
  const floor2 = await startMiniflare({
    script: join(ROOT, "bench/floor/worker.js"),
    persist: join(work, "mf-floor"),
    port: 8803,
  });
  floor2.pid = workerdPid();
  const floorAfter = measure("floor (Worker + D1 prepared read), after", floor2, floorLua(100_000));
  await floor2.stop();
  const floorR = floorAfter.rps > floorBefore.rps ? floorAfter : floorBefore;
  // A cold isolate's first decision: fresh workerd processes on the same D1, CPU of the first and second request
  // (the whole workerd process: the Worker's isolate and, under Miniflare, D1's own work on the same machine).
  const cold: { first: number; second: number; floorFirst: number; floorSecond: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const time = async (pid: number, req: () => Promise<Response>) => {
      const c0 = cpuMs(pid);
      const res = await req();
      await res.text();
      if (res.status !== 200) throw new Error(`cold request: ${res.status}`);
      await new Promise((r) => setTimeout(r, 200)); // work after the answer (the log) counts too
      return +(cpuMs(pid) - c0).toFixed(1);
    };
    // The same for the floor Worker: what a cold workerd and Miniflare's D1 cost any first request.
    const fl = await startMiniflare({
      script: join(ROOT, "bench/floor/worker.js"),
      persist: join(work, "mf-floor"),
      port: 8806,
    });
    const fpid = workerdPid()!;
    await new Promise((r) => setTimeout(r, 300));
    const floorFirst = await time(fpid, () => fetch(`${fl.url}/rows/r${i}`));
    const floorSecond = await time(fpid, () => fetch(`${fl.url}/rows/r${i + 1}`));
    await fl.stop();
    const w = await startMiniflare({ script, persist: join(work, "mf-pitwall"), port: 8805, d1: ["DB", "VPIC"] });
    const pid = workerdPid()!;
    await new Promise((r) => setTimeout(r, 300)); // start-up settles
    const decideReq = () =>
      fetch(`${w.url}/v1/decide`, {
        method: "POST",
        headers: { authorization: `Bearer ${b.decideKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          subject: { customerId: `C-${i}` },
          channel: "dealer_site",
          placement: "hero",
          limit: 3,
        }),
      });
    cold.push({ first: await time(pid, decideReq), second: await time(pid, decideReq), floorFirst, floorSecond });
    await w.stop();
  }
  log(
    `  cold isolate, first decide (workerd CPU ms, incl. D1): ${cold.map((c) => c.first).join(", ")}; second: ${cold.map((c) => c.second).join(", ")}; ` +
      `floor Worker first read: ${cold.map((c) => c.floorFirst).join(", ")}; second: ${cold.map((c) => c.floorSecond).join(", ")}`,
  );
  results.workers = { floor: floorR, floorRuns: [floorBefore, floorAfter], ingest, lookup, decide, cold };
}

/** Scale: one database grown 10k → 100k (→ 1M with --full) people; catalogues of 10, 200 and 1,000 actions. */
async function scaleSection() {
  const perPerson = 4;
  const file = join(work, "scale.db");
  const points = full ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
  log(`Scale (Node + libSQL): profiles ${points.join(" → ")}, ${perPerson} events each, 200 actions`);
  const b = await populateNode(file, catalogue200(), 0, perPerson);
  const profiles: Record<string, unknown>[] = [];
  let have = 0;
  for (const n of points) {
    const rate = await growNode(file, b.tenantId, have, n, perPerson);
    have = n;
    log(`  grew to ${n} people: ${rate.events} events in ${rate.seconds} s (${rate.eventsPerSecond}/s)`);
    const s = await startPitwallNode(file, 8807);
    const r = measure(`decide, ${n} profiles`, s, decideLua(b.decideKey, n));
    await s.stop();
    profiles.push({ profiles: n, write: rate, decide: r });
  }
  // Catalogue size: three brands in one database, 10k people each, 10 / 200 / 1,000 actions.
  const cfile = join(work, "catalogues.db");
  const catalogues: Record<string, unknown>[] = [];
  for (const size of [10, 200, 1000]) {
    const c = await populateNode(cfile, catalogueOf(size), 10_000, perPerson);
    const s = await startPitwallNode(cfile, 8808);
    const r = measure(`decide, ${size} actions`, s, decideLua(c.decideKey, 10_000));
    await s.stop();
    catalogues.push({ actions: size, decide: r, ...(await engineCost(size)) });
  }
  results.scale = { profiles, catalogues };
}

/** The pure engine's cost per decision for a catalogue size (no HTTP, no store): where catalogue cost goes. */
async function engineCost(size: number) {
  const { compileCatalog } = await import("../src/domain/decide/catalog");
  const { checkAction } = await import("../src/domain/decide/validate-action");
  const { decide } = await import("../src/domain/decide");
  const { typicalInput } = await import("./fixtures");
  const catalog = compileCatalog(
    catalogueOf(size).map((a) => checkAction(a).action!),
    "v",
  );
  const input = typicalInput(catalog);
  for (let i = 0; i < 200; i++) decide({ ...input, now: input.now + i });
  const t0 = performance.now();
  let candidates = 0;
  for (let i = 0; i < 2000; i++) candidates = decide({ ...input, now: input.now + i }).candidates.items.length;
  return {
    engineUs: +(((performance.now() - t0) * 1000) / 2000).toFixed(1),
    channelActions: catalog.byChannel.dealer_site.length,
    candidates,
  };
}

/** Ingestion over HTTP on Node (batches of 100, 4 in flight), on a fresh database with a brand. */
async function ingestSection() {
  log("Ingestion (Node + libSQL, HTTP, batches of 100, 4 in flight)");
  const file = join(work, "ingest.db");
  const b = await populateNode(file, catalogue200(), 0, 1);
  const s = await startPitwallNode(file, 8809, process.env.BENCH_CPU_PROF);
  await ingestHttp(s.url, b.key, 0, 2_000, 5, 100, 4, "warm"); // JIT, VIN decodes, caches
  const c0 = cpuMs(s.pid!);
  const r = await ingestHttp(s.url, b.key, 2_000, 2_000 + Number(process.env.BENCH_INGEST_PEOPLE ?? 20_000), 5, 100, 4);
  const cpuUsPerEvent = Math.round(((cpuMs(s.pid!) - c0) * 1000) / r.events);
  await s.stop();
  log(
    `  ${r.events} events in ${r.seconds} s: ${r.eventsPerSecond}/s, batch p50 ${r.batchMs.p50} ms p95 ${r.batchMs.p95} ms, server CPU ${cpuUsPerEvent} µs/event, errors ${r.errors}`,
  );
  results.ingest = { node: { ...r, cpuUsPerEvent } };
}

/**
 * 5 minutes of decide + ingestion together at about half the measured maximum (Node). Both share the same two
 * cores (server threads and the load generator), so half of each maximum at once would be the whole machine: each
 * runs at 18% of its own maximum (at a quarter of each, the machine fell behind after ~100 s: docs/scale.md). `BENCH_SOAK_SHARE` changes the share (0.18).
 */
async function soakSection() {
  const node = results.node as { decide: LoadResult } | undefined;
  const ing = (results.ingest as { node: { eventsPerSecond: number } } | undefined)?.node;
  const share = Number(process.env.BENCH_SOAK_SHARE ?? 0.18);
  const dps = Math.round((node?.decide.rps ?? 1000) * share);
  const eps = Math.round((ing?.eventsPerSecond ?? 10_000) * share);
  log(`Soak (Node + libSQL): decide ${dps}/s + ingestion ${eps} events/s for 5 minutes`);
  const file = join(work, "soak.db");
  const b = await populateNode(file, catalogue200(), PEOPLE, PER_PERSON);
  const r = await soak({
    db: file,
    decideKey: b.decideKey,
    eventsKey: b.key,
    people: PEOPLE,
    decidesPerSecond: dps,
    eventsPerSecond: eps,
    minutes: Number(process.env.BENCH_SOAK_MINUTES ?? 5),
    onWindow: (w) =>
      log(
        `  ${w.at}s: ${w.decides} decides p50 ${w.p50} p99 ${w.p99} ms, ${w.events} events, errors ${w.errors}, RSS ${w.rssMb} MB`,
      ),
  });
  log(`  errors ${r.errors}, resident memory growth ${(r.rssGrowth * 100).toFixed(1)}%`);
  results.soak = { decidesPerSecond: dps, eventsPerSecond: eps, ...r };
}

/** compileCatalog + the first decide() in fresh Node processes (bench/cold-start.ts), CPU ms. */
function coldNode() {
  const out = execFileSync(process.execPath, ["--import", "tsx", "bench/cold-start.ts", "10"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  log(`Cold start (Node, fresh processes): ${out.trim()}`);
  return out.trim();
}

const firstLine = (cmd: string, a: string[]) => {
  try {
    return execFileSync(cmd, a, { encoding: "utf8", cwd: ROOT }).split("\n")[0]!.trim();
  } catch {
    return "?";
  }
};

/** bench/RESULTS.md: every figure with its goal beside it, the machine, versions and commands. */
function writeResults(wrkVersion: string, load0: string, load1: string) {
  type L = LoadResult | null | undefined;
  const r = results as {
    node?: { population: { eventsPerSecond: number }; floor: L; floorRuns?: L[]; lookup: L; decide: L; refused?: L };
    workers?: {
      floor: L;
      floorRuns?: L[];
      ingest: { eventsPerSecond: number; batchMs: { p50: number } };
      lookup: L;
      decide: L;
      cold: { first: number; second: number; floorFirst?: number; floorSecond?: number }[];
    };
    cold?: string;
    scale?: {
      profiles: { profiles: number; write: { eventsPerSecond: number }; decide: LoadResult }[];
      catalogues: {
        actions: number;
        decide: LoadResult;
        engineUs: number;
        channelActions: number;
        candidates: number;
      }[];
    };
    ingest?: {
      node: { eventsPerSecond: number; batchMs: { p50: number; p95: number }; cpuUsPerEvent: number; errors: number };
    };
    soak?: {
      decidesPerSecond: number;
      eventsPerSecond: number;
      windows: { at: number; p99: number; rssMb: number; errors: number }[];
      rssGrowth: number;
      errors: number;
    };
  };
  const f = (x: L) =>
    x
      ? `${x.rps.toLocaleString("en-US")} req/s, p50 ${x.p50.toFixed(1)} ms, p99 ${x.p99.toFixed(1)} ms, ${x.cpuUsPerReq ?? "?"} µs CPU/req`
      : "—";
  const ratio = (a: L, b: L) => (a && b ? (a.rps / b.rps).toFixed(2) : "—");
  const met = (ok: boolean | undefined) => (ok === undefined ? "—" : ok ? "**met**" : "**not met**");
  const lines: string[] = [];
  const now = new Date().toISOString();
  lines.push("# Benchmark results", "");
  // Each run that wrote into this file (more than one with BENCH_MERGE): its command, sections and machine load.
  type Run = { command: string; at: string; sections: string; load: string };
  const runs = ((results.runs as Run[] | undefined) ?? []).concat({
    command: `${process.env.BENCH_WRITE ? "BENCH_WRITE=1 " : ""}${process.env.BENCH_MERGE ? "BENCH_MERGE=1 " : ""}npm run bench${args.length ? ` -- ${args.join(" ")}` : ""}`,
    at: now,
    sections: only?.join(", ") ?? "all",
    load: `load average before ${load0}, after ${load1}`,
  });
  results.runs = runs;
  lines.push(
    "Written by bench/run.ts; do not edit by hand: run it again. Runs (load average: how quiet the machine was — other engineers' test suites share these 2 cores):",
    "",
    ...runs.map((x) => `- \`${x.command}\` on ${x.at}: ${x.sections}; ${x.load}`),
    "",
  );
  lines.push("## Machine and versions", "");
  lines.push(`- ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  lines.push(
    `- Node ${process.versions.node}; ${firstLine("npx", ["wrangler", "--version"])} (wrangler), miniflare ${firstLine("node", ["-p", "require('miniflare/package.json').version"])}, workerd ${firstLine("node", ["-p", "require('workerd/package.json').version"])}; ${wrkVersion}`,
  );
  lines.push(
    "- Load generator: wrk, 1 thread, 32 connections, in its own process; each point after a 3 s warm-up, " +
      `${seconds} s measured. Server CPU per request from /proc (schedstat) of the server process (for workerd: the whole workerd process, D1 included).`,
  );
  lines.push(
    "- Commands: `npm run bench` (this file), `npm run bench -- --full` (adds 1M profiles and the soak), `npm run bench -- --only=node,workers,cold,scale,ingest,soak`.",
    "",
  );
  if (r.node || r.workers) {
    lines.push("## Speed at the floor (32 connections)", "");
    lines.push("| runtime | what | result | × floor | goal |", "|---|---|---|---|---|");
    if (r.node) {
      const d = r.node.decide;
      lines.push(
        `| Node + libSQL | floor: bare Hono + @libsql/client, one indexed read of a 1.5 KB JSON row (the faster of a run before and one after Pitwall's${r.node.floorRuns ? `: ${r.node.floorRuns.map((x) => x?.rps.toLocaleString("en-US") ?? "—").join(" and ")} req/s` : ""}) | ${f(r.node.floor)} | 1.00 | — |`,
      );
      lines.push(
        `| Node + libSQL | lookupProfile (auth, read, audit entry committed) | ${f(r.node.lookup)} | ${ratio(r.node.lookup, r.node.floor)} | — |`,
      );
      lines.push(
        `| Node + libSQL | decide (200 actions, realistic profiles, caps held by the conditional contact write) | ${f(d)} | ${ratio(d, r.node.floor)} | ≥ 0.5× (aim 0.7×): ${met(d && r.node.floor ? d.rps / r.node.floor.rps >= 0.5 : undefined)}; p99 ≤ 10 ms: ${met(d ? d.p99 <= 10 : undefined)} |`,
      );
      if (r.node.refused)
        lines.push(
          `| Node + libSQL | decide refused at validation (HTTP, auth, body, validation, problem+json: no read, no write) | ${f(r.node.refused)} (answers 400: counted as errors by wrk) | ${ratio(r.node.refused, r.node.floor)} | — |`,
        );
    }
    if (r.workers) {
      const d = r.workers.decide;
      lines.push(
        `| workerd + D1 (Miniflare) | floor: a minimal Worker, one D1 prepared read of the same row (the faster of a run before and one after Pitwall's${r.workers.floorRuns ? `: ${r.workers.floorRuns.map((x) => x?.rps.toLocaleString("en-US") ?? "—").join(" and ")} req/s` : ""}) | ${f(r.workers.floor)} | 1.00 | — |`,
      );
      lines.push(
        `| workerd + D1 (Miniflare) | lookupProfile | ${f(r.workers.lookup)} | ${ratio(r.workers.lookup, r.workers.floor)} | — |`,
      );
      lines.push(
        `| workerd + D1 (Miniflare) | decide | ${f(d)} | ${ratio(d, r.workers.floor)} | ≥ 0.5×: ${met(d && r.workers.floor ? d.rps / r.workers.floor.rps >= 0.5 : undefined)} |`,
      );
    }
    lines.push("");
  }
  const split = [
    ["floor", r.node?.floor],
    ["lookupProfile", r.node?.lookup],
    ["decide", r.node?.decide],
    ["decide refused at validation", r.node?.refused],
  ].filter(([, x]) => (x as LoadResult | null | undefined)?.cpuByThread) as [string, LoadResult][];
  if (split.length) {
    const names = [...new Set(split.flatMap(([, x]) => Object.keys(x.cpuByThread!)))].sort();
    lines.push(
      "Node server CPU per request by thread (µs; `MainThread` the event loop, `WorkerThread` libSQL's writer and checkpointer threads, `V8Worker` GC and JIT helpers):",
      "",
      `| point | ${names.join(" | ")} | total |`,
      `|---|${names.map(() => "---").join("|")}|---|`,
      ...split.map(([n, x]) => `| ${n} | ${names.map((k) => x.cpuByThread![k] ?? 0).join(" | ")} | ${x.cpuUsPerReq} |`),
      "",
    );
  }
  if (r.cold || r.workers?.cold) {
    lines.push("## Cold start", "");
    if (r.cold)
      lines.push(`- Node, fresh processes (bench/cold-start.ts): ${r.cold}. Goal: compile + first decide < 10 ms CPU.`);
    if (r.workers?.cold)
      lines.push(
        `- workerd, fresh isolate (new workerd process), CPU of the whole process for the first decide (Worker + Miniflare's D1, which on Cloudflare runs elsewhere and is not counted): ${r.workers.cold.map((c) => c.first).join(", ")} ms; second decide: ${r.workers.cold.map((c) => c.second).join(", ")} ms. ` +
          `The floor Worker's first D1 read, measured the same way: ${r.workers.cold.map((c) => c.floorFirst).join(", ")} ms; its second: ${r.workers.cold.map((c) => c.floorSecond).join(", ")} ms.`,
      );
    lines.push("");
  }
  if (r.scale) {
    lines.push("## Scale curves (Node + libSQL)", "");
    lines.push(
      "| profiles | population write rate (ingestEvents in process) | decide | p99 vs 10k | goal |",
      "|---|---|---|---|---|",
    );
    const base = r.scale.profiles[0]?.decide.p99 ?? 0;
    for (const p of r.scale.profiles)
      lines.push(
        `| ${p.profiles.toLocaleString("en-US")} | ${p.write.eventsPerSecond.toLocaleString("en-US")} events/s | ${f(p.decide)} | ${(p.decide.p99 / base).toFixed(2)}× | ≤ 1.2× from 10k to 1M${p.profiles === 1_000_000 ? `: ${met(p.decide.p99 / base <= 1.2)}` : ""} |`,
      );
    // p99 at 32 connections is mostly queueing, so it follows whatever else the machine runs meanwhile: the
    // catalogue curve's 200-action brand (10k people, the same rules) is measured right after the largest point.
    const last = r.scale.profiles.at(-1);
    const ref = r.scale.catalogues.find((c) => c.actions === 200)?.decide;
    if (last && ref && r.scale.profiles.length > 1)
      lines.push(
        "",
        `The same 200-action catalogue with 10,000 people, measured right after the ${last.profiles.toLocaleString("en-US")} point (the catalogue curve below): p99 ${ref.p99.toFixed(1)} ms, so ${last.profiles.toLocaleString("en-US")} / 10k = ${(last.decide.p99 / ref.p99).toFixed(2)}× measured minutes apart${last.profiles === 1_000_000 ? ` (goal ≤ 1.2×: ${met(last.decide.p99 / ref.p99 <= 1.2)})` : ""}; server CPU per request ${last.decide.cpuUsPerReq} vs ${ref.cpuUsPerReq} µs (${((last.decide.cpuUsPerReq ?? 0) / (ref.cpuUsPerReq ?? 1)).toFixed(2)}×) and ${r.scale.profiles[0]!.decide.cpuUsPerReq} µs at the first 10k point.`,
      );
    lines.push(
      "",
      "| actions | decide (10k people) | engine alone per decision | dealer_site actions | candidates after rules and guardrails |",
      "|---|---|---|---|---|",
    );
    for (const c of r.scale.catalogues)
      lines.push(`| ${c.actions} | ${f(c.decide)} | ${c.engineUs} µs | ${c.channelActions} | ${c.candidates} |`);
    lines.push("");
  }
  if (r.ingest || r.workers?.ingest) {
    lines.push("## Ingestion (batches of 100, 4 in flight, over HTTP)", "");
    lines.push("| runtime | events/s | batch p50 | goal |", "|---|---|---|---|");
    if (r.ingest)
      lines.push(
        `| Node + libSQL | ${r.ingest.node.eventsPerSecond.toLocaleString("en-US")} (server CPU ${r.ingest.node.cpuUsPerEvent} µs/event, errors ${r.ingest.node.errors}) | ${r.ingest.node.batchMs.p50} ms | ≥ 20,000/s: ${met(r.ingest.node.eventsPerSecond >= 20_000)} |`,
      );
    if (r.workers?.ingest)
      lines.push(
        `| workerd + D1 (Miniflare) | ${r.workers.ingest.eventsPerSecond.toLocaleString("en-US")} | ${r.workers.ingest.batchMs.p50} ms | — |`,
      );
    lines.push("");
  }
  if (r.soak) {
    const w = r.soak.windows;
    lines.push("## Soak (Node + libSQL)", "");
    lines.push(
      `decide ${r.soak.decidesPerSecond}/s and ingestion ${r.soak.eventsPerSecond} events/s together, ${w.length} windows of 30 s.`,
      "",
    );
    lines.push("| window end | decide p99 | RSS | errors so far |", "|---|---|---|---|");
    for (const x of w) lines.push(`| ${x.at} s | ${x.p99} ms | ${x.rssMb} MB | ${x.errors} |`);
    lines.push(
      "",
      `Errors: ${r.soak.errors} (goal 0: ${met(r.soak.errors === 0)}); resident memory growth ${(r.soak.rssGrowth * 100).toFixed(1)}% (goal < 10%: ${met(r.soak.rssGrowth < 0.1)}); p99 first → last window ${w[0]?.p99} → ${w.at(-1)?.p99} ms.`,
      "",
    );
  }
  lines.push("## Raw", "", "```json", JSON.stringify(results, null, 1), "```", "");
  writeFileSync(join(ROOT, "bench/RESULTS.md"), lines.join("\n"));
}

// BENCH_MERGE=1: start from the figures of the current bench/RESULTS.md (its raw JSON) and replace only the
// sections run now — e.g. `BENCH_MERGE=1 npm run bench -- --only=soak` after the default set.
if (process.env.BENCH_MERGE) {
  const raw = /```json\n([\s\S]*?)\n```/.exec(readFileSync(join(ROOT, "bench/RESULTS.md"), "utf8"))?.[1];
  if (raw) Object.assign(results, JSON.parse(raw) as Record<string, unknown>);
  if (raw && !results.runs) {
    // A file written before runs were recorded: its one run, from its header.
    const text = readFileSync(join(ROOT, "bench/RESULTS.md"), "utf8");
    const cmd = /Written by `([^`]+)`/.exec(text)?.[1] ?? "npm run bench";
    results.runs = [
      {
        command: cmd,
        at: /\) on (\S+)\. Do not edit/.exec(text)?.[1] ?? "?",
        sections: /--only=([^\s`]+)/.exec(cmd)?.[1]?.replaceAll(",", ", ") ?? "all",
        load: /(load average before [\d. ]+, after [\d. ]+)/.exec(text)?.[1]?.trim() ?? "?",
      },
    ];
  }
}
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const load0 = loadavg();
const wrkVersion = ensureWrk();
if (want("node")) await nodeSection();
if (want("workers")) await workersSection();
if (want("cold")) results.cold = coldNode();
if (want("scale")) await scaleSection();
if (want("ingest")) await ingestSection();
if (want("soak")) await soakSection();
if (!only || process.env.BENCH_WRITE || process.env.BENCH_MERGE) writeResults(wrkVersion, load0, loadavg());
log(JSON.stringify(results, null, 1));
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
rmSync(work, { recursive: true, force: true });
