/**
 * `npm run fuzz -- --runs N [--runtime node|workers|both] [--seed S]`: the long run of the fuzzer of
 * tests/shared/fuzz (the bounded run is part of `npm test`). N cases are spread evenly over every operation of
 * openapi/openapi.json; each operation gets a fresh tenant. Prints requests, statuses seen, 5xx and the duration,
 * and every wrong answer with fast-check's seed and smallest failing case; exits 1 when there is one.
 *
 * Node: a real server over HTTP on a fresh libSQL file, in this process. Workers: the fuzz test file inside
 * workerd (vitest, @cloudflare/vitest-plugin, D1 with the real migrations), given N and the seed as bindings.
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { makeTenant } from "../tests/shared/fixtures";
import { emptyStats, fuzzOperation, mergeStats, type FuzzStats } from "../tests/shared/fuzz/fuzzer";
import { specOperations } from "../tests/shared/fuzz/spec";
import { startNodeHarness } from "../tests/node/harness";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10000" },
    runtime: { type: "string", default: "node" },
    seed: { type: "string" },
  },
});
const ops = specOperations();
const total = Number(values.runs);
if (!Number.isInteger(total) || total < 1) throw new Error("--runs must be a positive integer");
const perOp = Math.ceil(total / ops.length);
const seed = values.seed ? Number(values.seed) : Date.now() % 2 ** 31;
const runtimes = values.runtime === "both" ? ["node", "workers"] : [values.runtime!];

function report(runtime: string, s: FuzzStats, wall: number) {
  const statuses = Object.entries(s.statuses)
    .sort()
    .map(([k, v]) => `${k}: ${v.toLocaleString("en-US")}`)
    .join(", ");
  console.log(
    `\n${runtime}: ${s.requests.toLocaleString("en-US")} requests over ${ops.length} operations (${perOp} cases each, seed ${seed}) in ${(wall / 1000).toFixed(1)} s`,
  );
  console.log(`  statuses: ${statuses}`);
  console.log(`  5xx: ${s.serverErrors}; wrong answers: ${s.failures.length}`);
  for (const f of s.failures.slice(0, 20)) console.log(`  ✗ ${f}`);
}

async function onNode(): Promise<boolean> {
  const h = await startNodeHarness();
  const perOperation: [string, Record<string, number>][] = [];
  const stats = emptyStats();
  const errors: string[] = [];
  const t0 = performance.now();
  try {
    for (const op of ops) {
      const a = await makeTenant(h);
      const s = await fuzzOperation(op, { h, a }, { runs: perOp, seed });
      mergeStats(stats, s);
      perOperation.push([op.id, s.statuses]);
      if (s.error) errors.push(`${op.id}: ${s.error}`);
      process.stdout.write(".");
    }
  } finally {
    await h.close();
  }
  report("node", stats, performance.now() - t0);
  console.log("  per operation (status × answers):");
  for (const [id, st] of perOperation)
    console.log(
      `    ${id.padEnd(18)} ${Object.entries(st)
        .map(([k, v]) => `${k}×${v}`)
        .join(" ")}`,
    );
  for (const e of errors) console.log(`\n${e}`);
  return errors.length === 0 && stats.serverErrors === 0;
}

async function onWorkers(): Promise<boolean> {
  const t0 = performance.now();
  const out: string[] = [];
  const code = await new Promise<number>((done) => {
    const child = spawn("npx", ["vitest", "run", "--project", "workers", "tests/workers/fuzz.test.ts"], {
      env: { ...process.env, FUZZ_RUNS: String(perOp), FUZZ_SEED: String(seed) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const take = (d: Buffer) => {
      out.push(d.toString());
      process.stdout.write(".");
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("close", (c) => done(c ?? 1));
  });
  // Without the terminal's colour codes (ESC [ … m).
  const text = out.join("").replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");
  const line = /FUZZ (\{.*\})/.exec(text);
  const stats = line ? { ...emptyStats(), ...(JSON.parse(line[1]!) as Partial<FuzzStats>) } : emptyStats();
  report("workers", stats, performance.now() - t0);
  if (code !== 0) console.log(`\n${text.slice(-8000)}`);
  return code === 0 && stats.serverErrors === 0;
}

let ok = true;
for (const r of runtimes) {
  if (r === "node") ok = (await onNode()) && ok;
  else if (r === "workers") ok = (await onWorkers()) && ok;
  else throw new Error(`--runtime node, workers or both, not ${r}`);
}
process.exit(ok ? 0 : 1);
