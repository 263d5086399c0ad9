import type { Harness } from "./harness";

let seq = 0;
const uniq = () => `${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** A tenant of its own for one test: two dealers and every kind of key, including revoked and expired ones. */
export async function makeTenant(h: Harness, opts: { vin?: string; origin?: string; groupId?: string } = {}) {
  const now = Date.now();
  const id = uniq();
  const tenant = await h.store.tenants.create({ slug: `t-${id}`, name: `Brand ${id}` }, now);
  const scope = { tenantId: tenant.id };
  const dealer = await h.store.dealers.create(scope, {
    code: "D1", name: "North Motors", timeZone: "Europe/Berlin", city: "Berlin", country: "DE", latitude: 52.5, longitude: 13.4, groupId: opts.groupId ?? null,
  }, now);
  const dealer2 = await h.store.dealers.create(scope, {
    code: "D2", name: "South Motors", timeZone: "America/Chicago", city: "Chicago", country: "US", latitude: null, longitude: null, groupId: null,
  }, now);
  const vin = opts.vin ?? "1N4AZ0CP6GC304290";
  const origin = opts.origin ?? `https://dealer-${id}.example`;
  const key = async (input: Parameters<Harness["store"]["keys"]["create"]>[1]) => h.store.keys.create(scope, input, now);
  const allScopes = ["decide", "events:write", "profiles:read", "profiles:erase", "catalog:write"];
  const admin = await key({ kind: "server", name: "admin", scopes: ["admin"] });
  const full = await key({ kind: "server", name: "all but admin", scopes: allScopes });
  const decideOnly = await key({ kind: "server", name: "decide only", scopes: ["decide"] });
  const readOnly = await key({ kind: "server", name: "read only", scopes: ["profiles:read"] });
  const dealerBound = await key({ kind: "server", name: "dealer bound", scopes: allScopes, dealerId: dealer.id });
  const publishable = await key({ kind: "publishable", name: "widget", allowedOrigins: [origin] });
  const vehicle = await key({ kind: "vehicle", name: "car", vin });
  const revoked = await key({ kind: "server", name: "revoked", scopes: ["admin"] });
  await h.store.keys.revoke(scope, revoked.info.id, now);
  const expired = await key({ kind: "server", name: "expired", scopes: ["admin"], expiresAt: now - 1000 });
  const spare = await key({ kind: "server", name: "spare", scopes: ["decide"] });
  return {
    tenant, scope, dealer, dealer2, vin, origin,
    keys: {
      admin: admin.key, full: full.key, decideOnly: decideOnly.key, readOnly: readOnly.key, dealerBound: dealerBound.key,
      publishable: publishable.key, vehicle: vehicle.key, revoked: revoked.key, expired: expired.key,
    },
    spareKeyId: spare.info.id,
  };
}
export type TenantFixture = Awaited<ReturnType<typeof makeTenant>>;

/** Authorization (and Origin for publishable keys) headers. */
export function auth(key: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${key}`, ...extra };
}

/** A JSON request init. */
export function json(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** Asserts a problem+json response of the given type and returns its body. */
export async function expectProblem(res: Response, status: number, type: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status} ${type}, got ${res.status}: ${text}`);
  if (!res.headers.get("content-type")?.startsWith("application/problem+json")) throw new Error(`not problem+json: ${res.headers.get("content-type")}`);
  const body = JSON.parse(text) as Record<string, unknown>;
  if (body.type !== `https://pitwall.dev/problems/${type}`) throw new Error(`expected type ${type}, got ${String(body.type)}: ${text}`);
  if (body.status !== status) throw new Error(`problem status ${String(body.status)} != ${status}`);
  if (typeof body.requestId !== "string") throw new Error("problem without requestId");
  return body;
}
