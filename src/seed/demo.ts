/**
 * The demo population of the embedded default: one OEM brand, two dealers in different time zones and
 * the three kinds of key. Idempotent: a second run finds the tenant and creates nothing.
 * Runs through the store (never inside a schema migration).
 */
import { checkAction, VALIDATOR_VERSION } from "../domain/decide/validate-action";
import { EU_EEA } from "../domain/tenant-settings";
import { DEMO_CATALOG } from "../domain/decide/demo-catalog";
import { sha256Hex } from "../lib/crypto";
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
  settings: { marketingConsent: { default: "opt-out" as const, optInCountries: [...EU_EEA], optOutCountries: [] } },
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
  return { admin: admin.key, publishable: publishable.key, vehicle: vehicle.key };
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
