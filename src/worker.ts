/** Workers entry (wrangler.toml `main`): the app over D1, built once per isolate. */
import { createApp, type App } from "./app";
import { ConfigError, ConfigSchema, parseConfig } from "./config";
import { buildDeps } from "./deps";
import { createD1VinDecoder } from "./store/vpic/d1";
import { PROBLEM_BASE, problemTypes } from "./http/problems";
import { openD1 } from "./store/d1";
import { BindingRateLimiter } from "./http/rate-limit";
import { API_CSP } from "./http/edge";

let built: { db: D1Database; app: App } | undefined;

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

export default {
  async fetch(request, env, ctx): Promise<Response> {
    if (!built || built.db !== env.DB) {
      try {
        if (!env.DB)
          throw new ConfigError("Invalid configuration:\n  DB: the D1 binding is missing (see wrangler.toml)");
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
        built = { db: env.DB, app: createApp(deps) };
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        console.error(e.message);
        return misconfigured(e.message.replace(/\n\s*/g, " "));
      }
    }
    return built.app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
