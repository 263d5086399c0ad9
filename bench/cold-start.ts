/**
 * A cold isolate's first decision: compileCatalog for a 200-action catalogue plus the first decide(), in a fresh
 * process each run (no JIT warm-up, nothing cached), timed as CPU time. Workers' free plan allows 10 ms of CPU
 * per request. Actions arrive as stored (JSON, checked at upsert: compiled without re-validation); COLD_UNCHECKED=1
 * checks every action again (a catalogue stored before actions.checked_with). Run: npx tsx bench/cold-start.ts [runs=10]
 *
 * Two figures per part: the process's CPU (every thread: V8 also compiles and collects garbage on helper threads)
 * and the main thread's alone (Linux: /proc/self/task/<pid>/schedstat, nanoseconds), which is what runs the
 * request. Two cases: a bare fresh process (V8 compiles our code lazily inside the timed part), and one that first
 * runs src/warm-up.ts as the Worker does in its global scope (isolate start-up, not a request's CPU). The bench's
 * own set-up garbage is collected before the timed part (--expose-gc), so a collection it caused is not counted.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

if (process.argv[2] === "--child") {
  const { compileCatalog, VALIDATOR_VERSION } = await import("../src/domain/decide/catalog");
  const { checkAction } = await import("../src/domain/decide/validate-action");
  const { catalogue200, typicalInput } = await import("./fixtures");
  const { decide } = await import("../src/domain/decide");
  if (process.argv[3] === "warm") (await import("../src/warm-up")).warmUp();
  const statFile = `/proc/${process.pid}/task/${process.pid}/schedstat`;
  // The kernel brings a running thread's figure up to date when it is switched out: a 20 µs wait first.
  const parked = new Int32Array(new SharedArrayBuffer(4));
  const thread = (): number => {
    try {
      Atomics.wait(parked, 0, 0, 0.02);
      return Number(readFileSync(statFile, "utf8").split(" ")[0]) / 1e6;
    } catch {
      return Number.NaN;
    }
  };
  thread(); // the first read loads fs's code paths
  // As the store gives them: the validator's output as JSON text, checked at upsert (actions.checked_with).
  const stored = catalogue200().map((a) => JSON.stringify(checkAction(a).action));
  const rows = stored.map((d) => JSON.parse(d));
  const checkedWith = stored.map(() => (process.env.COLD_UNCHECKED ? null : VALIDATOR_VERSION));
  const ms = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  // The garbage of this bench's own set-up (tsx transpiling, zod checking the fixture) is collected first.
  (globalThis as { gc?: () => void }).gc?.();
  const p0 = process.cpuUsage();
  const m0 = thread();
  const catalog = compileCatalog(rows, "v1", checkedWith);
  const m1 = thread();
  const p1 = process.cpuUsage(p0);
  const input = typicalInput(catalog);
  const p2 = process.cpuUsage();
  const m2 = thread();
  decide(input);
  const m3 = thread();
  const p3 = process.cpuUsage(p2);
  console.log(JSON.stringify({ compile: ms(p1), firstDecide: ms(p3), compileMain: m1 - m0, decideMain: m3 - m2 }));
  process.exit(0);
}

type Run = { compile: number; firstDecide: number; compileMain: number; decideMain: number };
const runs = Number(process.argv[2] ?? 10);
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const f = (x: number) => x.toFixed(1);

function series(mode: "bare" | "warm") {
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(
      process.execPath,
      ["--expose-gc", "--import", "tsx", new URL(import.meta.url).pathname, "--child", mode],
      { encoding: "utf8" },
    );
    results.push(JSON.parse(out.trim().split("\n").at(-1)!));
  }
  const total = results.map((r) => r.compile + r.firstDecide);
  const main = results.map((r) => r.compileMain + r.decideMain);
  return (
    `compileCatalog(200) median ${f(med(results.map((r) => r.compile)))} (max ${f(Math.max(...results.map((r) => r.compile)))}); ` +
    `first decide() median ${f(med(results.map((r) => r.firstDecide)))}; together median ${f(med(total))}, max ${f(Math.max(...total))}; ` +
    `main thread alone: compile ${f(med(results.map((r) => r.compileMain)))} + decide ${f(med(results.map((r) => r.decideMain)))}, together median ${f(med(main))}, max ${f(Math.max(...main))}`
  );
}

console.log(
  `cold start over ${runs} fresh processes (CPU ms, process = all threads). Bare process: ${series("bare")}. ` +
    `After the Worker's global-scope warm-up (src/warm-up.ts): ${series("warm")}`,
);
