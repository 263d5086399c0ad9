/**
 * A cold isolate's first decision: compileCatalog for a 200-action catalogue plus the first decide(), in a fresh
 * process each run (no JIT warm-up, nothing cached), timed as CPU time. Workers' free plan allows 10 ms of CPU
 * per request. Run: npx tsx bench/cold-start.ts [runs=10]
 */
import { execFileSync } from "node:child_process";

if (process.argv[2] === "--child") {
  const { compileCatalog } = await import("../src/domain/decide/catalog");
  const { catalogue200, typicalInput } = await import("./fixtures");
  const actions = catalogue200();
  const t0 = process.cpuUsage();
  const catalog = compileCatalog(actions, "v1");
  const t1 = process.cpuUsage(t0);
  const { decide } = await import("../src/domain/decide");
  const t2 = process.cpuUsage();
  decide(typicalInput(catalog));
  const t3 = process.cpuUsage(t2);
  const ms = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  console.log(JSON.stringify({ compile: ms(t1), firstDecide: ms(t3) }));
  process.exit(0);
}

const runs = Number(process.argv[2] ?? 10);
const results: { compile: number; firstDecide: number }[] = [];
for (let i = 0; i < runs; i++) {
  const out = execFileSync(process.execPath, ["--import", "tsx", new URL(import.meta.url).pathname, "--child"], {
    encoding: "utf8",
  });
  results.push(JSON.parse(out.trim().split("\n").at(-1)!));
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const compile = results.map((r) => r.compile);
const first = results.map((r) => r.firstDecide);
const total = results.map((r) => r.compile + r.firstDecide);
console.log(
  `cold start over ${runs} fresh processes (CPU ms): compileCatalog(200) median ${med(compile).toFixed(1)} ` +
    `(max ${Math.max(...compile).toFixed(1)}); first decide() median ${med(first).toFixed(1)}; ` +
    `together median ${med(total).toFixed(1)}, max ${Math.max(...total).toFixed(1)}`,
);
