/**
 * createApp(deps): the one Hono app, unaware of its runtime. Workers (src/worker.ts) and Node
 * (src/node.ts) give it a store over D1 or libSQL, a clock, a random source and validated config.
 */
import { fromHono } from "chanfana";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { authenticate } from "./http/auth";
import { contentLengthLimit, jsonBody } from "./http/body";
import type { AppEnv, Deps } from "./http/context";
import { notFoundOr405, onError } from "./http/errors";
import { operations } from "./routes";

export const API_TITLE = "Pitwall";

/** Builds the app; `deps` are created once per isolate/process. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.use(requestId({ headerName: "X-Request-Id" }));
  app.use(async (c, next) => {
    c.set("deps", deps);
    c.set("startedAt", Date.now()); // deadlines (decide) count from the request's arrival
    await next();
  });
  app.options("/v1/*", (c) => {
    // Preflight carries no key; the actual request checks the publishable key's allowed origins.
    const origin = c.req.header("origin");
    if (!origin) return c.body(null, 204);
    return c.body(null, 204, {
      "Access-Control-Allow-Origin": origin,
      "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE",
      "Access-Control-Allow-Headers": "Authorization, Content-Type, Idempotency-Key, Sec-GPC",
      "Access-Control-Expose-Headers": "X-Request-Id, Retry-After",
      "Access-Control-Max-Age": "600",
      Vary: "Origin",
    });
  });
  app.use("/v1/*", contentLengthLimit());

  const openapi = fromHono(app, {
    openapi_url: "/openapi.json",
    docs_url: "/docs",
    redoc_url: null,
    openapiVersion: "3.1",
    passthroughErrors: true,
    schema: {
      info: {
        title: API_TITLE,
        version: "1.0.0",
        description:
          "Next-best-action decisions for OEM sites, dealer sites and in-car apps, with guardrails against intrusive recommendations. Errors are RFC 9457 problem+json.",
        license: { name: "Proprietary", url: "https://pitwall.dev/license" },
        contact: { name: "Pitwall", url: "https://pitwall.dev" },
      },
      servers: [{ url: "http://127.0.0.1:8787", description: "Local embedded default (npm start)" }],
      tags: [
        { name: "Operations", description: "Health and metadata" },
        { name: "Dealers", description: "Rooftops of the brand" },
        { name: "Keys", description: "API keys: sk_ server, pk_ publishable, vk_ vehicle" },
        { name: "Events", description: "Idempotent event ingestion" },
        { name: "Identities", description: "The identity graph: links and merges" },
        { name: "Profiles", description: "Compact customer profiles, consent, access and erasure" },
        { name: "Vehicles", description: "VIN validation and decoding; vehicles in scope" },
        { name: "Catalogue", description: "Actions, their rules, creatives, caps and dealer overrides" },
        { name: "Decisions", description: "Next best actions, and what came of them" },
      ],
    },
  });
  openapi.registry.registerComponent("securitySchemes", "apiKey", {
    type: "http",
    scheme: "bearer",
    description:
      "An API key: `sk_…` server key, `pk_…` publishable key (browsers, allowed origins), `vk_…` vehicle key (one VIN).",
  });

  for (const op of operations) {
    const middleware = [...(op.auth ? [authenticate(op.auth)] : []), ...(op.hasBody ? [jsonBody()] : [])];
    (openapi[op.method] as (path: string, ...h: unknown[]) => void)(op.path, ...middleware, op.endpoint);
  }

  app.notFound(notFoundOr405(() => app.routes));
  app.onError(onError);
  return app;
}
export type App = ReturnType<typeof createApp>;
