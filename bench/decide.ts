/**
 * End-to-end: decide versus a floor route on the same runtime, under wrk at 32 connections.
 * Floor = GET /v1/profiles/lookup (auth + one indexed read of a profile row + JSON), the least a decision does.
 * Usage: npx tsx bench/decide.ts [node|workers] [seconds=10]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ActionSchema } from "../src/domain/decide/action";
import { DEMO_CATALOG } from "../src/domain/decide/demo-catalog";
import { createNodeVinDecoder } from "../src/store/vpic/node";
import { seedPopulation } from "../src/seed/population";
import { VinService } from "../src/services/vins";
import { startNodeTarget, startWorkersTarget } from "./lib";

const runtime = (process.argv[2] ?? "node") as "node" | "workers";
const seconds = Number(process.argv[3] ?? 10);
const target = runtime === "node" ? await startNodeTarget() : await startWorkersTarget();
const tenant = (await target.store.tenants.byId(target.tenantId))!;
const dealers = await target.store.dealers.list({ tenantId: tenant.id });
const now = Date.now();
for (const a of DEMO_CATALOG) {
  const action = ActionSchema.parse(a);
  await target.store.decisioning.putAction({
    tenantId: tenant.id,
    id: action.id,
    dealerId: null,
    doc: action,
    updatedAt: now,
  });
}
await seedPopulation(
  { tenant, store: target.store, vins: new VinService(target.store.customers, createNodeVinDecoder(), Date.now), now },
  [dealers[0]!, dealers[0]!],
);
const customers = ["C-LEE-1001", "C-ROBIN-2002", "C-PAT-3003", "C-SAM-3004", "C-ALEX-4004", "C-CASEY-5005"];

const dir = mkdtempSync(join(tmpdir(), "pitwall-wrk-"));
const lua = (method: string, paths: string[], bodies: string[]) => `
local paths = { ${paths.map((p) => JSON.stringify(p)).join(", ")} }
local bodies = { ${bodies.map((b) => `[==[${b}]==]`).join(", ")} }
local i = 0
request = function()
  i = i + 1
  local k = (i % #paths) + 1
  return wrk.format("${method}", paths[k], { ["Authorization"] = "Bearer ${target.key}", ["Content-Type"] = "application/json" }, bodies[k])
end
`;
const decideBodies = customers.map((c, i) =>
  JSON.stringify({
    subject: { customerId: c },
    channel: ["dealer_site", "email", "service_lane"][i % 3],
    placement: "hero",
    limit: 3,
    dryRun: process.env.BENCH_DRY === "1",
  }),
);
writeFileSync(
  join(dir, "decide.lua"),
  lua(
    "POST",
    customers.map(() => "/v1/decide"),
    decideBodies,
  ),
);
writeFileSync(
  join(dir, "floor.lua"),
  lua(
    "GET",
    customers.map((c) => `/v1/profiles/lookup?customerId=${c}`),
    customers.map(() => ""),
  ),
);

// Warm both paths (catalogue compile, caches, JIT).
for (let i = 0; i < 50; i++) {
  await fetch(`${target.url}/v1/decide`, {
    method: "POST",
    headers: { authorization: `Bearer ${target.key}`, "content-type": "application/json" },
    body: decideBodies[i % 6],
  });
  await fetch(`${target.url}/v1/profiles/lookup?customerId=${customers[i % 6]}`, {
    headers: { authorization: `Bearer ${target.key}` },
  });
}

function run(name: string) {
  const out = execFileSync(
    "wrk",
    ["-t2", "-c32", `-d${seconds}s`, "--latency", "-s", join(dir, `${name}.lua`), target.url],
    { encoding: "utf8" },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)![1]);
  const p50 = /50%\s+([\d.]+\w+)/.exec(out)?.[1];
  const p99 = /99%\s+([\d.]+\w+)/.exec(out)?.[1];
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p50, p99, non2xx };
}
const floor = run("floor");
const decide = run("decide");
console.log(
  JSON.stringify({ runtime, connections: 32, seconds, floor, decide, ratio: +(decide.rps / floor.rps).toFixed(2) }),
);
await target.stop();
process.exit(0);
