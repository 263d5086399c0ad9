/**
 * What the cap guarantee costs per decision: the same decision with and without the conditional contact write
 * before the answer. Two tenants with the same people and one action each, identical but for a cap of its own
 * (never reached) that makes every decision showing it write its contact first. Sequential requests (the cost of
 * one decision) and 8 at a time (the write under concurrency), alternating so both see the same machine.
 * Usage: npx tsx bench/contact-write.ts [node|workers] [decisions=400]
 */
import { startNodeTarget, startWorkersTarget, pct } from "./lib";

const runtime = (process.argv[2] ?? "node") as "node" | "workers";
const n = Number(process.argv[3] ?? 400);
const target = runtime === "node" ? await startNodeTarget() : await startWorkersTarget();
const store = target.store;
const now = Date.now();
const people = Array.from({ length: 50 }, (_, i) => `C-BENCH-${i}`);

async function tenant(capped: boolean) {
  const t = await store.tenants.create({ slug: `cw-${capped}-${now}`, name: "Bench", makes: ["NISSAN"] }, now);
  const key = (await store.keys.create({ tenantId: t.id }, { kind: "server", name: "b", scopes: ["admin"] }, now)).key;
  await store.decisioning.putAction({
    tenantId: t.id,
    id: "tip",
    dealerId: null,
    doc: {
      id: "tip",
      kind: "content",
      category: "info",
      value: 10,
      channels: { service_lane: { title: "Tip", body: "A useful tip.", cta: "Read" } },
      ...(capped ? { caps: { perWeek: 1000 } } : {}),
    },
    updatedAt: now,
  });
  const events = people.map((customerId, i) => ({
    id: `bench-${capped}-${i}-evt`,
    type: "page_view",
    occurredAt: new Date(now - 60_000).toISOString(),
    identifiers: { customerId },
    data: { url: "https://example.com/" },
  }));
  const r = await fetch(`${target.url}/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ events }),
  });
  if (r.status !== 200) throw new Error(`seed: ${r.status} ${await r.text()}`);
  return key;
}

const keys = { plain: await tenant(false), capped: await tenant(true) };
const lat: Record<"plain" | "capped", { seq: number[]; par: number[] }> = {
  plain: { seq: [], par: [] },
  capped: { seq: [], par: [] },
};
let degraded = 0;
async function one(kind: "plain" | "capped", i: number): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(`${target.url}/v1/decide`, {
    method: "POST",
    headers: { authorization: `Bearer ${keys[kind]}`, "content-type": "application/json" },
    body: JSON.stringify({
      subject: { customerId: people[i % people.length] },
      channel: "service_lane",
      placement: "console",
    }),
  });
  const body = (await r.json()) as { degraded: boolean; actions: unknown[] };
  if (body.degraded || !body.actions.length) degraded++;
  return performance.now() - t0;
}
for (let i = 0; i < 40; i++) await one(i % 2 ? "plain" : "capped", i); // warm-up
for (let i = 0; i < n; i++) for (const k of ["plain", "capped"] as const) lat[k].seq.push(await one(k, i));
for (let i = 0; i < n; i += 8)
  for (const k of ["plain", "capped"] as const)
    lat[k].par.push(...(await Promise.all(Array.from({ length: 8 }, (_, j) => one(k, i + j)))));
await target.stop();

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p50: pct(s, 50), p99: pct(s, 99) };
};
const f = (x: number) => x.toFixed(2);
for (const mode of ["seq", "par"] as const) {
  const p = stats(lat.plain[mode]);
  const c = stats(lat.capped[mode]);
  console.log(
    `${runtime} ${mode === "seq" ? "sequential" : "8 at a time"}: without the write mean ${f(p.mean)} ms p50 ${f(p.p50)} p99 ${f(p.p99)}; with it mean ${f(c.mean)} ms p50 ${f(c.p50)} p99 ${f(c.p99)}; cost per decision ${f(c.mean - p.mean)} ms (mean), ${f(c.p50 - p.p50)} ms (p50)`,
  );
}
console.log(`degraded or empty answers: ${degraded}`);
process.exit(0);
