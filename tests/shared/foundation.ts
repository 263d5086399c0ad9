/** Foundation behaviour, run on both runtimes: health, errors, OpenAPI, dealers, keys, CORS. */
import { describe, expect, it } from "vitest";
import committedSpec from "../../openapi/openapi.json";
import { EVENT_DATA, EVENT_TYPES, EventEnvelopeSchema } from "../../src/domain/profile/events";
import { DOCS_CSP } from "../../src/http/docs";
import { operations } from "../../src/routes";
import { auth, expectProblem, json, makeTenant } from "./fixtures";
import type { Harness } from "./harness";

export function foundationSuite(getHarness: () => Harness) {
  describe("health and metadata", () => {
    it("GET /health answers 200 with store, schema and build, without a key", async () => {
      const res = await getHarness().fetch("/health");
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toMatch(/.{8,}/);
      const body = (await res.json()) as {
        status: string;
        store: { reachable: boolean };
        schema: { upToDate: boolean; latest: string };
      };
      expect(body.status).toBe("ok");
      expect(body.store.reachable).toBe(true);
      expect(body.schema.upToDate).toBe(true);
      expect(body.schema.latest).toMatch(/^\d{4}_/);
    });

    it("serves OpenAPI 3.1 identical to the committed openapi/openapi.json, with its own origin as server", async () => {
      const res = await getHarness().fetch("/openapi.json");
      expect(res.status).toBe(200);
      const served = (await res.json()) as { openapi: string; servers: { url: string }[] };
      expect(served.openapi).toBe("3.1.0");
      // "Try it out" and generated clients reach the server that served the document, whatever its port.
      expect(served.servers).toEqual([{ url: getHarness().origin, description: expect.any(String) }]);
      expect(committedSpec.servers).toEqual([{ url: "http://127.0.0.1:8787", description: expect.any(String) }]);
      // On failure: npm run openapi, then commit openapi/openapi.json.
      expect({ ...served, servers: committedSpec.servers }).toEqual(committedSpec);
    });

    it("documents every event type: a member of the Event union with its data schema, a description and an example that is accepted", async () => {
      const spec = (await (await getHarness().fetch("/openapi.json")).json()) as {
        components: { schemas: Record<string, any> };
        paths: Record<string, any>;
      };
      const body = spec.paths["/v1/events"].post.requestBody.content["application/json"].schema;
      expect(body.properties.events.items).toEqual({ $ref: "#/components/schemas/Event" });
      const union = spec.components.schemas.Event;
      expect(union.discriminator.propertyName).toBe("type");
      expect(Object.keys(union.discriminator.mapping).sort()).toEqual([...EVENT_TYPES].sort());
      expect(union.oneOf).toHaveLength(EVENT_TYPES.length);
      const examples = [];
      for (const t of EVENT_TYPES) {
        const ref = union.discriminator.mapping[t] as string;
        expect(union.oneOf).toContainEqual({ $ref: ref });
        const member = spec.components.schemas[ref.split("/").pop()!];
        expect(member.properties.type.enum, t).toEqual([t]);
        expect(member.properties.data.type, t).toBe("object");
        expect(Object.keys(member.properties.data.properties ?? {}).length, t).toBeGreaterThan(0);
        expect(member.description?.length ?? 0, t).toBeGreaterThan(20);
        expect(member.example.type, t).toBe(t);
        expect(EventEnvelopeSchema.safeParse(member.example).success, t).toBe(true);
        expect(EVENT_DATA[t].safeParse(member.example.data).error, t).toBeUndefined();
        examples.push(member.example);
      }
      // Every documented example is an event the server accepts; a bad one beside them is rejected alone.
      const a = await makeTenant(getHarness());
      const bad = { ...examples[0], id: "evt-doc-bad-0001", data: { url: 42 } };
      const events = [...examples.map((e, i) => ({ ...e, id: `evt-doc-example-${i}` })), bad];
      const res = await getHarness().fetch("/v1/events", json("POST", { events }, auth(a.keys.admin)));
      expect(res.status).toBe(200);
      const r = (await res.json()) as { accepted: number; rejected: number; results: { status: string }[] };
      expect(r, JSON.stringify(r.results.filter((x) => x.status !== "accepted"))).toMatchObject({
        accepted: EVENT_TYPES.length,
        rejected: 1,
      });
      expect(r.results.at(-1)).toMatchObject({ status: "rejected", reasons: [{ pointer: "/data/url" }] });
    });

    it("serves the interactive reference at /docs under its own Content-Security-Policy, and / leads there", async () => {
      const res = await getHarness().fetch("/docs");
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(res.headers.get("content-security-policy")).toBe(DOCS_CSP);
      expect(DOCS_CSP).toMatch(/script-src 'self'(;|$)/);
      const html = await res.text();
      expect(html).toContain("/docs/swagger-ui/swagger-ui-bundle.js");
      expect(html).not.toMatch(/https?:\/\//); // nothing from another host
      expect(html).not.toMatch(/<script>/); // no inline script: script-src 'self' holds
      const init = await getHarness().fetch("/docs/init.js");
      expect(init.status).toBe(200);
      expect(await init.text()).toContain('url: "/openapi.json"');
      const root = await getHarness().fetch("/", { redirect: "manual" });
      expect(root.status).toBe(302);
      expect(new URL(root.headers.get("location")!, getHarness().origin).pathname).toBe("/docs");
    });

    it("serves Swagger UI's files from the swagger-ui-dist package, no CDN", async () => {
      for (const [file, type] of [
        ["swagger-ui-bundle.js", /javascript/],
        ["swagger-ui.css", /css/],
      ] as const) {
        const res = await getHarness().fetch(`/docs/swagger-ui/${file}`);
        expect(res.status, file).toBe(200);
        expect(res.headers.get("content-type"), file).toMatch(type);
        expect((await res.arrayBuffer()).byteLength, file).toBeGreaterThan(100_000);
      }
    });
  });

  describe("one error contract", () => {
    it("POST /v1/decide without a key is 401 problem+json", async () => {
      await expectProblem(await getHarness().fetch("/v1/decide", json("POST", {})), 401, "missing-api-key");
    });

    it("malformed JSON is 400 and names the syntax error", async () => {
      const a = await makeTenant(getHarness());
      const res = await getHarness().fetch("/v1/dealers", {
        method: "POST",
        headers: { ...auth(a.keys.admin), "content-type": "application/json" },
        body: '{"code": ',
      });
      const p = await expectProblem(res, 400, "malformed-json");
      expect(String(p.detail)).toMatch(/JSON|Unexpected|Expected/i);
    });

    it("a body that is not JSON is 415", async () => {
      const a = await makeTenant(getHarness());
      const res = await getHarness().fetch("/v1/dealers", {
        method: "POST",
        headers: { ...auth(a.keys.admin), "content-type": "text/plain" },
        body: "hello",
      });
      await expectProblem(res, 415, "unsupported-media-type");
    });

    it("a body over the limit is 413 and stores nothing", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const big = { code: "BIG", name: "x".repeat(1_100_000), timeZone: "Europe/Berlin" };
      await expectProblem(
        await h.fetch("/v1/dealers", json("POST", big, auth(a.keys.admin))),
        413,
        "payload-too-large",
      );
      expect(await h.store.dealers.byCode(a.scope, "BIG")).toBeUndefined();
    });

    it("validation names the failing field and stores nothing", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const res = await h.fetch(
        "/v1/dealers",
        json("POST", { code: "TZ1", name: "Bad Zone", timeZone: "Mars/Olympus" }, auth(a.keys.admin)),
      );
      const p = await expectProblem(res, 400, "validation-failed");
      expect(p.errors).toEqual([expect.objectContaining({ in: "body", pointer: "/timeZone" })]);
      expect(await h.store.dealers.byCode(a.scope, "TZ1")).toBeUndefined();
    });

    it("a known path with the wrong method is 405 with Allow", async () => {
      const res = await getHarness().fetch("/v1/dealers", { method: "PATCH" });
      await expectProblem(res, 405, "method-not-allowed");
      expect(res.headers.get("allow")).toContain("GET");
      expect(res.headers.get("allow")).toContain("POST");
    });

    // Found by the fuzzer: GET /v1/dealers/ answered "405, use GET" — a method the answer itself allows.
    it("a 405 never names the method asked: a route's path with a trailing slash is 404", async () => {
      for (const [method, path] of [
        ["GET", "/v1/dealers/"],
        ["POST", "/v1/keys/"],
        ["GET", "/v1/profiles/lookup/"],
      ] as const) {
        const res = await getHarness().fetch(path, { method, headers: { "content-type": "application/json" } });
        await expectProblem(res, 404, "not-found").catch((e) => {
          throw new Error(`${method} ${path}: ${(e as Error).message}`);
        });
      }
      const wrong = await getHarness().fetch("/v1/dealers/", { method: "DELETE" });
      await expectProblem(wrong, 405, "method-not-allowed");
      expect(wrong.headers.get("allow")).not.toContain("DELETE");
    });

    it("an unknown path is 404 problem+json", async () => {
      await expectProblem(await getHarness().fetch("/v1/nothing-here"), 404, "not-found");
    });

    it("keeps an incoming X-Request-Id and echoes it in the problem", async () => {
      const res = await getHarness().fetch("/v1/decide", {
        ...json("POST", {}),
        headers: { "content-type": "application/json", "x-request-id": "trace-abc-123" },
      });
      expect(res.headers.get("x-request-id")).toBe("trace-abc-123");
      expect((await expectProblem(res, 401, "missing-api-key")).requestId).toBe("trace-abc-123");
    });
  });

  describe("dealers", () => {
    it("creates, lists and gets dealers of the brand", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const res = await h.fetch(
        "/v1/dealers",
        json(
          "POST",
          { code: "NEW-1", name: "Fjord Motors", timeZone: "Europe/Oslo", country: "no" },
          auth(a.keys.admin),
        ),
      );
      expect(res.status).toBe(201);
      const created = (await res.json()) as { id: string; country: string; timeZone: string };
      expect(created.country).toBe("NO");
      const list = (await (await h.fetch("/v1/dealers", { headers: auth(a.keys.full) })).json()) as {
        dealers: { id: string }[];
      };
      expect(list.dealers.map((d) => d.id).sort()).toEqual([a.dealer.id, a.dealer2.id, created.id].sort());
      const one = (await (await h.fetch(`/v1/dealers/${created.id}`, { headers: auth(a.keys.full) })).json()) as {
        timeZone: string;
      };
      expect(one.timeZone).toBe("Europe/Oslo");
    });

    it("a dealer-bound key sees only its own rooftop", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const list = (await (await h.fetch("/v1/dealers", { headers: auth(a.keys.dealerBound) })).json()) as {
        dealers: { id: string }[];
      };
      expect(list.dealers.map((d) => d.id)).toEqual([a.dealer.id]);
      await expectProblem(
        await h.fetch(`/v1/dealers/${a.dealer2.id}`, { headers: auth(a.keys.dealerBound) }),
        404,
        "not-found",
      );
    });

    it("a multi-brand group's records stay apart: one brand never sees the other brand's record", async () => {
      const h = getHarness();
      const a = await makeTenant(h, { groupId: "grp_shared" });
      const b = await makeTenant(h, { groupId: "grp_shared" });
      const list = (await (await h.fetch("/v1/dealers", { headers: auth(a.keys.admin) })).json()) as {
        dealers: { id: string }[];
      };
      expect(list.dealers.map((d) => d.id)).not.toContain(b.dealer.id);
      await expectProblem(
        await h.fetch(`/v1/dealers/${b.dealer.id}`, { headers: auth(a.keys.admin) }),
        404,
        "not-found",
      );
    });

    it("refuses a duplicate dealer code with 409 already-exists, even when two requests race", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const p = await expectProblem(
        await h.fetch("/v1/dealers", json("POST", { code: "D1", name: "Dup", timeZone: "UTC" }, auth(a.keys.admin))),
        409,
        "already-exists",
      );
      expect(p.errors).toEqual([expect.objectContaining({ pointer: "/code" })]);
      const race = await Promise.all(
        [1, 2, 3].map((i) =>
          h.fetch(
            "/v1/dealers",
            json("POST", { code: "RACE", name: `Racer ${i}`, timeZone: "UTC" }, auth(a.keys.admin)),
          ),
        ),
      );
      expect(race.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      const list = (await (await h.fetch("/v1/dealers", { headers: auth(a.keys.admin) })).json()) as {
        dealers: { code: string }[];
      };
      expect(list.dealers.filter((d) => d.code === "RACE")).toHaveLength(1);
    });
  });

  describe("keys", () => {
    it("shows a new key once, stores only its hash, and the key works at once", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const res = await h.fetch(
        "/v1/keys",
        json("POST", { kind: "server", name: "ci", scopes: ["profiles:read"] }, auth(a.keys.admin)),
      );
      expect(res.status).toBe(201);
      const created = (await res.json()) as { id: string; key: string; prefix: string };
      expect(created.key).toMatch(/^sk_[0-9A-Za-z]{32}$/);
      expect(created.key.startsWith(created.prefix)).toBe(true);
      const listed = await (await h.fetch("/v1/keys", { headers: auth(a.keys.admin) })).text();
      expect(listed).toContain(created.id);
      expect(listed).not.toContain(created.key);
      expect(listed).not.toContain('"hash"');
      expect((await h.fetch("/v1/dealers", { headers: auth(created.key) })).status).toBe(200);
    });

    it("revocation takes effect at once and is idempotent", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const created = (await (
        await h.fetch("/v1/keys", json("POST", { kind: "server", name: "tmp", scopes: ["decide"] }, auth(a.keys.admin)))
      ).json()) as { id: string; key: string };
      expect((await h.fetch("/v1/dealers", { headers: auth(created.key) })).status).toBe(200);
      const r1 = await h.fetch(`/v1/keys/${created.id}`, { method: "DELETE", headers: auth(a.keys.admin) });
      expect(r1.status).toBe(200);
      const revokedAt = ((await r1.json()) as { revokedAt: string }).revokedAt;
      const r2 = (await (
        await h.fetch(`/v1/keys/${created.id}`, { method: "DELETE", headers: auth(a.keys.admin) })
      ).json()) as { revokedAt: string };
      expect(r2.revokedAt).toBe(revokedAt);
      await expectProblem(await h.fetch("/v1/dealers", { headers: auth(created.key) }), 401, "revoked-api-key");
    });

    it("refuses a vehicle key for a VIN that fails validation with invalid-vin naming the rule, and creates nothing", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const cases: [string, string][] = [
        ["1N4AZ0CP5GC304290", "check_digit"],
        ["1n4az0cp6gc304290", "lowercase"],
        ["1N4AZ0CP6GC30429", "length"],
        ["1N4AZ0CP6UC304290", "model_year"],
        ["1N4AZ0CP6GC3O4290", "characters"],
      ];
      for (const [vin, rule] of cases) {
        const p = await expectProblem(
          await h.fetch("/v1/keys", json("POST", { kind: "vehicle", name: "car", vin }, auth(a.keys.admin))),
          400,
          "invalid-vin",
        );
        expect(p.rule, vin).toBe(rule);
      }
      const keys = (await (await h.fetch("/v1/keys", { headers: auth(a.keys.admin) })).json()) as {
        keys: { name: string; kind: string }[];
      };
      expect(keys.keys.filter((k) => k.kind === "vehicle").map((k) => k.name)).toEqual(["car"]); // the fixture's only
      // Positive controls: a valid VIN, and one of NHTSA's published check-digit exceptions.
      for (const vin of ["5N1AT2MVXLC807279", "KMTGB4SDDRU227900"]) {
        const ok = await h.fetch("/v1/keys", json("POST", { kind: "vehicle", name: "ok", vin }, auth(a.keys.admin)));
        expect(ok.status, await ok.clone().text()).toBe(201);
        expect(((await ok.json()) as { vin: string }).vin).toBe(vin);
      }
    });

    it("checks what each kind of key needs", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const bad = [
        { kind: "server", name: "no scopes" },
        { kind: "publishable", name: "no origins" },
        { kind: "vehicle", name: "no vin" },
        { kind: "server", name: "dealer admin", scopes: ["admin"], dealerId: a.dealer.id },
        { kind: "publishable", name: "bad origin", allowedOrigins: ["javascript:alert(1)"] },
        // Found by the fuzzer's long run: an empty dealer id skipped the dealer check and failed in the store (500).
        { kind: "server", name: "empty dealer", scopes: ["decide"], dealerId: "" },
      ];
      for (const body of bad)
        await expectProblem(
          await h.fetch("/v1/keys", json("POST", body, auth(a.keys.admin))),
          400,
          "validation-failed",
        );
      const other = await makeTenant(h);
      await expectProblem(
        await h.fetch(
          "/v1/keys",
          json(
            "POST",
            { kind: "server", name: "x", scopes: ["decide"], dealerId: other.dealer.id },
            auth(a.keys.admin),
          ),
        ),
        400,
        "validation-failed",
      );
      const expiring = (await (
        await h.fetch(
          "/v1/keys",
          json(
            "POST",
            { kind: "server", name: "exp", scopes: ["decide"], expiresAt: new Date(Date.now() - 1).toISOString() },
            auth(a.keys.admin),
          ),
        )
      ).json()) as { key: string };
      await expectProblem(await h.fetch("/v1/dealers", { headers: auth(expiring.key) }), 401, "expired-api-key");
    });
  });

  describe("CORS for publishable keys", () => {
    it("answers preflight and echoes an allowed origin on the actual request", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const pre = await h.fetch("/v1/decide", {
        method: "OPTIONS",
        headers: { origin: a.origin, "access-control-request-method": "POST" },
      });
      expect(pre.status).toBe(204);
      expect(pre.headers.get("access-control-allow-headers")).toContain("Authorization");
      const res = await h.fetch(
        "/v1/decide",
        json(
          "POST",
          { subject: { visitorId: "v1" }, channel: "dealer_site", placement: "hero" },
          auth(a.keys.publishable, { origin: a.origin }),
        ),
      );
      expect(res.headers.get("access-control-allow-origin")).toBe(a.origin);
    });

    it("a publishable key may not name a customer or a VIN", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      for (const subject of [{ customerId: "c1" }, { vin: a.vin }]) {
        const res = await h.fetch(
          "/v1/decide",
          json(
            "POST",
            { subject, channel: "dealer_site", placement: "hero" },
            auth(a.keys.publishable, { origin: a.origin }),
          ),
        );
        await expectProblem(res, 403, "subject-not-allowed");
      }
    });
  });

  describe("the edge of the HTTP contract", () => {
    const SECURITY = (res: Response, what: string) => {
      expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), what).toBe("DENY");
      expect(res.headers.get("referrer-policy"), what).toBe("no-referrer");
      expect(res.headers.get("content-security-policy") ?? "", what).toContain("frame-ancestors 'none'");
    };

    it("security headers on every response: success, problem, 404, 405, preflight and the docs page", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const responses: [string, Response][] = [
        ["health", await h.fetch("/health")],
        ["openapi", await h.fetch("/openapi.json")],
        ["dealers", await h.fetch("/v1/dealers", { headers: auth(a.keys.admin) })],
        ["401", await h.fetch("/v1/dealers")],
        ["404", await h.fetch("/v1/nothing-here")],
        ["405", await h.fetch("/v1/dealers", { method: "PATCH" })],
        ["preflight", await h.fetch("/v1/decide", { method: "OPTIONS", headers: { origin: a.origin } })],
      ];
      for (const [what, res] of responses) {
        SECURITY(res, what);
        expect(res.headers.get("content-security-policy"), what).toBe("default-src 'none'; frame-ancestors 'none'");
        expect(res.headers.get("strict-transport-security"), what).toBeNull(); // plain HTTP here
      }
      const docs = await h.fetch("/docs");
      expect(docs.status).toBe(200);
      expect(docs.headers.get("x-content-type-options")).toBe("nosniff");
      expect(docs.headers.get("x-frame-options")).toBe("DENY");
      expect(docs.headers.get("content-security-policy")).toBeTruthy(); // the page's own, or at least frame-ancestors
      const tls = await h.fetch("/health", { headers: { "x-forwarded-proto": "https" } });
      expect(tls.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    });

    it("Cache-Control: no-store on personal data (profiles, lookup, export, vehicles, decide, events) and every problem", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const reads = [
        `/v1/profiles/${a.profileId}`,
        `/v1/profiles/lookup?customerId=${a.customerId}`,
        `/v1/profiles/${a.profileId}/export`,
        `/v1/vehicles/${a.vin}`,
      ];
      for (const path of reads) {
        const res = await h.fetch(path, { headers: auth(a.keys.admin) });
        expect(res.status, path).toBe(200);
        expect(res.headers.get("cache-control"), path).toContain("no-store");
      }
      const decided = await h.fetch(
        "/v1/decide",
        json(
          "POST",
          { subject: { customerId: a.customerId }, channel: "dealer_site", placement: "hero" },
          auth(a.keys.admin),
        ),
      );
      expect(decided.headers.get("cache-control")).toContain("no-store");
      const ev = await h.fetch(
        "/v1/events",
        json(
          "POST",
          {
            events: [
              {
                id: `cc-${Date.now()}`,
                type: "page_view",
                occurredAt: new Date().toISOString(),
                identifiers: { customerId: a.customerId },
                data: { url: "https://example.com/" },
              },
            ],
          },
          auth(a.keys.admin),
        ),
      );
      expect(ev.status).toBe(200);
      expect(ev.headers.get("cache-control")).toContain("no-store");
      const missing = await h.fetch(`/v1/profiles/prs_nobody`, { headers: auth(a.keys.admin) });
      expect(missing.status).toBe(404);
      expect(missing.headers.get("cache-control")).toContain("no-store");
    });

    it("CORS preflight answers only an origin some active publishable key allows", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const pre = (origin: string) =>
        h.fetch("/v1/decide", {
          method: "OPTIONS",
          headers: {
            origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization",
          },
        });
      const ok = await pre(a.origin);
      expect(ok.status).toBe(204);
      expect(ok.headers.get("access-control-allow-origin")).toBe(a.origin);
      expect(ok.headers.get("access-control-allow-methods")).toContain("PATCH");
      for (const foreign of ["https://evil.example", "null", "https://dealer.example.evil.example"]) {
        const res = await pre(foreign);
        expect(res.headers.get("access-control-allow-origin"), foreign).toBeNull();
        expect(res.headers.get("access-control-allow-methods"), foreign).toBeNull();
      }
      // A new publishable key's origin is answered at once; a revoked key's origin no longer is (in this isolate).
      const fresh = `https://fresh-${Date.now().toString(36)}.example`;
      expect((await pre(fresh)).headers.get("access-control-allow-origin")).toBeNull();
      const created = (await (
        await h.fetch(
          "/v1/keys",
          json("POST", { kind: "publishable", name: "fresh", allowedOrigins: [fresh] }, auth(a.keys.admin)),
        )
      ).json()) as { id: string };
      expect((await pre(fresh)).headers.get("access-control-allow-origin")).toBe(fresh);
      await h.fetch(`/v1/keys/${created.id}`, { method: "DELETE", headers: auth(a.keys.admin) });
      expect((await pre(fresh)).headers.get("access-control-allow-origin")).toBeNull();
    });

    it("405 with Allow on every path of the route table, including /v1/profiles/lookup", async () => {
      const byPath = new Map<string, Set<string>>();
      for (const op of operations) {
        const path = op.path.replace(/:(\w+)/g, "x_1");
        byPath.set(path, (byPath.get(path) ?? new Set()).add(op.method.toUpperCase()));
      }
      expect(byPath.size).toBeGreaterThan(15);
      for (const [path, methods] of byPath) {
        const wrong = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => !methods.has(m));
        for (const method of wrong) {
          const res = await getHarness().fetch(path, { method });
          await expectProblem(res, 405, "method-not-allowed").catch((e) => {
            throw new Error(`${method} ${path}: ${(e as Error).message}`);
          });
          const allow = (res.headers.get("allow") ?? "").split(/,\s*/);
          for (const m of methods) expect(allow, `${method} ${path}`).toContain(m);
        }
      }
      const lookup = await getHarness().fetch("/v1/profiles/lookup", { method: "DELETE" });
      await expectProblem(lookup, 405, "method-not-allowed");
      expect(lookup.headers.get("allow")).toBe("GET, HEAD");
    });

    it("an empty Idempotency-Key is 400 and stores nothing", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const id = `idem-empty-${Date.now().toString(36)}`;
      const body = {
        events: [
          {
            id,
            type: "page_view",
            occurredAt: new Date().toISOString(),
            identifiers: { visitorId: "v-idem" },
            data: { url: "https://example.com/" },
          },
        ],
      };
      for (const key of ["", "   "]) {
        const p = await expectProblem(
          await h.fetch("/v1/events", json("POST", body, auth(a.keys.admin, { "idempotency-key": key }))),
          400,
          "validation-failed",
        );
        expect(p.errors).toEqual([expect.objectContaining({ in: "header", pointer: "/idempotency-key" })]);
      }
      expect((await h.store.customers.eventStatuses(a.tenant.id, [id])).size).toBe(0);
    });

    it("the spec states what the validator enforces: required bodies, exactly-one-of and pattern rules", () => {
      const spec = committedSpec as unknown as {
        paths: Record<
          string,
          Record<
            string,
            { requestBody?: { required?: boolean; content: Record<string, { schema: Record<string, unknown> }> } }
          >
        >;
        components: { schemas: Record<string, Record<string, unknown>> };
      };
      const bodies = Object.entries(spec.paths).flatMap(([p, ops]) =>
        Object.entries(ops).flatMap(([m, o]) => (o.requestBody ? [[`${m} ${p}`, o.requestBody] as const] : [])),
      );
      expect(bodies.length).toBeGreaterThan(10);
      for (const [what, b] of bodies) expect(b.required, what).toBe(true);
      const schemaOf = (m: string, p: string) => spec.paths[p]![m]!.requestBody!.content["application/json"]!.schema;
      const decideBody = schemaOf("post", "/v1/decide") as {
        oneOf?: unknown;
        properties: Record<string, Record<string, unknown>>;
      };
      const subject = decideBody.properties.subject!;
      expect(subject.oneOf).toEqual([
        { required: ["visitorId"] },
        { required: ["customerId"] },
        { required: ["vin"] },
        { required: ["visitorToken"] },
      ]);
      expect(decideBody.oneOf).toEqual([{ required: ["placement"] }, { required: ["placements"] }]);
      expect((schemaOf("post", "/v1/keys").oneOf as unknown[]).length).toBe(3);
      expect(schemaOf("put", "/v1/profiles/{profileId}/consent").minProperties).toBe(2);
      expect(JSON.stringify(spec)).toContain('"minProperties":1');
      expect(JSON.stringify(subject)).toContain("^[A-HJ-NPR-Z0-9]{17}$");
    });
  });
}
