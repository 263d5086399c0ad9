/**
 * The edge of the HTTP contract, for every response: security headers, no caching of anything personal, CORS
 * preflight answered only for origins a publishable key allows, and 405 (with Allow) for a wrong method on a fixed
 * path that a parameterised one would otherwise swallow.
 */
import type { MiddlewareHandler } from "hono";
import type { AppContext, AppEnv } from "./context";
import { problemResponse } from "./errors";
import { Problem } from "./problems";

/** Nothing may load an API response as a script or style, and nothing may frame it. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";
/** Pages that set no CSP of their own (an HTML page such as /docs sets its own): at least no framing. */
export const PAGE_CSP = "frame-ancestors 'none'";
const HSTS = "max-age=63072000; includeSubDomains";

/** Whether the request reached us over TLS (directly, or through a proxy that says so). */
function overTls(c: AppContext): boolean {
  return c.req.url.startsWith("https:") || c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

/**
 * Security headers on every response, set after the handler so that a route's own values (a page's CSP, decide's
 * Cache-Control) are kept: X-Content-Type-Options, X-Frame-Options and CSP frame-ancestors, Referrer-Policy, HSTS
 * over TLS, a default CSP, and `Cache-Control: no-store` on every /v1 response (all of it is a tenant's data; most of
 * it personal: profiles, lookups, exports, vehicles, decisions, event results, audit, keys).
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    let h = c.res.headers;
    try {
      h.set("X-Content-Type-Options", "nosniff");
    } catch {
      // A response straight from a binding (Workers static assets) has immutable headers: answer with a copy.
      c.res = new Response(c.res.body, c.res);
      h = c.res.headers;
      h.set("X-Content-Type-Options", "nosniff");
    }
    h.set("X-Frame-Options", "DENY");
    h.set("Referrer-Policy", "no-referrer");
    if (overTls(c)) h.set("Strict-Transport-Security", HSTS);
    if (!h.has("Content-Security-Policy"))
      h.set("Content-Security-Policy", /^text\/html/i.test(h.get("content-type") ?? "") ? PAGE_CSP : API_CSP);
    if (c.req.path.startsWith("/v1/") && !h.has("Cache-Control")) h.set("Cache-Control", "no-store");
  };
}

/** Allowed origins per isolate for a short time, so a preflight costs a query at most once per origin and TTL. */
export class OriginCache {
  private readonly entries = new Map<string, { allowed: boolean; until: number }>();
  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 10_000,
  ) {}

  async allowed(origin: string, now: number, lookup: () => Promise<boolean>): Promise<boolean> {
    const hit = this.entries.get(origin);
    if (hit && hit.until > now) return hit.allowed;
    const allowed = await lookup();
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(origin, { allowed, until: now + this.ttlMs });
    return allowed;
  }

  /** Forgets everything (a key's origins changed in this isolate); other isolates follow within the TTL. */
  clear(): void {
    this.entries.clear();
  }
}

const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

/**
 * CORS preflight: answered with Access-Control-Allow-* only for an origin that some active publishable key allows
 * (no key comes with a preflight); any other origin gets a 204 without them, so the browser stops there.
 */
export function preflight(): MiddlewareHandler<AppEnv> {
  return async (c) => {
    const origin = c.req.header("origin");
    const vary = { Vary: "Origin" };
    if (!origin || !ORIGIN.test(origin)) return c.body(null, 204, vary);
    const { originCache, store, now } = c.var.deps;
    const t = now();
    const ok = await originCache.allowed(origin, t, () => store.keys.originAllowed(origin, t));
    if (!ok) return c.body(null, 204, vary);
    return c.body(null, 204, {
      ...vary,
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE",
      "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key, Sec-GPC",
      "Access-Control-Expose-Headers": "X-Request-Id, Retry-After",
      "Access-Control-Max-Age": "600",
    });
  };
}

/**
 * 405 with Allow for a wrong method on a fixed path (`DELETE /v1/profiles/lookup`), which the router would otherwise
 * hand to a parameterised route (`DELETE /v1/profiles/:profileId`) and answer 404.
 */
export function fixedPathMethods(routes: readonly { method: string; path: string }[]): MiddlewareHandler<AppEnv> {
  const fixed = new Map<string, Set<string>>();
  for (const r of routes) {
    if (r.path.includes(":")) continue;
    const m = fixed.get(r.path) ?? new Set<string>();
    m.add(r.method.toUpperCase());
    if (r.method.toUpperCase() === "GET") m.add("HEAD");
    fixed.set(r.path, m);
  }
  return async (c, next) => {
    const allowed = fixed.get(c.req.path.replace(/\/$/, ""));
    if (allowed && c.req.method !== "OPTIONS" && !allowed.has(c.req.method)) {
      const allow = [...allowed].join(", ");
      return problemResponse(c, new Problem("method-not-allowed", `Use ${allow}.`, {}, { Allow: allow }));
    }
    await next();
  };
}
