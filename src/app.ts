/**
 * createApp(deps): the one Hono app, unaware of its runtime. Workers (src/worker.ts) and Node
 * (src/node.ts) give it a store over D1 or libSQL, a clock, a random source and validated config.
 */
import { fromHono } from "chanfana";
import { type Context, Hono } from "hono";
import { requestId } from "hono/request-id";
import { accessLog } from "./http/access-log";
import { authenticate } from "./http/auth";
import { contentLengthLimit, jsonBody } from "./http/body";
import type { AppEnv, Deps } from "./http/context";
import { docsInitScript, docsPage, SWAGGER_UI_PATH } from "./http/docs";
import { fixedPathMethods, preflight, securityHeaders } from "./http/edge";
import { notFoundOr405, onError } from "./http/errors";
import { operations } from "./routes";
import { registerDemo } from "./embed/demo";
import { serveWidget, WIDGET_PATH } from "./embed/widget";

export const API_TITLE = "Pitwall";
/**
 * The `servers` entry of the committed openapi/openapi.json. A running server answers /openapi.json with its
 * own origin instead, so "Try it out" and clients reach the server that served the document, on any PORT.
 */
export const DEFAULT_SERVER = { url: "http://127.0.0.1:8787", description: "Local embedded default (npm start)" };

/**
 * Builds the app; `deps` are created once per isolate/process. A function of the request's context instead lets
 * the Worker build the app in its global scope, before any request (and its CPU budget), and give each request
 * the dependencies of its own `env` and shard (src/worker.ts).
 */
export function createApp(depsOrGet: Deps | ((c: Context<AppEnv>) => Deps)) {
  const getDeps = typeof depsOrGet === "function" ? depsOrGet : () => depsOrGet;
  const app = new Hono<AppEnv>();
  app.use(requestId({ headerName: "X-Request-Id" }));
  if (typeof depsOrGet !== "function" && depsOrGet.accessLog) app.use(accessLog(depsOrGet.accessLog, depsOrGet.now));
  app.use(async (c, next) => {
    c.set("deps", getDeps(c));
    c.set("startedAt", Date.now()); // deadlines (decide) count from the request's arrival
    await next();
  });
  app.use(securityHeaders());
  app.options("/v1/*", preflight());
  app.use("/v1/*", fixedPathMethods(operations));
  app.use("/v1/*", contentLengthLimit());

  const openapi = fromHono(app, {
    // Both served below: the document with the request's origin as its server, the docs from our own assets.
    openapi_url: null,
    docs_url: null,
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
      servers: [DEFAULT_SERVER],
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
        { name: "Settings", description: "The brand's own settings: its marketing-consent default and holdout group" },
        { name: "Reports", description: "What marketing achieved: uplift against the holdout group" },
        { name: "Audit", description: "Who read or changed what, by key id and request id" },
        { name: "Service", description: "Service capacity, bookings and booking links, service-reminder emails" },
        { name: "Webhooks", description: "Outbound webhooks (Standard Webhooks), their delivery log, the lead feed" },
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

  let spec: Record<string, unknown> | undefined;
  app.get("/openapi.json", (c) => {
    spec ??= openapi.schema as unknown as Record<string, unknown>;
    const origin = new URL(c.req.url).origin;
    return c.json({ ...spec, servers: [{ url: origin, description: "The server that served this document" }] });
  });
  app.get("/", (c) => c.redirect("/docs", 302));
  app.get("/docs/", (c) => c.redirect("/docs", 301));
  app.get("/docs", () => docsPage(API_TITLE));
  app.get("/docs/init.js", () => docsInitScript());
  // On Workers these files are static assets, served before the Worker runs; on Node the app serves them.
  app.get(`${SWAGGER_UI_PATH}:file`, async (c) => {
    const res = await c.var.deps.swaggerUiFile?.(c.req.param("file"), c.req.raw);
    return res && res.status === 200 ? res : c.notFound();
  });

  // The dealer-site widget (any origin may load it) and, in demo mode only, the demo pages.
  app.get(WIDGET_PATH, serveWidget);
  registerDemo(app);

  app.notFound(notFoundOr405(() => app.routes));
  app.onError(onError);
  return app;
}
export type App = ReturnType<typeof createApp>;
