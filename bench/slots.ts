/**
 * What carrying open slots costs a decision (issue 10). Two tenants with the same 50 people (each with a dealer) and
 * one dealer-site action each, identical but for its kind: a service reminder (the decision looks up open slots —
 * from the per-isolate cache — and seals a booking link per slot it carries) or plain content (no slot step).
 * Also times the slot query itself: what reading the slots on every decision (no cache) would add.
 * Usage: npx tsx bench/slots.ts [node|workers] [decisions=400]
 */
import { startNodeTarget, startWorkersTarget, pct } from "./lib";

const runtime = (process.argv[2] ?? "node") as "node" | "workers";
const n = Number(process.argv[3] ?? 400);
const target = runtime === "node" ? await startNodeTarget() : await startWorkersTarget();
const store = target.store;
const now = Date.now();
const people = Array.from({ length: 50 }, (_, i) => `C-SLOT-${i}`);

async function tenant(reminder: boolean) {
  const t = await store.tenants.create({ slug: `sl-${reminder}-${now}`, name: "Bench", makes: ["NISSAN"] }, now);
  const scope = { tenantId: t.id };
  const dealer = await store.dealers.create(
    scope,
    {
      code: "S1",
      name: "Slot Nissan",
      timeZone: "America/Chicago",
      city: null,
      country: "US",
      latitude: null,
      longitude: null,
      groupId: null,
    },
    now,
  );
  const key = (await store.keys.create(scope, { kind: "server", name: "b", scopes: ["admin"] }, now)).key;
  await store.decisioning.putAction({
    tenantId: t.id,
    id: "svc",
    dealerId: null,
    // category info: the relevance guardrail asks service actions for a vehicle, which these people have not
    doc: {
      id: "svc",
      kind: reminder ? "service_reminder" : "content",
      category: "info",
      value: 10,
      channels: { dealer_site: { title: "Service", body: "First open: {{slots.first}}.", cta: "Book" } },
    },
    updatedAt: now,
  });
  const day = Math.floor(now / 86_400_000) * 86_400_000 + 86_400_000;
  const slots = Array.from({ length: 40 }, (_, i) => ({
    start: new Date(day + Math.floor(i / 8) * 86_400_000 + (8 + (i % 8)) * 3_600_000).toISOString(),
    capacity: 3,
  }));
  const post = (path: string, method: string, body: unknown) =>
    fetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const s = await post(`/v1/dealers/${dealer.id}/slots`, "PUT", { slots });
  if (s.status !== 200) throw new Error(`slots: ${s.status} ${await s.text()}`);
  const events = people.map((customerId, i) => ({
    id: `slot-${reminder}-${i}-evt`,
    type: "page_view",
    occurredAt: new Date(now - 60_000).toISOString(),
    identifiers: { customerId },
    dealerId: dealer.id,
    data: { url: "https://example.com/" },
  }));
  const r = await post("/v1/events", "POST", { events });
  if (r.status !== 200) throw new Error(`seed: ${r.status} ${await r.text()}`);
  return { key, tenantId: t.id };
}

const tenants = { plain: await tenant(false), slots: await tenant(true) };
const lat: Record<"plain" | "slots", number[]> = { plain: [], slots: [] };
let carried = 0;
async function one(kind: "plain" | "slots", i: number): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(`${target.url}/v1/decide`, {
    method: "POST",
    headers: { authorization: `Bearer ${tenants[kind].key}`, "content-type": "application/json" },
    body: JSON.stringify({
      subject: { customerId: people[i % people.length] },
      channel: "dealer_site",
      placement: "hero",
    }),
  });
  const body = (await r.json()) as { actions: { creative: { slots?: unknown[] } }[] };
  if (kind === "slots" && body.actions[0]?.creative.slots?.length) carried++;
  return performance.now() - t0;
}
for (let i = 0; i < 40; i++) await one(i % 2 ? "plain" : "slots", i);
carried = 0;
for (let i = 0; i < n; i++) for (const k of ["plain", "slots"] as const) lat[k].push(await one(k, i));
// A read per decision instead of the cache: the slot query alone, timed from this process.
const reads: number[] = [];
for (let i = 0; i < Math.min(n, 200); i++) {
  const t0 = performance.now();
  await store.channels.openSlots(tenants.slots.tenantId, Date.now(), Date.now() + 15 * 86_400_000);
  reads.push(performance.now() - t0);
}
await target.stop();

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p50: pct(s, 50), p99: pct(s, 99) };
};
const f = (x: number) => x.toFixed(2);
const p = stats(lat.plain);
const s = stats(lat.slots);
const q = stats(reads);
console.log(
  `${runtime}: decide without slots mean ${f(p.mean)} ms p50 ${f(p.p50)}; with 3 slots and booking links (cache) mean ${f(s.mean)} ms p50 ${f(s.p50)}: +${f(s.mean - p.mean)} ms; ${carried}/${n} carried slots`,
);
console.log(
  `${runtime}: the slot query a per-decision read would add: mean ${f(q.mean)} ms p50 ${f(q.p50)} p99 ${f(q.p99)}`,
);
process.exit(0);
