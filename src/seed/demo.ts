/**
 * The demo population of the embedded default: one OEM brand, two dealers in different time zones and
 * the three kinds of key. Idempotent: a second run finds the tenant and creates nothing.
 * Runs through the store (never inside a schema migration).
 */
import type { DemoConfig } from "../embed/demo-config";
import { checkAction, VALIDATOR_VERSION } from "../domain/decide/validate-action";
import { EU_EEA } from "../domain/tenant-settings";
import { DEMO_CATALOG } from "../domain/decide/demo-catalog";
import { newId, sha256Hex } from "../lib/crypto";
import { zoneOffset } from "../domain/decide/time";
import type { VinService } from "../services/vins";
import type { Store } from "../store";
import type { Tenant } from "../store/tenants";
import { seedPopulation } from "./population";

/**
 * The demo brand: US dealers, so opt-out (an explicit opt-out blocks marketing); for people in the EU/EEA, opt-in
 * (no marketing without a recorded opt-in for the channel).
 */
export const DEMO_TENANT = {
  slug: "demo-nissan",
  name: "Nissan (demo)",
  makes: ["NISSAN", "INFINITI"],
  settings: {
    marketingConsent: { default: "opt-out" as const, optInCountries: [...EU_EEA], optOutCountries: [] },
    // 5% of households get no marketing, so that its lift can be measured (getUplift).
    holdout: { share: 0.05 },
  },
};
/** The demo in-car app's car: a 2016 Nissan Leaf (tests/fixtures/vins/vins.csv). */
export const DEMO_VIN = "1N4AZ0CP6GC304290";
/** The demo publishable key's allowed origins: this server on the port it serves, and a local dev server (Vite). */
export function demoOrigins(port: number): string[] {
  return [`http://localhost:${port}`, `http://127.0.0.1:${port}`, "http://localhost:5173"];
}

export const DEMO_DEALERS = [
  {
    code: "SD-01",
    name: "Harbor Nissan",
    timeZone: "America/Los_Angeles",
    city: "San Diego",
    country: "US",
    latitude: 32.7157,
    longitude: -117.1611,
    groupId: "grp_pacific",
  },
  {
    code: "CHI-01",
    name: "Lakeshore Nissan",
    timeZone: "America/Chicago",
    city: "Chicago",
    country: "US",
    latitude: 41.8781,
    longitude: -87.6298,
    groupId: null,
  },
] as const;

export interface DemoKeys {
  admin: string;
  publishable: string;
  vehicle: string;
  /** The demo OEM site's backend (the configurator's quote route): a server key with events:write only. */
  site?: string;
}

export interface DemoResult {
  tenant: Tenant;
  /** Present only when this run created the keys (they cannot be read back later). */
  keys: DemoKeys | null;
  /** Demo events accepted by this run. */
  events: number;
}

/** Creates the demo brand with its dealers, catalogue, population and keys unless it exists. */
export async function seedDemo(
  deps: { store: Store; vins: VinService },
  now: number,
  port = 8787,
): Promise<DemoResult> {
  const { store } = deps;
  const existing = await store.tenants.bySlug(DEMO_TENANT.slug);
  if (existing) return { tenant: existing, keys: null, events: 0 };
  const tenant = await store.tenants.create(DEMO_TENANT, now);
  const scope = { tenantId: tenant.id };
  const dealers = [];
  for (const d of DEMO_DEALERS) dealers.push(await store.dealers.create(scope, { ...d }, now));
  // issue 10: two weeks of service capacity at each dealer, so reminders carry real slots.
  for (const d of dealers)
    await store.database.batch(store.channels.putSlots(tenant.id, d.id, demoSlots(now, d.timeZone)));
  for (const a of DEMO_CATALOG) {
    const { action, faults } = checkAction(a);
    if (!action || faults.length) throw new Error(`demo action ${String(a.id)}: ${JSON.stringify(faults)}`);
    await store.decisioning.putAction({
      tenantId: tenant.id,
      id: action.id,
      dealerId: action.dealerId ?? null,
      doc: action,
      updatedAt: now,
      checkedWith: VALIDATOR_VERSION, // checked just now: a cold isolate compiles it as stored
    });
  }
  const { results } = await seedPopulation({ tenant, store, vins: deps.vins, now }, dealers);
  const rejected = results.filter((r) => r.status === "rejected");
  if (rejected.length) throw new Error(`demo events rejected: ${JSON.stringify(rejected)}`);
  return { tenant, keys: await createDemoKeys(store, tenant, now, port), events: results.length };
}

/**
 * Demo service capacity: weekdays of the next 14 days, 08:00–15:00 dealer time, two bays an hour and a loaner car
 * every other hour (times relative to `now`, so the demo always has open slots).
 */
export function demoSlots(now: number, timeZone: string) {
  const out = [];
  const HOUR = 3_600_000;
  for (let day = 1; day <= 14; day++) {
    const noonUtc = Math.floor(now / 86_400_000) * 86_400_000 + day * 86_400_000 + 12 * HOUR;
    const offset = zoneOffset(timeZone, noonUtc) ?? 0;
    const weekday = new Date(noonUtc + offset).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const midnight = Math.floor((noonUtc + offset) / 86_400_000) * 86_400_000 - offset;
    for (let h = 8; h < 15; h++) {
      const startAt = midnight + h * HOUR;
      const base = { startAt, durationMin: 60, createdAt: now, updatedAt: now };
      out.push({ ...base, id: newId("slt"), resource: "bay" as const, capacity: 2 });
      if (h % 2 === 0) out.push({ ...base, id: newId("slt"), resource: "loaner" as const, capacity: 1 });
    }
  }
  return out;
}

/** Issues a fresh set of demo keys (used when the printed ones were lost). */
export async function createDemoKeys(store: Store, tenant: Tenant, now: number, port = 8787): Promise<DemoKeys> {
  const scope = { tenantId: tenant.id };
  const admin = await store.keys.create(scope, { kind: "server", name: "demo admin", scopes: ["admin"] }, now);
  const publishable = await store.keys.create(
    scope,
    { kind: "publishable", name: "demo dealer-site widget", allowedOrigins: demoOrigins(port) },
    now,
  );
  const vehicle = await store.keys.create(scope, { kind: "vehicle", name: "demo in-car app", vin: DEMO_VIN }, now);
  return {
    admin: admin.key,
    publishable: publishable.key,
    vehicle: vehicle.key,
    site: await createSiteKey(store, tenant, now),
  };
}

/** The demo OEM site's backend key (events:write only): it sends the configurator's quote requests. */
export async function createSiteKey(store: Store, tenant: Tenant, now: number): Promise<string> {
  const site = await store.keys.create(
    { tenantId: tenant.id },
    { kind: "server", name: "demo OEM site backend", scopes: ["events:write"] },
    now,
  );
  return site.key;
}

/** Demo mode's configuration (src/embed/demo.ts) from the demo keys. */
export function demoConfig(keys: DemoKeys & { site: string }): DemoConfig {
  return { publishable: keys.publishable, vehicle: keys.vehicle, vin: DEMO_VIN, site: keys.site };
}

/**
 * Points the demo publishable key at the port actually served (the seed may have run on another), so a page
 * served by this server may use it. Returns the origins now allowed, or null when the key is not the demo's.
 */
export async function followDemoPort(store: Store, tenant: Tenant, publishableKey: string, port: number) {
  const row = await store.keys.byHash(await sha256Hex(publishableKey));
  if (!row || row.tenantId !== tenant.id || row.kind !== "publishable") return null;
  const info = await store.keys.setAllowedOrigins({ tenantId: tenant.id }, row.id, demoOrigins(port));
  return info?.allowedOrigins ?? null;
}
