import type { AppContext } from "../http/context";
import { Problem } from "../http/problems";
import type { Tenant } from "../store/tenants";
import type { IngestContext } from "./ingest";

const TENANT_TTL_MS = 60_000;
const tenantCache = new Map<string, { tenant: Tenant; until: number }>();

/** The caller's tenant row (salt, makes), cached per isolate for a minute. */
export async function callerTenant(c: AppContext): Promise<Tenant> {
  const { tenantId } = c.var.principal;
  const now = c.var.deps.now();
  const hit = tenantCache.get(tenantId);
  if (hit && hit.until > now) return hit.tenant;
  const row = await c.var.deps.store.tenants.byId(tenantId);
  if (!row) throw new Problem("invalid-api-key", "The key's tenant no longer exists.");
  const tenant = row.secret ? row : { ...row, secret: await c.var.deps.store.tenants.secret(tenantId) };
  tenantCache.set(tenantId, { tenant, until: now + TENANT_TTL_MS });
  return tenant;
}

/** What the customer-360 services need from a request. */
export async function serviceContext(c: AppContext, extra: Partial<IngestContext> = {}): Promise<IngestContext> {
  const { store, vins, now, random } = c.var.deps;
  return { tenant: await callerTenant(c), principal: c.var.principal, store, vins, now: now(), random, ...extra };
}

/** The caller's data scope: tenant, and dealer for dealer-bound keys. */
export function callerScope(c: AppContext) {
  const p = c.var.principal;
  return { tenantId: p.tenantId, dealerId: p.dealerId };
}
