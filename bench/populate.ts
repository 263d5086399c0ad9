/**
 * Filling the bench databases before a server starts: a brand with a dealer, an admin key and a catalogue, and
 * people sent through Pitwall's own write path (ingestEvents: validation, identity resolution, projection and
 * the guarded atomic batch), timed, so the write rate is a figure of its own. The floors get a table of
 * profile-sized JSON rows.
 */
import { createClient } from "@libsql/client";
import type { ActionInput } from "../src/domain/decide/action";
import { checkAction, VALIDATOR_VERSION } from "../src/domain/decide/validate-action";
import type { Principal } from "../src/http/context";
import { ingestEvents } from "../src/services/ingest";
import { VinService } from "../src/services/vins";
import { createStore, type Store } from "../src/store";
import { openD1 } from "../src/store/d1";
import { migrateLibsql, openLibsql } from "../src/store/libsql";
import { createNodeVinDecoder } from "../src/store/vpic/node";
import { personEvents } from "./people";

export interface Brand {
  tenantId: string;
  /** An admin key (setup). */
  key: string;
  /** What a brand's integrations hold: a server key with `decide` only (the CRM, a site's backend)… */
  decideKey: string;
  /** …and one with `profiles:read` (a service-lane screen looking people up). */
  readKey: string;
}

/** A brand, its dealer and an admin key; the catalogue stored as the actions API stores it (checked). */
export async function brand(store: Store, actions: readonly ActionInput[], now = Date.now()): Promise<Brand> {
  const t = await store.tenants.create(
    {
      slug: `bench-${now}-${Math.random().toString(36).slice(2, 6)}`,
      name: "Bench Motors",
      makes: ["NISSAN", "INFINITI"],
    },
    now,
  );
  const scope = { tenantId: t.id };
  await store.dealers.create(
    scope,
    {
      code: "B1",
      name: "Bench Nissan",
      timeZone: "America/Chicago",
      city: null,
      country: "US",
      latitude: null,
      longitude: null,
      groupId: null,
    },
    now,
  );
  const k = await store.keys.create(scope, { kind: "server", name: "bench", scopes: ["admin"] }, now);
  const decideKey = await store.keys.create(scope, { kind: "server", name: "crm", scopes: ["decide"] }, now);
  const readKey = await store.keys.create(scope, { kind: "server", name: "lane", scopes: ["profiles:read"] }, now);
  for (const a of actions) {
    const { action, faults } = checkAction(a);
    if (!action || faults.length) throw new Error(`bench action ${String(a.id)}: ${JSON.stringify(faults)}`);
    await store.decisioning.putAction({
      tenantId: t.id,
      id: action.id,
      dealerId: action.dealerId ?? null,
      doc: action,
      checkedWith: VALIDATOR_VERSION,
      updatedAt: now,
    });
  }
  return { tenantId: t.id, key: k.key, decideKey: decideKey.key, readKey: readKey.key };
}

export interface WriteRate {
  people: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * People `from`…`to`-1 of the bench population, `perPerson` events each, through ingestEvents in batches of 500
 * (in process: what is timed is the store's write path, not HTTP).
 */
export async function ingestPeople(
  store: Store,
  tenantId: string,
  from: number,
  to: number,
  perPerson: number,
  onProgress?: (done: number) => void,
): Promise<WriteRate> {
  const tenant = (await store.tenants.byId(tenantId))!;
  const principal: Principal = {
    keyId: "key_bench",
    tenantId,
    kind: "server",
    scopes: new Set(["admin"]),
    dealerId: null,
    vin: null,
    origin: null,
  };
  const vins = new VinService(store.customers, createNodeVinDecoder(), Date.now);
  const now = Date.now();
  const perBatch = Math.max(1, Math.floor(500 / perPerson));
  const t0 = performance.now();
  let events = 0;
  for (let i = from; i < to; i += perBatch) {
    const batch: unknown[] = [];
    for (let j = i; j < Math.min(to, i + perBatch); j++) batch.push(...personEvents(j, perPerson, now));
    const out = await ingestEvents({ tenant, principal, store, vins, now: Date.now() }, batch);
    const bad = out.results.find((r) => r.status !== "accepted");
    if (bad) throw new Error(`population: ${JSON.stringify(bad)}`);
    events += batch.length;
    if (onProgress && (i - from) % (perBatch * 200) === 0) onProgress(i - from);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { people: to - from, events, seconds: +seconds.toFixed(1), eventsPerSecond: Math.round(events / seconds) };
}

/** A libSQL file migrated and filled: brand, catalogue, `people` people. */
export async function populateNode(
  file: string,
  actions: readonly ActionInput[],
  people: number,
  perPerson: number,
): Promise<Brand & { rate: WriteRate }> {
  const db = await openLibsql(`file:${file}`);
  await migrateLibsql(db);
  const store = createStore(db);
  const b = await brand(store, actions);
  const rate = await ingestPeople(store, b.tenantId, 0, people, perPerson);
  db.close();
  return { ...b, rate };
}

/** Adds people to an already filled file (the scale curve grows one database). */
export async function growNode(file: string, tenantId: string, from: number, to: number, perPerson: number) {
  const db = await openLibsql(`file:${file}`);
  const store = createStore(db);
  const rate = await ingestPeople(store, tenantId, from, to, perPerson, (d) =>
    process.stderr.write(`\r  ${from + d} people…`),
  );
  process.stderr.write("\n");
  db.close();
  return rate;
}

/** A brand on a D1 database (a Miniflare binding, reached from Node). */
export async function brandOnD1(d1: D1Database, actions: readonly ActionInput[]): Promise<Brand> {
  return brand(createStore(openD1(d1)), actions);
}

/** ~1.5 KB of JSON, shaped like a profile (the floors' rows). */
export function floorDoc(i: number): string {
  return JSON.stringify({
    v: 1,
    stage: ["owner", "shopper", "lapsed"][i % 3],
    firstAt: 1_700_000_000_000 + i,
    lastAt: 1_760_000_000_000 + i,
    events: 10 + (i % 90),
    dealerId: `dlr_${i % 40}`,
    interest: {
      pageViews: i % 50,
      models: [{ model: "Ariya", powertrain: "ev", at: 1_760_000_000_000 }],
      quotes: i % 3,
    },
    vehicles: [
      {
        vin: `5N1AT2MVXLC${String(i).padStart(6, "0")}`,
        make: "Nissan",
        model: "Rogue",
        year: 2015 + (i % 10),
        powertrain: "ice",
        onBrand: true,
        relation: "financed",
        since: 1_650_000_000_000,
        loan: { amount: 24000, termMonths: 60, end: "2027-04-01", start: 1_650_000_000_000 },
        odometer: 61000 + i,
        nextService: { kind: "oil_change", due: "2026-12-20", cost: 89 },
        openRecalls: [],
        lastServiceAt: 1_750_000_000_000,
        serviceVisits: i % 9,
      },
    ],
    voice: {
      lastScore: i % 11,
      lastSurveyAt: 1_750_000_000_000,
      verbatims: 2,
      openComplaints: [],
      lastComplaintAt: null,
    },
    advocacy: { referrals: 1, converted: 0 },
    social: { mentions: 0, positive: 0, neutral: 0, negative: 0, lastAt: null },
    consent: {
      marketing: { email: true, push: true, in_vehicle: true, web: true },
      profilingObjection: false,
      drivingDataConsent: false,
      locationDataConsent: false,
      quietHours: { start: "22:00", end: "07:00" },
      preferredDealerId: `dlr_${i % 40}`,
      preferredChannel: "email",
      timeZone: "America/Los_Angeles",
      notInterested: [],
      updatedAt: 1_740_000_000_000,
    },
    notes: "x".repeat(200 + (i % 100)),
  });
}

const FLOOR_TABLE = "create table if not exists rows (id text primary key, doc text not null)";
const FLOOR_INSERT =
  "insert into rows (id, doc) select json_extract(value, '$.id'), json_extract(value, '$.doc') from json_each(?)";

/** The Node floor's table: `n` rows `r0`…, one JSON parameter per 1,000 rows. */
export async function populateFloorNode(file: string, n: number): Promise<void> {
  const c = createClient({ url: `file:${file}` });
  await c.execute("PRAGMA journal_mode = WAL");
  await c.execute(FLOOR_TABLE);
  for (let i = 0; i < n; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ id: `r${i + k}`, doc: floorDoc(i + k) }));
    await c.execute({ sql: FLOOR_INSERT, args: [JSON.stringify(rows)] });
  }
  c.close();
}

/** The workerd floor's table in D1, the same rows. */
export async function populateFloorD1(d1: D1Database, n: number): Promise<void> {
  await d1.prepare(FLOOR_TABLE).run();
  for (let i = 0; i < n; i += 1000) {
    const rows = Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ id: `r${i + k}`, doc: floorDoc(i + k) }));
    await d1.prepare(FLOOR_INSERT).bind(JSON.stringify(rows)).run();
  }
}

/**
 * People sent over HTTP (POST /v1/events), `batch` events a request, `inFlight` requests at once: the ingestion
 * figure (the route, validation, the service and the store, as a client sees it). Returns events/s and batch times.
 */
export async function ingestHttp(
  url: string,
  key: string,
  from: number,
  to: number,
  perPerson: number,
  batch = 100,
  inFlight = 4,
  tag = "h",
): Promise<WriteRate & { batchMs: { p50: number; p95: number; max: number }; errors: number }> {
  const now = Date.now();
  const perBatch = Math.max(1, Math.floor(batch / perPerson));
  const queue: number[] = [];
  for (let i = from; i < to; i += perBatch) queue.push(i);
  const times: number[] = [];
  let events = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const body: unknown[] = [];
        for (let j = i; j < Math.min(to, i + perBatch); j++) body.push(...personEvents(j, perPerson, now, tag));
        const s = performance.now();
        const res = await fetch(`${url}/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ events: body }),
        });
        const out = (await res.json()) as { accepted?: number };
        times.push(performance.now() - s);
        if (res.status !== 200 || out.accepted !== body.length) errors++;
        events += body.length;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const at = (p: number) => +(times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0).toFixed(1);
  return {
    people: to - from,
    events,
    seconds: +seconds.toFixed(1),
    eventsPerSecond: Math.round(events / seconds),
    batchMs: { p50: at(0.5), p95: at(0.95), max: at(1) },
    errors,
  };
}
