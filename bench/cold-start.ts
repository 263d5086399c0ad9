/**
 * A cold isolate's first decision: compileCatalog for a 200-action catalogue plus the first decide(), in a fresh
 * process each run (no JIT warm-up, nothing cached), timed as CPU time. Workers' free plan allows 10 ms of CPU
 * per request. Actions arrive as stored (JSON, checked at upsert: compiled without re-validation); COLD_UNCHECKED=1
 * checks every action again (a catalogue stored before actions.checked_with). Run: npx tsx bench/cold-start.ts [runs=10]
 */
import { execFileSync } from "node:child_process";

if (process.argv[2] === "--child") {
  const { compileCatalog, VALIDATOR_VERSION } = await import("../src/domain/decide/catalog");
  const { checkAction } = await import("../src/domain/decide/validate-action");
  const { catalogue200, typicalInput } = await import("./fixtures");
  // As the store gives them: the validator's output as JSON text, checked at upsert (actions.checked_with).
  const stored = catalogue200().map((a) => JSON.stringify(checkAction(a).action));
  const t0 = process.cpuUsage();
  const catalog = compileCatalog(
    stored.map((d) => JSON.parse(d)),
    "v1",
    stored.map(() => (process.env.COLD_UNCHECKED ? null : VALIDATOR_VERSION)),
  );
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
