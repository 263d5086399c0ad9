import { describe, expect, it } from "vitest";
import { ConfigError, ConfigSchema, NodeConfigSchema, parseConfig } from "../../src/config";
import { displayPrefix, effectiveScopes, grants, keyKindOf } from "../../src/domain/keys";
import { KeyCache } from "../../src/http/key-cache";
import { Problem, problemBody, problemResponses, problemTypes } from "../../src/http/problems";
import { BindingRateLimiter, RateLimiter } from "../../src/http/rate-limit";
import { Hono } from "hono";
import type { AppEnv } from "../../src/http/context";
import { API_CSP, PAGE_CSP, securityHeaders } from "../../src/http/edge";
import { randomToken, sha256Hex } from "../../src/lib/crypto";

describe("key format", () => {
  it("tells the kind from the prefix and refuses anything else", () => {
    const secret = "a".repeat(32);
    expect(keyKindOf(`sk_${secret}`)).toBe("server");
    expect(keyKindOf(`pk_${secret}`)).toBe("publishable");
    expect(keyKindOf(`vk_${secret}`)).toBe("vehicle");
    expect(keyKindOf(`xk_${secret}`)).toBeNull();
    expect(keyKindOf(`sk_${secret}x`)).toBeNull();
    expect(keyKindOf(`sk_${"a".repeat(31)}!`)).toBeNull();
    expect(displayPrefix(`sk_${secret}`)).toBe("sk_aaaaaa");
  });

  it("admin grants every scope; browser and car keys only decide and send events", () => {
    expect(grants(new Set(["admin"]), "profiles:erase")).toBe(true);
    expect(grants(new Set(["decide"]), "profiles:read")).toBe(false);
    expect([...effectiveScopes("publishable", ["admin"])].sort()).toEqual(["decide", "events:write"]);
  });

  it("random tokens are base62 of the asked length and differ", () => {
    const a = randomToken(32);
    expect(a).toMatch(/^[0-9A-Za-z]{32}$/);
    expect(randomToken(32)).not.toBe(a);
  });

  it("sha256Hex matches the known vector", async () => {
    expect(await sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("problem table", () => {
  it("renders RFC 9457 members from the table", () => {
    const body = problemBody(new Problem("rate-limited", "Retry in 3 s."), "req-1");
    expect(body).toEqual({
      type: "https://pitwall.dev/problems/rate-limited",
      title: "Too many requests",
      status: 429,
      detail: "Retry in 3 s.",
      requestId: "req-1",
    });
  });

  it("derives OpenAPI responses grouped by status", () => {
    const r = problemResponses(["missing-api-key", "revoked-api-key", "not-found"]);
    expect(Object.keys(r)).toEqual(["401", "404"]);
    expect(r["401"]!.description).toContain("missing-api-key");
    expect(r["401"]!.description).toContain("revoked-api-key");
  });

  it("has a 4xx or 5xx status for every type", () => {
    for (const [slug, p] of Object.entries(problemTypes)) expect(p.status, slug).toBeGreaterThanOrEqual(400);
  });
});

describe("config", () => {
  it("applies defaults", () => {
    const c = parseConfig(NodeConfigSchema, {});
    expect(c.PORT).toBe(8787);
    expect(c.DATABASE_URL).toBe("file:.pitwall/pitwall.db");
    expect(parseConfig(ConfigSchema, {}).DECIDE_DEADLINE_MS).toBe(150);
  });

  it("refuses bad values and names each variable", () => {
    expect(() => parseConfig(NodeConfigSchema, { PORT: "eighty", DATABASE_URL: "postgres://x" })).toThrow(ConfigError);
    try {
      parseConfig(NodeConfigSchema, { PORT: "eighty", DATABASE_URL: "postgres://x" });
    } catch (e) {
      expect((e as Error).message).toContain("PORT");
      expect((e as Error).message).toContain("DATABASE_URL");
    }
  });

  it("needs a token for Turso", () => {
    expect(() => parseConfig(NodeConfigSchema, { DATABASE_URL: "libsql://db-org.turso.io" })).toThrow(
      /DATABASE_AUTH_TOKEN/,
    );
    expect(
      parseConfig(NodeConfigSchema, { DATABASE_URL: "libsql://db-org.turso.io", DATABASE_AUTH_TOKEN: "t" })
        .DATABASE_AUTH_TOKEN,
    ).toBe("t");
  });
});

describe("rate limiter", () => {
  it("allows the limit per window, then tells how long to wait", async () => {
    const rl = new RateLimiter(2, 60_000);
    expect(await rl.hit("k", 0)).toBe(0);
    expect(await rl.hit("k", 1000)).toBe(0);
    expect(await rl.hit("k", 2000)).toBe(58);
    expect(await rl.hit("other", 2000)).toBe(0);
    expect(await rl.hit("k", 60_000)).toBe(0);
  });

  it("over the Workers binding: Retry-After is the rest of the period; a failing binding lets requests through", async () => {
    let left = 1;
    const binding = { limit: async () => ({ success: left-- > 0 }) };
    const rl = new BindingRateLimiter(binding, 60);
    expect(await rl.hit("k", 125_000)).toBe(0);
    expect(await rl.hit("k", 125_000)).toBe(55);
    const broken = new BindingRateLimiter({ limit: () => Promise.reject(new Error("down")) }, 10);
    expect(await broken.hit("k", 0)).toBe(0);
  });
});

describe("key cache", () => {
  const row = { id: "key_1" } as never;
  it("expires entries and evicts by key id", () => {
    const c = new KeyCache(1000);
    c.set("h", row, 0);
    expect(c.get("h", 999)).toBe(row);
    expect(c.get("h", 1000)).toBeUndefined();
    c.set("h", row, 0);
    c.evictKeyId("key_1");
    expect(c.get("h", 1)).toBeUndefined();
  });
  it("caches nothing with a TTL of 0", () => {
    const c = new KeyCache(0);
    c.set("h", row, 0);
    expect(c.get("h", 0)).toBeUndefined();
  });
});

describe("security headers", () => {
  it("keep a CSP or Cache-Control a route set itself, and add the defaults otherwise", async () => {
    const app = new Hono<AppEnv>();
    app.use(securityHeaders());
    app.get("/page", (c) => c.html("<p>hi</p>", 200, { "Content-Security-Policy": "default-src 'self'" }));
    app.get("/bare", (c) => c.html("<p>hi</p>"));
    app.get("/v1/thing", (c) => c.json({ ok: true }));
    app.get("/v1/cached", (c) => c.json({ ok: true }, 200, { "Cache-Control": "private, max-age=5" }));
    const page = await app.request("/page");
    expect(page.headers.get("content-security-policy")).toBe("default-src 'self'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    expect((await app.request("/bare")).headers.get("content-security-policy")).toBe(PAGE_CSP);
    const api = await app.request("/v1/thing");
    expect(api.headers.get("content-security-policy")).toBe(API_CSP);
    expect(api.headers.get("cache-control")).toBe("no-store");
    expect((await app.request("/v1/cached")).headers.get("cache-control")).toBe("private, max-age=5");
    expect((await app.request("https://api.example/v1/thing")).headers.get("strict-transport-security")).toMatch(
      /max-age/,
    );
  });
});
