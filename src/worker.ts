/** Workers entry (wrangler.toml `main`): the app over D1, built once per isolate; retention on a Cron Trigger. */
import { createApp, type App } from "./app";
import { ConfigError, ConfigSchema, parseConfig } from "./config";
import { buildDeps } from "./deps";
import type { Deps } from "./http/context";
import { createD1VinDecoder } from "./store/vpic/d1";
import { PROBLEM_BASE, problemTypes } from "./http/problems";
import { sweepRetention } from "./services/retention";
import { openD1 } from "./store/d1";
import { BindingRateLimiter } from "./http/rate-limit";
import { API_CSP } from "./http/edge";
import { warmUp } from "./warm-up";

let built: { db: D1Database; deps: Deps } | undefined;

// Global scope (isolate start-up, not a request's CPU budget — issue 11): the app with its routes and schemas is
// built here, and the engine's code is compiled by a warm-up; the first request only adds its env's bindings.
const app: App = createApp(() => built!.deps);
warmUp();

function misconfigured(message: string): Response {
  const p = problemTypes["service-misconfigured"];
  return new Response(
    JSON.stringify({ type: PROBLEM_BASE + "service-misconfigured", title: p.title, status: p.status, detail: message }),
    {
      status: p.status,
      headers: {
        "content-type": "application/problem+json",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": API_CSP,
        "Cache-Control": "no-store",
      },
    },
  );
}

/** The isolate's dependencies for `env` (built on first use, or when the binding changed). */
function build(env: Env): NonNullable<typeof built> {
  if (!built || built.db !== env.DB) {
    if (!env.DB) throw new ConfigError("Invalid configuration:\n  DB: the D1 binding is missing (see wrangler.toml)");
    const config = parseConfig(ConfigSchema, env as unknown as Record<string, unknown>);
    const deps = buildDeps(
      "workers",
      openD1(env.DB),
      config,
      (work) => void work.catch((e) => console.error(String(e))),
      env.VPIC ? createD1VinDecoder(env.VPIC) : null,
      env.RATE_LIMITER ? new BindingRateLimiter(env.RATE_LIMITER, 60) : undefined,
    ); // handlers defer through executionCtx.waitUntil
    // Deployed and under wrangler dev, /docs/swagger-ui/* never reaches the Worker (static assets are served
    // first); where no asset layer runs in front (the vitest integration) the app asks the binding.
    const assets = env.ASSETS;
    if (assets) deps.swaggerUiFile = (_file, request) => assets.fetch(request);
    built = { db: env.DB, deps };
  }
  return built;
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    try {
      build(env);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      console.error(e.message);
      return misconfigured(e.message.replace(/\n\s*/g, " "));
    }
    return app.fetch(request, env, ctx);
  },

  /** The Cron Trigger (wrangler.toml `[triggers]`): expired decisions, outcomes and Idempotency-Key records. */
  async scheduled(controller, env, ctx): Promise<void> {
    const { deps } = build(env);
    ctx.waitUntil(
      sweepRetention(deps.store, controller.scheduledTime).then((n) =>
        console.log(JSON.stringify({ level: "info", msg: "retention", cron: controller.cron, ...n })),
      ),
    );
  },
} satisfies ExportedHandler<Env>;
