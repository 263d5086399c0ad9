/**
 * Summarizes a V8 .cpuprofile (node --cpu-prof): self time by package (node_modules/<pkg>, src/…, node internals)
 * and the top functions. Usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [top=25]
 */
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const file = process.argv[2]!;
const top = Number(process.argv[3] ?? 25);
const prof = JSON.parse(readFileSync(file, "utf8")) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i]!;
  self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const where = (url: string) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  const s = /\/(src|bench)\/(.*)$/.exec(url);
  if (s) return `${s[1]}/${s[2]!.split("/").slice(0, -1).join("/") || "."}`;
  return url ? "node:internal" : "(native/gc/idle)";
};
const pkgs = new Map<string, number>();
const fns = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  const name = n.callFrame.functionName || "(anonymous)";
  const key =
    name === "(idle)" || name === "(program)" || name === "(garbage collector)" ? name : where(n.callFrame.url);
  pkgs.set(key, (pkgs.get(key) ?? 0) + t);
  const f = `${name} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber}`;
  fns.set(f, (fns.get(f) ?? 0) + t);
}
const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
console.log(`total ${(total / 1e6).toFixed(2)} s sampled`);
for (const [k, t] of [...pkgs].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${pct(t)}  ${k}`);
console.log("--- functions (self)");
for (const [k, t] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);

// Which of our own functions the time of a package is spent under: `--under=drizzle-orm` (first src/ frame above).
const under = process.argv.find((a) => a.startsWith("--under="))?.slice(8);
if (under) {
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const callers = new Map<string, number>();
  for (const [id, t] of self) {
    if (!byId.get(id)!.callFrame.url.includes(under)) continue;
    let cur: number | undefined = id;
    let name = "(none)";
    while (cur !== undefined) {
      const f = byId.get(cur)!.callFrame;
      if (/\/src\//.test(f.url)) {
        name = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber}`;
        break;
      }
      cur = parent.get(cur);
    }
    callers.set(name, (callers.get(name) ?? 0) + t);
  }
  console.log(`--- ${under}: under`);
  for (const [k, t] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(t)}  ${k}`);
}

// Inclusive time of our own functions (src/): `--inclusive`.
if (process.argv.includes("--inclusive")) {
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, number>();
  for (const [id, t] of self) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!/\/src\//.test(f.url)) continue;
      const name = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber}`;
      if (seen.has(name)) continue;
      seen.add(name);
      incl.set(name, (incl.get(name) ?? 0) + t);
    }
  }
  console.log("--- inclusive (src/)");
  for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
}
